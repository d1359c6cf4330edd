import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Tracer } from "@aws-lambda-powertools/tracer";
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  Context,
  DynamoDBRecord,
} from "aws-lambda";
import { ENV } from "../store/keys.js";
import { logger } from "./http.js";
import { withRequest } from "./request-scope.js";
import {
  DEFAULT_SERVICE_NAME,
  DIMENSION,
  METRIC,
  METRICS_NAMESPACE,
  SERVICE_NAME_ENV,
} from "./telemetry.js";

/**
 * The Lambda side of observability: the wrappers that the functions' exported handlers
 * are, the ledger's own metrics (EMF), and the tracer. The route code below knows none of
 * it: metrics are read from the answers, the request id reaches the problems through
 * `request-scope.ts`, and the DynamoDB client is traced where it is built (`wiring.ts`).
 */

const serviceName = process.env[SERVICE_NAME_ENV] || DEFAULT_SERVICE_NAME;

/** The ledger's own metrics, written to stdout in the embedded metric format. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });

/**
 * The tracer, only where it traces: in Lambda, with tracing not turned off
 * (`POWERTOOLS_TRACE_ENABLED=false`; Powertools also turns it off under SAM or Amplify).
 * Elsewhere (`npm start`, the tests) it is not even loaded: the X-Ray SDK under it takes
 * about 200 ms to load, which the local runtime has no use for. The import is still
 * static to esbuild, so the bundle holds it.
 */
export const tracer: Tracer | undefined = await (async () => {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME === undefined) return undefined;
  if (process.env.POWERTOOLS_TRACE_ENABLED === "false") return undefined;
  const { Tracer } = await import("@aws-lambda-powertools/tracer");
  const loaded = new Tracer({ serviceName });
  return loaded.isTracingEnabled() ? loaded : undefined;
})();

/** The client, its every call an X-Ray subsegment where tracing is on; as is elsewhere. */
export function traced<C>(client: C): C {
  return tracer === undefined ? client : tracer.captureAWSv3Client(client);
}

/**
 * One invocation: the logger given the Lambda context and the request id (its
 * `correlation_id`), a `## handler` subsegment annotated with the cold start, the service
 * and the request id, the request's scope for its problems, and the metrics published at
 * the end, whatever the outcome.
 */
async function invocation<R>(
  context: Context,
  requestId: string | undefined,
  run: () => Promise<R>,
): Promise<R> {
  logger.resetKeys();
  logger.addContext(context);
  if (requestId !== undefined) logger.setCorrelationId(requestId);
  metrics.captureColdStartMetric(context.functionName);
  const parent = tracer?.getSegment();
  const segment = parent?.addNewSubsegment(`## ${process.env._HANDLER ?? "handler"}`);
  if (tracer !== undefined && segment !== undefined) {
    tracer.setSegment(segment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    if (requestId !== undefined) tracer.putAnnotation("requestId", requestId);
  }
  try {
    return await withRequest(requestId, run);
  } catch (error) {
    segment?.addError(error as Error);
    throw error;
  } finally {
    segment?.close();
    if (tracer !== undefined && parent !== undefined) tracer.setSegment(parent);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
}

/** What an API function answers, before it is wrapped. */
export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * An API function's Lambda handler. The request id is API Gateway's
 * (`requestContext.requestId`, the access log's `requestId`), or the invocation's when
 * the function is invoked directly. `record` reads the ledger's metrics off the answer; a
 * failure there is logged, never answered.
 */
export function apiHandler(
  handle: ApiHandler,
  record?: (event: APIGatewayProxyEvent, result: APIGatewayProxyResult) => void,
): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  return (event, context) =>
    invocation(context, event.requestContext?.requestId ?? context.awsRequestId, async () => {
      const result = await handle(event);
      if (record !== undefined) {
        try {
          record(event, result);
        } catch (error) {
          logger.warn("metrics not recorded", { error: error as Error });
        }
      }
      return withCors(result, process.env[ENV.corsOrigin]);
    });
}

/**
 * The answer readable by a page of `origin` (the web app's), when one is allowed: with a
 * proxy integration the function's headers are the answer's, so the function gives the CORS
 * header that API Gateway gives its preflights and its own errors (infra/api.ts). One fixed
 * origin, never `*` nor the request's `Origin` echoed; `Vary` keeps a cache from serving the
 * answer to another origin's page.
 */
export function withCors(
  result: APIGatewayProxyResult,
  origin: string | undefined,
): APIGatewayProxyResult {
  if (!origin) return result;
  return {
    ...result,
    headers: { ...result.headers, "access-control-allow-origin": origin, vary: "Origin" },
  };
}

/** A Lambda handler for an event that is not a request (the stream projector's batches). */
export function eventHandler<E, R>(
  handle: (event: E, context?: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return (event, context) => invocation(context, undefined, () => handle(event, context));
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function parsed(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The writer's metrics, read off its answer: each event appended (201) by its type, each
 * append rejected (a problem, for a single append or one batch item) by its status, and
 * the items of each batch. An idempotent replay (200) appends nothing and counts as
 * neither. The import runs in the CLI, so its rate is seen here as batch items per minute.
 */
export function recordAppends(event: APIGatewayProxyEvent, result: APIGatewayProxyResult): void {
  if (event.httpMethod !== "POST") return;
  const appended = new Map<string, number>();
  const rejected = new Map<number, number>();
  const outcome = (status: unknown, type: unknown) => {
    if (status === 201 && typeof type === "string") increment(appended, type);
    else if (typeof status === "number" && status >= 400) increment(rejected, status);
  };
  const body = parsed(result.body);
  if (event.resource === "/batches") {
    const items = body?.results;
    if (result.statusCode === 200 && Array.isArray(items)) {
      metrics.addMetric(METRIC.batchItems, MetricUnit.Count, items.length);
      for (const item of items as Record<string, unknown>[]) outcome(item?.status, item?.type);
    } else outcome(result.statusCode, undefined);
  } else if (event.resource === "/entities/{entityId}/events") {
    outcome(result.statusCode, body?.type);
  }
  for (const [type, count] of appended) {
    metrics
      .singleMetric()
      .addDimension(DIMENSION.eventType, type)
      .addMetric(METRIC.eventsAppended, MetricUnit.Count, count);
  }
  for (const [status, count] of rejected) {
    metrics
      .singleMetric()
      .addDimension(DIMENSION.status, String(status))
      .addMetric(METRIC.appendsRejected, MetricUnit.Count, count);
  }
}

/**
 * The projection lag of stream records whose entity's views were just brought up to
 * date: the milliseconds from each event's `recordedAt` (in the record's new image) to
 * now. A writer's clock ahead of this one's counts as no lag.
 */
export function recordProjectionLag(records: readonly DynamoDBRecord[], now = Date.now()): void {
  for (const record of records) {
    const recordedAt = record.dynamodb?.NewImage?.recordedAt?.S;
    const at = recordedAt === undefined ? Number.NaN : Date.parse(recordedAt);
    if (Number.isFinite(at)) {
      metrics.addMetric(METRIC.projectionLag, MetricUnit.Milliseconds, Math.max(0, now - at));
    }
  }
}
