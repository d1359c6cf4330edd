import type { GenericSchema, InferOutput } from "valibot";
import {
  appendAnswerSchema,
  appendBodySchema,
  batchAnswerSchema,
  batchBodySchema,
  changesPageSchema,
  checkpointSchema,
  consistencyProofSchema,
  correctionsPageSchema,
  entityStateSchema,
  eventsPageSchema,
  inclusionProofSchema,
  noticesPageSchema,
  openApiAnswerSchema,
  publicKeySchema,
  sanctionsPageSchema,
  searchPageSchema,
  timelineSchema,
  verificationSchema,
} from "./answers.js";
import type { OperationId, RouteTable } from "./routes.js";

/** The statuses of failure a route may answer (problem+json, or API Gateway's own). */
export type FailureStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;

/** A named schema of a request or an answer, published under `components/schemas`. */
export interface Named<S> {
  readonly name: string;
  readonly schema: S;
}

/** One successful answer of a route. */
export interface SuccessAnswer<S> extends Named<S> {
  readonly status: 200 | 201;
  readonly description: string;
  /** The answer's media type when it is not JSON (its schema is then a string's). */
  readonly mediaType?: string;
}

/**
 * What the OpenAPI document says of a route beyond what its function checks: its summary,
 * description and tags, its body as one documented shape, its answers and failures.
 */
export interface RouteDoc {
  readonly summary: string;
  readonly description: string;
  readonly tags: readonly Tag[];
  readonly body?: Named<GenericSchema>;
  readonly answers: readonly SuccessAnswer<GenericSchema>[];
  readonly failures: readonly FailureStatus[];
}

/** The groups of operations, with what each holds. */
export const TAGS = {
  Appends: "Recording events: one append, or a batch of them. Nothing is ever updated or deleted.",
  Entities: "One entity: its state on a day, its stream, its timeline, its hash chain.",
  Audit: "Questions across entities: what is in force, what changed, who a name is.",
  Proofs:
    "The ledger-wide Merkle log (RFC 9162): signed checkpoints, the signer's public key, inclusion and consistency proofs, to be checked offline against a checkpoint kept apart.",
  Description: "This API's own description.",
} as const;
export type Tag = keyof typeof TAGS;

/** What every route may answer besides its own: API Gateway's refusals and failures. */
const ALWAYS = [403, 429, 500, 502, 503, 504] as const;

/**
 * The documentation of every route of the route table, under its operationId: `tsc` fails
 * on a route without documentation or documentation without a route.
 */
export const ROUTE_DOCS = {
  appendEvent: {
    tags: ["Appends"],
    summary: "Append one event to the entity's stream",
    description:
      "Appends one event (`type`, `data`, optional `eventId`, `expectedVersion`, `source`). " +
      "Checked in this order: 400 (malformed), idempotency (the `eventId` already in the stream: " +
      "200 with the original answer if `type`, `data` and `source` are the same, else 409), 404 " +
      "(unknown entity for a non-registering event), 409 (`expectedVersion` differs from the head; " +
      "0 means the entity must not exist yet), 422 (a domain rule). A refused request writes nothing.",
    body: { name: "AppendBody", schema: appendBodySchema },
    answers: [
      {
        status: 201,
        name: "AppendAnswer",
        schema: appendAnswerSchema,
        description: "Appended: the event's coordinates and hash.",
      },
      {
        status: 200,
        name: "AppendAnswer",
        schema: appendAnswerSchema,
        description:
          "Idempotent replay: the `eventId` is in the stream already; its original answer.",
      },
    ],
    failures: [400, 404, 409, 413, 415, 422, ...ALWAYS],
  },
  getEntity: {
    tags: ["Entities"],
    summary: "The entity on a day, as known at a moment",
    description:
      "The entity's details and its sanctions in force and pending on `asOf` (default today, UTC), " +
      "counting the events recorded at or before `knownAt` (default: the whole stream), and in " +
      "`undetermined` those whose status on `asOf` is not known: a list publication that states " +
      "no listing date says only that the entry was listed on or before it, so on earlier days " +
      "the ledger answers 'not known' (with the day its status is known from, and why), never " +
      "'not sanctioned'. `basis` lists the versions the answer derives from. 404 for an entity " +
      "unknown at `knownAt`.",
    answers: [
      {
        status: 200,
        name: "EntityState",
        schema: entityStateSchema,
        description: "The entity on `asOf` as known at `knownAt`.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  listEntityEvents: {
    tags: ["Entities"],
    summary: "The entity's stream, oldest first",
    description:
      "The events of the entity's stream in version order, each with all its fields (source, " +
      "actor, hashes), from `fromVersion` on, counting those recorded at or before `knownAt`; " +
      "paginated by `limit` and `nextToken`.",
    answers: [
      {
        status: 200,
        name: "EventsPage",
        schema: eventsPageSchema,
        description: "A page of the stream; `nextToken` while more remain.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  getEntityTimeline: {
    tags: ["Entities"],
    summary: "Each sanction's terms on the valid-time axis",
    description:
      "For each sanction of the entity, one interval per stretch of unchanged terms (`until` " +
      "exclusive, null when open), each with the versions it derives from, and the days on which " +
      "its status is not known (`undetermined`), as known at `knownAt`.",
    answers: [
      {
        status: 200,
        name: "Timeline",
        schema: timelineSchema,
        description: "The entity's sanctions on the valid-time axis.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  verifyEntity: {
    tags: ["Entities"],
    summary:
      "Recompute the entity's hash chain and check its head against the one the views witnessed",
    description:
      "Recomputes the SHA-256 of every event over its canonical JSON (RFC 8785) and the chain " +
      "of `prevHash`; `firstBrokenVersion` names the first event that no longer matches.",
    answers: [
      {
        status: 200,
        name: "Verification",
        schema: verificationSchema,
        description: "Whether the chain holds, and where it breaks if it does not.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  appendBatch: {
    tags: ["Appends"],
    summary: "Append up to 100 events, each idempotent by its eventId",
    description:
      "Appends 1 to 100 events, each `{entityId, …append body}`, in order. Each item is answered " +
      "in its own place, with its append answer or its problem; items are not atomic together, " +
      "and a retried batch completes what is missing without duplicating anything. A malformed " +
      "envelope is a 400 for the whole batch and writes nothing.",
    body: { name: "BatchBody", schema: batchBodySchema },
    answers: [
      {
        status: 200,
        name: "BatchAnswer",
        schema: batchAnswerSchema,
        description:
          "One result per item, in order: an append answer with its status, or a problem.",
      },
    ],
    failures: [400, 413, 415, ...ALWAYS],
  },
  listSanctions: {
    tags: ["Audit"],
    summary: "Entities with a matching sanction in force, or undetermined, on a day",
    description:
      "Every entity with a sanction in force on `asOf` that matches the filters, listing only the " +
      "matching sanctions, as known at `knownAt`; each entity appears exactly once across the pages. " +
      "Sanctions whose status on `asOf` is not known are listed apart in `undetermined`, and an " +
      "entity with only such sanctions is listed with no `sanctions`.",
    answers: [
      {
        status: 200,
        name: "SanctionsPage",
        schema: sanctionsPageSchema,
        description: "A page of entities; `nextToken` while more remain.",
      },
    ],
    failures: [400, ...ALWAYS],
  },
  listChanges: {
    tags: ["Audit"],
    summary: "Sanctions that entered force, changed terms or left force between two days",
    description:
      "The day-over-day difference of `/sanctions` (same filters) for each day `on` in " +
      "[`from`, `to`]: `entered` (in force on `on`, not the day before), `amended` (in force on " +
      "both with other terms) or `left` (`on` is the first day out of force); for a sanction whose " +
      "start is not stated, `undetermined` (its status is not known from `on`) and `determined` " +
      "(its status is known from `on`, in force unless it ended first: it may have entered force " +
      "before, so this is not `entered`).",
    answers: [
      {
        status: 200,
        name: "ChangesPage",
        schema: changesPageSchema,
        description: "A page of changes; `nextToken` while more remain.",
      },
    ],
    failures: [400, ...ALWAYS],
  },
  listCorrections: {
    tags: ["Audit"],
    summary: "What the ledger now says differently about sanctions it already held",
    description:
      "For each sanction the ledger held at `from` (record time), the maximal ranges of days " +
      "(`days.from` to `days.to`, inclusive; `to` null: every later day) on which its status as " +
      "known at `to` differs from its status as known at `from`, one item per range, with the " +
      "events recorded in the window about it (`versions`). Sanctions first recorded in the " +
      "window are new knowledge, not corrections, and are left out (`/changes` covers them).",
    answers: [
      {
        status: 200,
        name: "CorrectionsPage",
        schema: correctionsPageSchema,
        description: "A page of corrected ranges; `nextToken` while more may remain.",
      },
    ],
    failures: [400, ...ALWAYS],
  },
  listNotices: {
    tags: ["Audit"],
    summary: "The notices, as a feed",
    description:
      "The notices the ledger emits (a sanction entering into force, amended or leaving force on " +
      "a day, told at the start of that day, UTC; an event changing a sanction's status on days " +
      "already past, told when it is recorded), as CloudEvents 1.0 documents in order of `time`, " +
      "after the `since` cursor. Each notice has a deterministic `id`: a consumer drops repeats.",
    answers: [
      {
        status: 200,
        name: "NoticesPage",
        schema: noticesPageSchema,
        description: "Notices after `since`, and the `cursor` to read on from.",
      },
    ],
    failures: [400, ...ALWAYS],
  },
  searchEntities: {
    tags: ["Audit"],
    summary: "Entities by name or alias",
    description:
      "Names and aliases are normalised (Unicode NFKD, diacritics removed, lower case, " +
      "punctuation read as a space) and split into words; an entity matches when every word of " +
      "`q` is a prefix of some word of one of its names, in any order. `asOf` adds each hit's " +
      "sanctions in force on that day. Current knowledge.",
    answers: [
      {
        status: 200,
        name: "SearchPage",
        schema: searchPageSchema,
        description: "A page of matching entities; `nextToken` while more remain.",
      },
    ],
    failures: [400, ...ALWAYS],
  },
  getLatestCheckpoint: {
    tags: ["Proofs"],
    summary: "The latest signed checkpoint of the ledger-wide log",
    description:
      "The latest checkpoint: the log's origin, its tree size and RFC 9162 root hash (lowercase " +
      "hex), and the signed note verbatim (C2SP tlog-checkpoint signed as a C2SP signed-note, " +
      "ECDSA P-256 with SHA-256, signature type 0x02). Keep the note: it is what later answers " +
      "are checked against. 404 while no event is sequenced.",
    answers: [
      {
        status: 200,
        name: "Checkpoint",
        schema: checkpointSchema,
        description: "The latest checkpoint.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  getCheckpointKey: {
    tags: ["Proofs"],
    summary: "The public key that signs the checkpoints",
    description:
      "The checkpoint signer's public key as an SPKI PEM block (ECDSA P-256). Obtain it once, " +
      "through a channel you trust (in AWS also the stack output `CheckpointPublicKey`), and " +
      "verify every note with it; its key ID is the first four bytes of SHA-256 of its DER.",
    answers: [
      {
        status: 200,
        name: "PublicKey",
        schema: publicKeySchema,
        mediaType: "application/x-pem-file",
        description: "The public key, PEM.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  getConsistencyProof: {
    tags: ["Proofs"],
    summary: "An RFC 9162 consistency proof between two tree sizes",
    description:
      "The RFC 9162 §2.1.4 consistency proof that the tree of `to` leaves extends the tree of " +
      "`from` leaves: with the two checkpoints' roots it proves that nothing the older " +
      "checkpoint covered was changed, removed or reordered. 1 ≤ `from` ≤ `to` ≤ the latest " +
      "tree size.",
    answers: [
      {
        status: 200,
        name: "ConsistencyProof",
        schema: consistencyProofSchema,
        description: "The proof: hashes in lowercase hex, empty when `from` equals `to`.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  getCheckpoint: {
    tags: ["Proofs"],
    summary: "The signed checkpoint of one tree size",
    description:
      "The checkpoint published when the log reached `treeSize` leaves, as `/checkpoints/latest` " +
      "answers it. Checkpoints are published for the sizes the sequencer reached, not every size: " +
      "404 for a size never published.",
    answers: [
      {
        status: 200,
        name: "Checkpoint",
        schema: checkpointSchema,
        description: "The checkpoint of that size.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  getInclusionProof: {
    tags: ["Proofs"],
    summary: "An RFC 9162 inclusion proof of one event in a checkpoint",
    description:
      "The RFC 9162 §2.1.3 inclusion proof of the event's leaf (SHA-256(0x00 ‖ the event's " +
      "32-byte hash)) in the tree of `treeSize` leaves (default: the latest checkpoint). 404 " +
      "while the event is not in that tree.",
    answers: [
      {
        status: 200,
        name: "InclusionProof",
        schema: inclusionProofSchema,
        description: "The leaf's index, its hash and the audit path, in lowercase hex.",
      },
    ],
    failures: [400, 404, ...ALWAYS],
  },
  getOpenApi: {
    tags: ["Description"],
    summary: "This description",
    description: "The OpenAPI 3.1 description of this API, generated from its route table.",
    answers: [
      {
        status: 200,
        name: "OpenApi",
        schema: openApiAnswerSchema,
        description: "The OpenAPI document.",
      },
    ],
    failures: [400, ...ALWAYS],
  },
} as const satisfies { readonly [K in OperationId]: RouteDoc };

/** The documentation of the routes. */
export type RouteDocs = typeof ROUTE_DOCS;

/** The descriptions of the parameters several routes take. */
const PARAMETERS = {
  AUTHORITY: "Only sanctions of this authority, matched exactly (e.g. `JP`, `US-OFAC`).",
  ENTITY_ID: "The entity's id, chosen by whoever registered it (e.g. `ru-vtb-bank`).",
  KNOWN_AT:
    "Answer as the ledger knew it at this moment: count only the events recorded at or before it. Any RFC 3339 timestamp (an offset is read as UTC). Default: now, and the answer echoes the later of now and the stream's last recording.",
  LIMIT: "The most items in one page: 1 to 1000, in plain decimal digits (default 100).",
  MEASURE: "Only sanctions whose terms on the day include this measure.",
  NEXT_TOKEN:
    "The `nextToken` of the previous page, to read the next one; only with the same other parameters.",
  PROGRAM: "Only sanctions of this program, matched exactly (e.g. `RUSSIA-EO14024`).",
} as const;

/** The parameters of `/sanctions` and `/changes` besides their days. */
const LISTING = {
  knownAt: PARAMETERS.KNOWN_AT,
  authority: PARAMETERS.AUTHORITY,
  measure: PARAMETERS.MEASURE,
  program: PARAMETERS.PROGRAM,
  limit: PARAMETERS.LIMIT,
  nextToken: PARAMETERS.NEXT_TOKEN,
} as const;

/** A route's parameter names: those of its path and query schemas. */
type ParameterName<K extends OperationId> =
  | keyof InferOutput<RouteTable[K]["path"]>
  | keyof InferOutput<RouteTable[K]["query"]>;

/**
 * The description of every path and query parameter of every route, for the OpenAPI
 * document: kept here, not in the schemas the functions bundle (`tsc` checks that each
 * parameter of the route table has one, and no other).
 */
export const PARAMETER_DOCS: {
  readonly [K in OperationId]: { readonly [P in ParameterName<K>]: string };
} = {
  appendEvent: {
    entityId: PARAMETERS.ENTITY_ID,
  },
  listEntityEvents: {
    entityId: PARAMETERS.ENTITY_ID,
    knownAt: PARAMETERS.KNOWN_AT,
    fromVersion: "The first version to list, in plain decimal digits (default 1).",
    limit: PARAMETERS.LIMIT,
    nextToken: PARAMETERS.NEXT_TOKEN,
  },
  appendBatch: {},
  getEntity: {
    entityId: PARAMETERS.ENTITY_ID,
    asOf: "The day on which to tell what is in force and what is pending. Default: today (UTC).",
    knownAt: PARAMETERS.KNOWN_AT,
  },
  getEntityTimeline: {
    entityId: PARAMETERS.ENTITY_ID,
    knownAt: PARAMETERS.KNOWN_AT,
  },
  verifyEntity: {
    entityId: PARAMETERS.ENTITY_ID,
  },
  listSanctions: {
    asOf: "The day on which the sanctions listed are in force. Default: today (UTC).",
    ...LISTING,
  },
  listChanges: {
    from: "The first day `on` which to report changes.",
    to: "The last day `on` which to report changes (inclusive), not before `from`.",
    ...LISTING,
  },
  listCorrections: {
    from: "The start of the window in record time (RFC 3339): what the ledger said then is compared with what it says at `to`.",
    to: "The end of the window in record time (RFC 3339, inclusive), not before `from`.",
    limit: PARAMETERS.LIMIT,
    nextToken: PARAMETERS.NEXT_TOKEN,
  },
  listNotices: {
    since:
      "The `cursor` of the previous read: only notices filed after it. Without it, from the first notice.",
    limit: PARAMETERS.LIMIT,
  },
  searchEntities: {
    q: "The words to find: each must be a prefix of a word of one of the entity's names or aliases, in any order; case, accents and punctuation are ignored.",
    asOf: "Add each hit's sanctions in force on this day (none are added without it).",
    limit: PARAMETERS.LIMIT,
    nextToken: PARAMETERS.NEXT_TOKEN,
  },
  getLatestCheckpoint: {},
  getCheckpointKey: {},
  getConsistencyProof: {
    from: "The smaller tree size (a checkpoint the caller holds), at least 1.",
    to: "The larger tree size, at most the latest checkpoint's.",
  },
  getCheckpoint: {
    treeSize: "The tree size of a published checkpoint, in plain decimal digits.",
  },
  getInclusionProof: {
    entityId: PARAMETERS.ENTITY_ID,
    version: "The event's version in the entity's stream, in plain decimal digits.",
    treeSize: "The tree size of the checkpoint to prove inclusion in (default: the latest).",
  },
  getOpenApi: {},
};
