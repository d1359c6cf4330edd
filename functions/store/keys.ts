/**
 * Table layout shared by the store implementations and the CDK stack, so that the
 * tables and the code cannot drift apart.
 */

/** Events table: one item per event, the stream of an entity under its partition. */
export const EVENTS_TABLE = {
  partitionKey: "entityId",
  sortKey: "version",
  /** Local secondary index (entityId, eventId): the idempotency look-up, strongly consistent. */
  byEventId: { indexName: "byEventId", sortKey: "eventId" },
  /** Local secondary index (entityId, recordedAt): the prefix of a stream known at a moment. */
  byRecordedAt: { indexName: "byRecordedAt", sortKey: "recordedAt" },
} as const;

/** Views table: derived, rebuildable projections. */
export const VIEWS_TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
} as const;

/** Environment variables through which the functions learn their tables. */
export const ENV = {
  eventsTable: "EVENTS_TABLE_NAME",
  viewsTable: "VIEWS_TABLE_NAME",
  /** `"false"`: the writer leaves the views to the stream projector. */
  projectOnAppend: "PROJECT_ON_APPEND",
  /** The one browser origin allowed to call the API (CORS), e.g. the web app's; unset, none. */
  corsOrigin: "CORS_ORIGIN",
  /** The event bus that notices are published to. */
  noticeBus: "NOTICE_BUS_NAME",
} as const;

/** Environment variables through which the sequencer and the reader learn where the proofs are. */
export const PROOFS_ENV = {
  bucket: "CHECKPOINT_BUCKET_NAME",
  keyId: "CHECKPOINT_KEY_ID",
  retentionDays: "CHECKPOINT_RETENTION_DAYS",
  origin: "CHECKPOINT_ORIGIN",
  /** Base64 of the signing key's DER SPKI, as KMS gave it at deployment (the reader's). */
  publicKey: "CHECKPOINT_PUBLIC_KEY",
} as const;

/** How long a published checkpoint is locked in its bucket by default: five years. */
export const DEFAULT_CHECKPOINT_RETENTION_DAYS = 1826;
