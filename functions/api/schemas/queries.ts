import * as z from "zod/mini";
import { described } from "./base.js";
import { asOfQuery, countSchema, knownAtQuery, limitSchema, nextTokenSchema } from "./params.js";

/* The reader's queries: one entity's state, stream and timeline. */

export const stateQuerySchema = z.strictObject({
  asOf: asOfQuery("The day on which to tell what is in force and what is pending."),
  knownAt: knownAtQuery,
});

export const eventsQuerySchema = z.strictObject({
  knownAt: knownAtQuery,
  fromVersion: described(
    z.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
    "The first version to list, in plain decimal digits (default 1).",
  ),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const timelineQuerySchema = z.strictObject({ knownAt: knownAtQuery });
