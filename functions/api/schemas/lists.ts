import * as v from "valibot";
import { MEASURES } from "../../domain/events.js";
import { authoritySchema, isoDateSchema, str, text } from "./base.js";
import { asOfQuery, knownAtQuery, knownAtSchema, limitSchema, nextTokenSchema } from "./params.js";

/* The audit function's queries: across entities. */

const filterFields = {
  authority: v.optional(authoritySchema),
  measure: v.optional(v.picklist(MEASURES)),
  program: v.optional(text(64)),
};

export const sanctionsQuerySchema = v.strictObject({
  asOf: asOfQuery,
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const changesQuerySchema = v.strictObject({
  from: isoDateSchema,
  to: isoDateSchema,
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const correctionsQuerySchema = v.strictObject({
  from: knownAtSchema,
  to: knownAtSchema,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const noticesQuerySchema = v.strictObject({
  since: v.optional(str(v.maxLength(2048))),
  limit: limitSchema,
});

export const searchQuerySchema = v.strictObject({
  q: str(v.minLength(1), v.maxLength(256)),
  asOf: v.optional(isoDateSchema),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});
