import * as z from "zod/mini";
import { asOfQuery, countSchema, knownAtQuery, limitSchema, nextTokenSchema } from "./params.js";

/* The reader's queries: one entity's state, stream and timeline. */

export const stateQuerySchema = z.strictObject({
  asOf: asOfQuery,
  knownAt: knownAtQuery,
});

export const eventsQuerySchema = z.strictObject({
  knownAt: knownAtQuery,
  fromVersion: z.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const timelineQuerySchema = z.strictObject({ knownAt: knownAtQuery });
