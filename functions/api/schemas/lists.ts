import * as z from "zod/mini";
import { MEASURES } from "../../domain/events.js";
import { authoritySchema, isoDateSchema, str, text } from "./base.js";
import { asOfQuery, knownAtQuery, knownAtSchema, limitSchema, nextTokenSchema } from "./params.js";

/* The audit function's queries: across entities. */

const filterFields = {
  authority: z.optional(authoritySchema),
  measure: z.optional(z.enum(MEASURES)),
  program: z.optional(text(64)),
};

export const sanctionsQuerySchema = z.strictObject({
  asOf: asOfQuery,
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const changesQuerySchema = z.strictObject({
  from: isoDateSchema,
  to: isoDateSchema,
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const correctionsQuerySchema = z.strictObject({
  from: knownAtSchema,
  to: knownAtSchema,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const noticesQuerySchema = z.strictObject({
  since: z.optional(str(z.maxLength(2048))),
  limit: limitSchema,
});

export const searchQuerySchema = z.strictObject({
  q: str(z.minLength(1), z.maxLength(256)),
  asOf: z.optional(isoDateSchema),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});
