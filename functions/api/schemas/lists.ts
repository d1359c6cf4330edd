import * as v from "valibot";
import { MEASURES } from "../../domain/events.js";
import { authoritySchema, isoDateSchema, str, strict, text } from "./base.js";
import { asOfQuery, knownAtQuery, knownAtSchema, limitSchema, nextTokenSchema } from "./params.js";

/* The audit function's queries: across entities. */

const filterFields = {
  authority: v.optional(authoritySchema),
  measure: v.optional(v.picklist(MEASURES)),
  program: v.optional(text(64)),
};

export const sanctionsQuerySchema = strict({
  asOf: asOfQuery,
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const changesQuerySchema = strict({
  from: isoDateSchema,
  to: isoDateSchema,
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const correctionsQuerySchema = strict({
  from: knownAtSchema,
  to: knownAtSchema,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const noticesQuerySchema = strict({
  since: v.optional(str(v.maxLength(2048))),
  limit: limitSchema,
});

export const searchQuerySchema = strict({
  q: str(v.minLength(1), v.maxLength(256)),
  asOf: v.optional(isoDateSchema),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});
