import { createServer, type Server } from "node:http";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import { listen } from "../../local/server.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

/**
 * What a page on another origin can do to the local runtime in a real browser (Chromium):
 * nothing. Chromium resolves every `*.localhost` name to the loopback address, so a page of
 * `http://evil.localhost:PORT` is a foreign origin on this machine, and a page of
 * `http://rebind.localhost:LEDGER_PORT` is what DNS rebinding would give an attacker.
 */

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH names another binary. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let api: RunningLedger;
let evil: Server;
let evilUrl: string;
let browser: Browser;
let page: Page;
const key = { [EVENTS_TABLE.partitionKey]: "browser-kept", [EVENTS_TABLE.sortKey]: 1 };

beforeAll(async () => {
  api = await startLedger();
  await api.engine.doc.send(
    new PutCommand({ TableName: api.engine.tables.events, Item: { ...key, eventId: "kept" } }),
  );
  evil = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><title>elsewhere</title>");
  });
  evilUrl = (await listen(evil, 0)).replace("127.0.0.1", "evil.localhost");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  page = await browser.newPage();
  await page.goto(evilUrl);
});
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => {
    evil?.close(() => resolve());
    evil?.closeAllConnections();
  });
  await api?.close();
});

/** Runs a fetch in the page; answers its status, `opaque`, or the error it threw. */
function fromPage(url: string, init: RequestInit): Promise<number | "opaque" | "failed"> {
  return page.evaluate(
    async ([url, init]) => {
      try {
        const res = await fetch(url, init);
        return res.type === "opaque" ? "opaque" : res.status;
      } catch {
        return "failed";
      }
    },
    [url, init] as const,
  );
}

const registration = (name: string) =>
  JSON.stringify({ type: "EntityRegistered", data: { name, kind: "organization" } });

async function written(entityId: string): Promise<boolean> {
  return (await api.get(`/entities/${entityId}/events`)).status === 200;
}

async function kept(): Promise<boolean> {
  const { Item } = await api.engine.doc.send(
    new GetCommand({ TableName: api.engine.tables.events, Key: key, ConsistentRead: true }),
  );
  return Item?.eventId === "kept";
}

const deleteItem = JSON.stringify({
  TableName: "TABLE",
  Key: {
    [EVENTS_TABLE.partitionKey]: { S: "browser-kept" },
    [EVENTS_TABLE.sortKey]: { N: "1" },
  },
});

describe("a page on another origin", () => {
  it("cannot append with a simple text/plain POST, which needs no preflight", async () => {
    const answer = await fromPage(`${api.url}/entities/browser-a/events`, {
      method: "POST",
      mode: "no-cors",
      headers: { "content-type": "text/plain" },
      body: registration("A"),
    });
    expect(answer).toBe("opaque");
    expect(await written("browser-a")).toBe(false);
  });

  it("cannot append with a JSON POST: the preflight is refused", async () => {
    const answer = await fromPage(`${api.url}/entities/browser-b/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: registration("B"),
    });
    expect(answer).toBe("failed");
    expect(await written("browser-b")).toBe(false);
  });

  it("cannot read the ledger", async () => {
    expect(await fromPage(`${api.url}/sanctions`, {})).toBe("failed");
  });

  it("cannot call the embedded engine, with or without a preflight", async () => {
    const body = deleteItem.replace("TABLE", api.engine.tables.events);
    const headers = {
      "x-amz-target": "DynamoDB_20120810.DeleteItem",
      authorization:
        "AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      "x-amz-date": "20000101T000000Z",
    };
    const preflighted = await fromPage(api.engine.endpoint, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-amz-json-1.0" },
      body,
    });
    expect(preflighted).toBe("failed");
    const simple = await fromPage(api.engine.endpoint, {
      method: "POST",
      mode: "no-cors",
      headers: { "content-type": "text/plain" },
      body,
    });
    expect(simple).toBe("opaque");
    expect(await kept()).toBe(true);
  });
});

describe("a page of a rebound name (DNS rebinding)", () => {
  it("is refused, and so are its same-origin requests", async () => {
    const rebound = api.url.replace("127.0.0.1", "rebind.localhost");
    const rebind = await browser.newPage();
    const answer = await rebind.goto(`${rebound}/sanctions`);
    expect(answer?.status()).toBe(403);
    const status = await rebind.evaluate(async (url) => {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          type: "EntityRegistered",
          data: { name: "C", kind: "organization" },
        }),
      });
      return res.status;
    }, `${rebound}/entities/browser-c/events`);
    expect(status).toBe(403);
    expect(await written("browser-c")).toBe(false);
    await rebind.close();
  });
});
