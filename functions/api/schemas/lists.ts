import * as z from "zod/mini";
import { MEASURES } from "../../domain/events.js";
import { authoritySchema, described, isoDateSchema, str, text } from "./base.js";
import { asOfQuery, knownAtQuery, knownAtSchema, limitSchema, nextTokenSchema } from "./params.js";

/* The audit function's queries: across entities. */

const filterFields = {
  authority: described(
    z.optional(authoritySchema),
    "Only sanctions of this authority, matched exactly (e.g. `JP`, `US-OFAC`).",
  ),
  measure: described(
    z.optional(z.enum(MEASURES)),
    "Only sanctions whose terms on the day include this measure.",
  ),
  program: described(
    z.optional(text(64)),
    "Only sanctions of this program, matched exactly (e.g. `RUSSIA-EO14024`).",
  ),
};

export const sanctionsQuerySchema = z.strictObject({
  asOf: asOfQuery("The day on which the sanctions listed are in force."),
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const changesQuerySchema = z.strictObject({
  from: described(isoDateSchema, "The first day `on` which to report changes."),
  to: described(
    isoDateSchema,
    "The last day `on` which to report changes (inclusive), not before `from`.",
  ),
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const correctionsQuerySchema = z.strictObject({
  from: described(
    knownAtSchema,
    "The start of the window in record time (RFC 3339): what the ledger said then is compared with what it says at `to`.",
  ),
  to: described(
    knownAtSchema,
    "The end of the window in record time (RFC 3339, inclusive), not before `from`.",
  ),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const noticesQuerySchema = z.strictObject({
  since: described(
    z.optional(str(z.maxLength(2048))),
    "The `cursor` of the previous read: only notices filed after it. Without it, from the first notice.",
  ),
  limit: limitSchema,
});

export const searchQuerySchema = z.strictObject({
  q: described(
    str(z.minLength(1), z.maxLength(256)),
    "The words to find: each must be a prefix of a word of one of the entity's names or aliases, in any order; case, accents and punctuation are ignored.",
  ),
  asOf: described(
    z.optional(isoDateSchema),
    "Add each hit's sanctions in force on this day (none are added without it).",
  ),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});
