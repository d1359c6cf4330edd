import * as z from "zod/mini";
import { described, entityIdSchema } from "./base.js";
import { countSchema } from "./params.js";

/* The proofs function's paths and queries. */

/** The path of `GET /checkpoints/{treeSize}`. */
export const checkpointPathSchema = z.object({
  treeSize: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The tree size of a published checkpoint, in plain decimal digits.",
  ),
});

/** The query of `GET /checkpoints/consistency`. */
export const consistencyQuerySchema = z.strictObject({
  from: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The smaller tree size (a checkpoint the caller holds), at least 1.",
  ),
  to: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The larger tree size, at most the latest checkpoint's.",
  ),
});

/** The path of `GET /entities/{entityId}/events/{version}/proof`. */
export const eventPathSchema = z.object({
  entityId: described(
    entityIdSchema,
    "The entity's id, chosen by whoever registered it (e.g. `ru-vtb-bank`).",
  ),
  version: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The event's version in the entity's stream, in plain decimal digits.",
  ),
});

/** The query of `GET /entities/{entityId}/events/{version}/proof`. */
export const proofQuerySchema = z.strictObject({
  treeSize: described(
    z.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
    "The tree size of the checkpoint to prove inclusion in (default: the latest).",
  ),
});
