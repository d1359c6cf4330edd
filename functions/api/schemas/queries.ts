import * as v from "valibot";
import { asOfQuery, countSchema, knownAtQuery, limitSchema, nextTokenSchema } from "./params.js";

/* The reader's queries: one entity's state, stream and timeline. */

export const stateQuerySchema = v.strictObject({
  asOf: asOfQuery,
  knownAt: knownAtQuery,
});

export const eventsQuerySchema = v.strictObject({
  knownAt: knownAtQuery,
  fromVersion: v.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const timelineQuerySchema = v.strictObject({ knownAt: knownAtQuery });
