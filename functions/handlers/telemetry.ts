/**
 * The names the ledger's telemetry is found by: the CloudWatch namespace and names of its
 * own metrics (emitted in the embedded metric format by `observability.ts`), their
 * dimensions, and the log keys an operator searches by. The CDK app builds the dashboard
 * from the same names, so the two cannot drift apart.
 */

/** The environment variable naming the service: the `service` of logs, traces and metrics. */
export const SERVICE_NAME_ENV = "POWERTOOLS_SERVICE_NAME";

/** The service name where the environment names none (the local runtime, the tests). */
export const DEFAULT_SERVICE_NAME = "sanctions-ledger";

/** The CloudWatch namespace of the ledger's own metrics. */
export const METRICS_NAMESPACE = "SanctionsLedger";

/** The dimension Powertools Metrics adds to every metric: the service name. */
export const SERVICE_DIMENSION = "service";

/** The ledger's own metrics. */
export const METRIC = {
  /** Events written by an append (201), single or in a batch; dimension `eventType`. */
  eventsAppended: "EventsAppended",
  /** Appends answered with a problem (a whole request or one batch item); dimension `status`. */
  appendsRejected: "AppendsRejected",
  /** Items of each batch request (`POST /batches`): Sum per minute is the import rate. */
  batchItems: "BatchItems",
  /** Milliseconds from an event's `recordedAt` to the stream projector's bringing its views up to it. */
  projectionLag: "ProjectionLag",
} as const;

/** The dimensions of the ledger's own metrics. */
export const DIMENSION = {
  eventType: "eventType",
  status: "status",
} as const;

/**
 * The log key of the API Gateway request id on every log line of a request (Powertools'
 * correlation id), the id a 5xx problem gives as its `instance` and the access log as its
 * `requestId`.
 */
export const CORRELATION_ID_KEY = "correlation_id";
