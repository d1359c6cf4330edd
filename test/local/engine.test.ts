import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import { type Engine, startEngine } from "../../local/engine.js";

/**
 * The embedded engine serves no one but the ledger's own clients: a request from a web page
 * (it carries an `Origin`) or without the engine's secret is refused, with no CORS headers.
 */

let engine: Engine;
const key = { [EVENTS_TABLE.partitionKey]: "engine-guard", [EVENTS_TABLE.sortKey]: 1 };

beforeAll(async () => {
  engine = await startEngine({ tablePrefix: "engine-guard" });
  await engine.doc.send(
    new PutCommand({ TableName: engine.tables.events, Item: { ...key, eventId: "kept" } }),
  );
});
afterAll(async () => {
  await engine.close();
});

/** A DeleteItem on the events table, as a page could build it with fetch. */
const deleteItem = (headers: Record<string, string>) =>
  fetch(engine.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.DeleteItem",
      "x-amz-date": "20000101T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      ...headers,
    },
    body: JSON.stringify({
      TableName: engine.tables.events,
      Key: {
        [EVENTS_TABLE.partitionKey]: { S: "engine-guard" },
        [EVENTS_TABLE.sortKey]: { N: "1" },
      },
    }),
  });

async function stillThere(): Promise<boolean> {
  const { Item } = await engine.doc.send(
    new GetCommand({ TableName: engine.tables.events, Key: key, ConsistentRead: true }),
  );
  return Item?.eventId === "kept";
}

describe("the embedded engine", () => {
  it("listens on loopback only", () => {
    expect(new URL(engine.endpoint).hostname).toBe("127.0.0.1");
  });

  it("serves the ledger's own clients", async () => {
    const { TableNames } = await engine.client.send(new ListTablesCommand({}));
    expect(TableNames).toContain(engine.tables.events);
  });

  it("refuses a cross-origin DeleteItem, with no CORS permission", async () => {
    const res = await deleteItem({ origin: "http://evil.example" });
    expect(res.ok).toBe(false);
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(await stillThere()).toBe(true);
  });

  it("refuses a CORS preflight", async () => {
    const res = await fetch(engine.endpoint, {
      method: "OPTIONS",
      headers: {
        origin: "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,x-amz-date,x-amz-target",
      },
    });
    expect(res.ok).toBe(false);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-headers")).toBeNull();
    expect(res.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("refuses a request without its secret, or with a wrong one", async () => {
    const attempts: Record<string, string>[] = [{}, { "x-ledger-engine-token": "guess" }];
    for (const headers of attempts) {
      const res = await deleteItem(headers);
      expect(res.status).toBe(403);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(await stillThere()).toBe(true);
  });

  it("refuses even a plain GET from a page", async () => {
    const res = await fetch(engine.endpoint, { headers: { origin: "http://evil.example" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
