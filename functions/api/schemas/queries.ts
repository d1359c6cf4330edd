import * as v from "valibot";
import { strict } from "./base.js";
import { asOfQuery, countSchema, knownAtQuery, limitSchema, nextTokenSchema } from "./params.js";

/* The reader's queries: one entity's state, stream and timeline. */

export const stateQuerySchema = strict({
  asOf: asOfQuery,
  knownAt: knownAtQuery,
});

export const eventsQuerySchema = strict({
  knownAt: knownAtQuery,
  fromVersion: v.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const timelineQuerySchema = strict({ knownAt: knownAtQuery });
