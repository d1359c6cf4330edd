import type {
  APIGatewayProxyEvent,
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ContentionError } from "../../functions/app/ledger.js";
import { auditHandler } from "../../functions/handlers/audit.js";
import {
  apiHandler,
  eventHandler,
  recordAppends,
  recordProjectionLag,
  traced,
  tracer,
} from "../../functions/handlers/observability.js";
import { projectorHandler } from "../../functions/handlers/projector.js";
import { readerHandler } from "../../functions/handlers/reader.js";
import { DIMENSION, METRIC, METRICS_NAMESPACE } from "../../functions/handlers/telemetry.js";
import { type Services, services } from "../../functions/handlers/wiring.js";
import { writerHandler } from "../../functions/handlers/writer.js";
import { MemoryEventStore, MemoryViewStore } from "../../functions/store/memory.js";

/**
 * The telemetry the functions write, read from what they print as Lambda would ship it to
 * CloudWatch: Powertools Logger lines and Metrics' embedded-metric-format lines on the
 * process's stdout and stderr. The names asserted here are the ones the dashboard reads
 * (telemetry.ts), so the two cannot drift apart.
 */

type Line = Record<string, unknown>;
let printed: string[] = [];

beforeEach(() => {
  printed = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Every JSON line printed since the test began. */
function lines(): Line[] {
  return printed
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Line);
}
const logLines = () => lines().filter((line) => "level" in line);
const metricLines = () => lines().filter((line) => "_aws" in line);

/** The metric definitions of an EMF line: namespace, dimension names and metric names. */
function definition(line: Line) {
  const [directive] = (
    line._aws as {
      CloudWatchMetrics: {
        Namespace: string;
        Dimensions: string[][];
        Metrics: { Name: string; Unit: string }[];
      }[];
    }
  ).CloudWatchMetrics;
  return directive as NonNullable<typeof directive>;
}
function metricLinesNamed(name: string): Line[] {
  return metricLines().filter((line) => definition(line).Metrics.some((m) => m.Name === name));
}

const REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
const context = {
  functionName: "SanctionsLedger-Writer",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:SanctionsLedger-Writer",
  memoryLimitInMB: "512",
  awsRequestId: "0b0c6a4e-1111-4222-8333-944455556666",
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

function request(
  method: "GET" | "POST",
  resource: string,
  body?: unknown,
  entityId = "ru-vtb-bank",
): APIGatewayProxyEvent {
  return {
    resource,
    path: resource.replace("{entityId}", entityId),
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: resource.includes("{entityId}") ? { entityId } : null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: REQUEST_ID, identity: {} },
  } as unknown as APIGatewayProxyEvent;
}

const register = (name: string) => ({
  type: "EntityRegistered",
  data: { name, kind: "organization" },
});

function ledger(): Services {
  return services({ events: new MemoryEventStore(), views: new MemoryViewStore() });
}
const writer = (svc: Services) =>
  apiHandler(
    writerHandler(() => svc),
    recordAppends,
  );

describe("the logs", () => {
  it("carry the Lambda context and the API Gateway request id on every line", async () => {
    const failing = apiHandler(
      readerHandler(() => {
        throw new Error("the table is gone");
      }),
    );
    const answer = await failing(request("GET", "/entities/{entityId}"), context);
    expect(answer.statusCode).toBe(500);
    const logged = logLines();
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).toMatchObject({
        correlation_id: REQUEST_ID,
        function_request_id: context.awsRequestId,
        function_name: context.functionName,
        function_arn: context.invokedFunctionArn,
        cold_start: expect.any(Boolean),
        service: expect.any(String),
        timestamp: expect.any(String),
      });
    }
  });

  it("a 500's body names the request as its instance, and so does the error's log line", async () => {
    const failing = apiHandler(
      readerHandler(() => {
        throw new Error("the table is gone");
      }),
    );
    const answer = await failing(request("GET", "/entities/{entityId}"), context);
    expect(answer.headers?.["content-type"]).toBe("application/problem+json");
    const body = JSON.parse(answer.body) as Line;
    expect(body).toMatchObject({ status: 500, instance: `urn:uuid:${REQUEST_ID}` });
    expect(JSON.stringify(body)).not.toContain("the table is gone");
    const [error] = logLines().filter((line) => line.level === "ERROR");
    expect(error).toMatchObject({
      correlation_id: REQUEST_ID,
      instance: `urn:uuid:${REQUEST_ID}`,
      error: expect.objectContaining({ message: "the table is gone" }),
    });
  });

  it("a 503 carries its instance too; a 4xx has none", async () => {
    const contended = {
      ledger: {
        append: async () => {
          throw new ContentionError("ru-vtb-bank");
        },
      },
    } as unknown as Services;
    const busy = await writer(contended)(
      request("POST", "/entities/{entityId}/events", register("VTB")),
      context,
    );
    expect(busy.statusCode).toBe(503);
    expect(JSON.parse(busy.body)).toMatchObject({ instance: `urn:uuid:${REQUEST_ID}` });
    expect(logLines().find((line) => line.level === "WARN")).toMatchObject({
      correlation_id: REQUEST_ID,
      instance: `urn:uuid:${REQUEST_ID}`,
    });

    const invalid = await writer(ledger())(
      request("POST", "/entities/{entityId}/events", { type: "EntityRegistered" }),
      context,
    );
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body)).not.toHaveProperty("instance");
  });

  it("a direct invocation (no API Gateway request) is named by the invocation id", async () => {
    const failing = apiHandler(
      auditHandler(() => {
        throw new Error("boom");
      }),
    );
    const event = { ...request("GET", "/search"), requestContext: undefined };
    const answer = await failing(event as unknown as APIGatewayProxyEvent, context);
    expect(JSON.parse(answer.body)).toMatchObject({
      instance: `urn:uuid:${context.awsRequestId}`,
    });
  });

  it("forget the request id once the invocation is over", async () => {
    const { logger } = await import("../../functions/handlers/http.js");
    await writer(ledger())(request("POST", "/entities/{entityId}/events", register("A")), context);
    logger.info("between invocations");
    const last = logLines().at(-1);
    expect(last?.message).toBe("between invocations");
    expect(last).not.toHaveProperty("correlation_id");
  });
});

describe("the metrics", () => {
  it("count each event appended by its type, in the ledger's namespace", async () => {
    const svc = ledger();
    const answer = await writer(svc)(
      request("POST", "/entities/{entityId}/events", register("VTB Bank")),
      context,
    );
    expect(answer.statusCode).toBe(201);
    const [line] = metricLinesNamed(METRIC.eventsAppended);
    expect(line).toBeDefined();
    expect(definition(line as Line)).toEqual({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [["service", DIMENSION.eventType]],
      Metrics: [{ Name: METRIC.eventsAppended, Unit: "Count" }],
    });
    expect(line).toMatchObject({
      [DIMENSION.eventType]: "EntityRegistered",
      [METRIC.eventsAppended]: 1,
      service: expect.any(String),
    });
  });

  it("count rejected appends by status, and do not count an idempotent replay", async () => {
    const svc = ledger();
    const post = (body: unknown) =>
      writer(svc)(request("POST", "/entities/{entityId}/events", body), context);
    await post({ ...register("VTB"), eventId: "reg-1" });
    printed = [];
    expect((await post({ ...register("VTB"), eventId: "reg-1" })).statusCode).toBe(200);
    expect((await post({ ...register("Other"), eventId: "reg-1" })).statusCode).toBe(409);
    expect((await post({ type: "Nonsense" })).statusCode).toBe(400);
    expect(metricLinesNamed(METRIC.eventsAppended)).toEqual([]);
    const rejected = metricLinesNamed(METRIC.appendsRejected);
    expect(definition(rejected[0] as Line).Dimensions).toEqual([["service", DIMENSION.status]]);
    expect(rejected.map((line) => [line[DIMENSION.status], line[METRIC.appendsRejected]])).toEqual([
      ["409", 1],
      ["400", 1],
    ]);
  });

  it("count a batch's items (the import rate), its appends by type and its rejections by status", async () => {
    const svc = ledger();
    const answer = await writer(svc)(
      request("POST", "/batches", {
        items: [
          { entityId: "a", ...register("A") },
          { entityId: "b", ...register("B") },
          { entityId: "c", type: "EntityRegistered" },
        ],
      }),
      context,
    );
    expect(answer.statusCode).toBe(200);
    expect(metricLinesNamed(METRIC.batchItems)).toEqual([
      expect.objectContaining({ [METRIC.batchItems]: 3 }),
    ]);
    expect(definition(metricLinesNamed(METRIC.batchItems)[0] as Line).Metrics).toContainEqual({
      Name: METRIC.batchItems,
      Unit: "Count",
    });
    expect(metricLinesNamed(METRIC.eventsAppended)).toEqual([
      expect.objectContaining({ eventType: "EntityRegistered", [METRIC.eventsAppended]: 2 }),
    ]);
    expect(metricLinesNamed(METRIC.appendsRejected)).toEqual([
      expect.objectContaining({ status: "400", [METRIC.appendsRejected]: 1 }),
    ]);
  });

  it("measure the projection lag from each event's recordedAt, in milliseconds", async () => {
    const record = (entityId: string, recordedAt: string, sequence: string): DynamoDBRecord => ({
      eventName: "INSERT",
      dynamodb: {
        Keys: { entityId: { S: entityId } },
        NewImage: { entityId: { S: entityId }, recordedAt: { S: recordedAt } },
        SequenceNumber: sequence,
      },
    });
    recordProjectionLag(
      [
        record("a", "2026-01-01T00:00:00.000Z", "1"),
        record("a", "2026-01-01T00:00:01.500Z", "2"),
        record("b", "2026-01-01T00:00:09.000Z", "3"), // a writer's clock ahead: no lag
      ],
      Date.parse("2026-01-01T00:00:05.000Z"),
    );
    const projector = eventHandler(async (_: unknown) => ({ batchItemFailures: [] }));
    await projector({}, context);
    const [line] = metricLinesNamed(METRIC.projectionLag);
    expect(definition(line as Line).Metrics).toEqual([
      { Name: METRIC.projectionLag, Unit: "Milliseconds" },
    ]);
    expect(line?.[METRIC.projectionLag]).toEqual([5000, 3500, 0]);
  });

  it("the stream projector reports the lag of the entities it brought up to date", async () => {
    const svc = ledger();
    const appended = await writer(svc)(
      request("POST", "/entities/{entityId}/events", register("VTB"), "ru-vtb"),
      context,
    );
    const { recordedAt } = JSON.parse(appended.body) as { recordedAt: string };
    printed = [];
    const stream: DynamoDBStreamEvent = {
      Records: [
        {
          eventName: "INSERT",
          dynamodb: {
            Keys: { entityId: { S: "ru-vtb" } },
            NewImage: { entityId: { S: "ru-vtb" }, recordedAt: { S: recordedAt } },
            SequenceNumber: "100",
          },
        },
      ],
    };
    const seen: (readonly DynamoDBRecord[])[] = [];
    const result = await eventHandler(
      projectorHandler(
        () => svc,
        (records) => {
          seen.push(records);
          recordProjectionLag(records);
        },
      ),
    )(stream, context);
    expect(result.batchItemFailures).toEqual([]);
    expect(seen).toEqual([stream.Records]);
    const [line] = metricLinesNamed(METRIC.projectionLag);
    expect(line?.[METRIC.projectionLag]).toEqual(expect.any(Number));
    expect(line?.[METRIC.projectionLag] as number).toBeGreaterThanOrEqual(0);
  });
});

describe("the tracer", () => {
  it("is not loaded outside Lambda, and leaves the DynamoDB client as it is", () => {
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
    expect(tracer).toBeUndefined();
    const client = { send: async () => ({}) };
    expect(traced(client)).toBe(client);
  });
});
