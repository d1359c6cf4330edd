import * as v from "valibot";
import { entityIdSchema, strict } from "./base.js";
import { countSchema } from "./params.js";

/* The proofs function's paths and queries. */

/** The path of `GET /checkpoints/{treeSize}`. */
export const checkpointPathSchema = v.object({
  treeSize: countSchema(1, Number.MAX_SAFE_INTEGER),
});

/** The query of `GET /checkpoints/consistency`. */
export const consistencyQuerySchema = strict({
  from: countSchema(1, Number.MAX_SAFE_INTEGER),
  to: countSchema(1, Number.MAX_SAFE_INTEGER),
});

/** The path of `GET /entities/{entityId}/events/{version}/proof`. */
export const eventPathSchema = v.object({
  entityId: entityIdSchema,
  version: countSchema(1, Number.MAX_SAFE_INTEGER),
});

/** The query of `GET /entities/{entityId}/events/{version}/proof`. */
export const proofQuerySchema = strict({
  treeSize: v.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
});
