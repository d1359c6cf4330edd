import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * The tracer as Lambda loads it: with Lambda's environment, `observability.ts` loads the
 * Powertools Tracer and every DynamoDB call becomes an X-Ray subsegment (the middleware
 * that the tests of `telemetry.test.ts`, outside Lambda, must not find).
 */
beforeAll(() => {
  vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "SanctionsLedger-Writer");
  vi.stubEnv("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs24.x");
  vi.stubEnv("LAMBDA_TASK_ROOT", process.cwd());
  vi.stubEnv("AWS_XRAY_CONTEXT_MISSING", "IGNORE_ERROR");
  vi.resetModules();
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const middlewareNames = (client: DynamoDBDocumentClient) =>
  client.middlewareStack.identify().map((entry) => entry.split(" ")[0]);

describe("in Lambda", () => {
  it("the DynamoDB document client is captured: each call is an X-Ray subsegment", async () => {
    const { traced, tracer } = await import("../../functions/handlers/observability.js");
    expect(tracer?.isTracingEnabled()).toBe(true);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
    const before = middlewareNames(client);
    expect(before.some((name) => /xray/i.test(name ?? ""))).toBe(false);
    expect(traced(client)).toBe(client);
    expect(middlewareNames(client).some((name) => /xray/i.test(name ?? ""))).toBe(true);
  });

  it("is off where POWERTOOLS_TRACE_ENABLED=false: not even loaded", async () => {
    vi.stubEnv("POWERTOOLS_TRACE_ENABLED", "false");
    vi.resetModules();
    const { traced, tracer } = await import("../../functions/handlers/observability.js");
    expect(tracer).toBeUndefined();
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
    traced(client);
    expect(middlewareNames(client).some((name) => /xray/i.test(name ?? ""))).toBe(false);
  });
});
