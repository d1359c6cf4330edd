import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalServer, listen } from "../../local/server.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";
import { type RawAnswer, raw } from "./support.js";

/**
 * The local runtime refuses what a web page elsewhere could send it: a POST that is not
 * JSON (415), a foreign Origin or a Host that is not its own (403), with nothing written.
 */

let api: RunningLedger;
let port: string;
beforeAll(async () => {
  api = await startLedger();
  port = new URL(api.url).port;
});
afterAll(async () => {
  await api.close();
});

const registration = (name: string) =>
  JSON.stringify({ type: "EntityRegistered", data: { name, kind: "organization" } });

let ids = 0;
const fresh = () => `guard-entity-${++ids}`;

/** Whether the events table holds anything for this entity. */
async function written(entityId: string): Promise<boolean> {
  const answer = await api.get(`/entities/${entityId}/events`);
  expect([200, 404]).toContain(answer.status);
  return answer.status === 200;
}

const append = (entityId: string, headers: Record<string, string>) =>
  raw(api.url, {
    method: "POST",
    path: `/entities/${entityId}/events`,
    headers,
    body: registration(entityId),
  });

function expectProblem(answer: RawAnswer, status: number, pointer: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toBe("application/problem+json");
  expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  expect(answer.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
  });
  expect(answer.body.errors).toEqual([{ path: pointer, message: expect.any(String) }]);
}

describe("a POST that is not JSON", () => {
  it.each([
    ["text/plain"],
    ["text/plain;charset=UTF-8"],
    ["application/x-www-form-urlencoded"],
    ["multipart/form-data; boundary=x"],
    ["application/json-patch+json"],
    ["application/jsonx"],
    ["application/json; charset=utf-16"],
  ])("answers 415 to %s and writes nothing", async (type) => {
    const entityId = fresh();
    const answer = await append(entityId, { "content-type": type });
    expectProblem(answer, 415, "/headers/content-type");
    expect(answer.headers["accept-post"]).toBe("application/json");
    expect(answer.body.detail).toContain(type);
    expect(await written(entityId)).toBe(false);
  });

  it("answers 415 to a POST without a Content-Type", async () => {
    const entityId = fresh();
    expectProblem(await append(entityId, {}), 415, "/headers/content-type");
    expect(await written(entityId)).toBe(false);
  });

  it("answers 415 on the batch route too", async () => {
    const entityId = fresh();
    const answer = await raw(api.url, {
      method: "POST",
      path: "/batches",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({
        items: [{ entityId, type: "EntityRegistered", data: { name: "A", kind: "organization" } }],
      }),
    });
    expectProblem(answer, 415, "/headers/content-type");
    expect(await written(entityId)).toBe(false);
  });

  it.each([
    ["application/json"],
    ["application/json; charset=utf-8"],
    ["Application/JSON;Charset=UTF-8"],
    ['application/json; charset="utf-8"'],
    ["application/json; charset=utf8; profile=x"],
  ])("accepts %s", async (type) => {
    const entityId = fresh();
    expect((await append(entityId, { "content-type": type })).status).toBe(201);
    expect(await written(entityId)).toBe(true);
  });

  it("asks nothing of a GET", async () => {
    expect((await raw(api.url, { path: "/sanctions" })).status).toBe(200);
  });
});

describe("a request from another origin", () => {
  it.each([
    ["http://evil.example"],
    ["null"],
    ["https://127.0.0.1:PORT"],
    ["http://127.0.0.1:1"],
    ["http://localhost"],
    ["http://evil.example:PORT"],
    ["http://127.0.0.1.evil.example:PORT"],
    ["http://127.0.0.1:PORT/"],
  ])("answers 403 to Origin %s and writes nothing", async (template) => {
    const origin = template.replace("PORT", port);
    const entityId = fresh();
    const answer = await append(entityId, { "content-type": "application/json", origin });
    expectProblem(answer, 403, "/headers/origin");
    expect(await written(entityId)).toBe(false);
    const read = await raw(api.url, { path: "/sanctions", headers: { origin } });
    expectProblem(read, 403, "/headers/origin");
  });

  it("refuses a cross-site text/plain POST, which a browser sends without a preflight", async () => {
    const entityId = fresh();
    const answer = await append(entityId, {
      "content-type": "text/plain",
      origin: "http://evil.example",
    });
    expect(answer.status).toBe(403);
    expect(await written(entityId)).toBe(false);
  });

  it("answers a preflight with no CORS permission", async () => {
    const answer = await raw(api.url, {
      method: "OPTIONS",
      path: "/batches",
      headers: {
        origin: "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(answer.status).toBe(403);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it.each([["http://127.0.0.1:PORT"], ["http://localhost:PORT"], ["http://[::1]:PORT"]])(
    "accepts its own origin %s",
    async (template) => {
      const origin = template.replace("PORT", port);
      const entityId = fresh();
      const answer = await append(entityId, { "content-type": "application/json", origin });
      expect(answer.status).toBe(201);
      expect(await written(entityId)).toBe(true);
    },
  );
});

describe("a request for another host (DNS rebinding)", () => {
  it.each([
    ["evil.example:PORT"],
    ["evil.example"],
    ["127.0.0.1.evil.example:PORT"],
    ["localhost.:PORT"],
    ["evil@127.0.0.1:PORT"],
    ["127.0.0.1/x:PORT"],
    ["10.0.0.1:PORT"],
  ])("answers 403 to Host %s and writes nothing", async (template) => {
    const host = template.replace("PORT", port);
    const entityId = fresh();
    const answer = await append(entityId, { "content-type": "application/json", host });
    expectProblem(answer, 403, "/headers/host");
    expect(await written(entityId)).toBe(false);
    expectProblem(
      await raw(api.url, { path: "/sanctions", headers: { host } }),
      403,
      "/headers/host",
    );
  });

  it.each([
    ["127.0.0.1:PORT"],
    ["localhost:PORT"],
    ["LOCALHOST:PORT"],
    ["[::1]:PORT"],
    ["localhost"],
  ])("answers to its own name %s", async (template) => {
    const host = template.replace("PORT", port);
    expect((await raw(api.url, { path: "/sanctions", headers: { host } })).status).toBe(200);
  });
});

describe("allowed host names", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createLocalServer(api.fns, { allowedHosts: ["ledger.test"] });
    url = await listen(server, 0);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it("answers to a name the operator allowed, as Host and as Origin", async () => {
    const own = `ledger.test:${new URL(url).port}`;
    const entityId = fresh();
    const answer = await raw(url, {
      method: "POST",
      path: `/entities/${entityId}/events`,
      headers: { host: own, origin: `http://${own}`, "content-type": "application/json" },
      body: registration(entityId),
    });
    expect(answer.status).toBe(201);
    expect((await raw(url, { path: "/sanctions", headers: { host: own } })).status).toBe(200);
  });

  it("still refuses every other name", async () => {
    const answer = await raw(url, {
      path: "/sanctions",
      headers: { host: `other.test:${new URL(url).port}` },
    });
    expect(answer.status).toBe(403);
  });
});

describe("an IPv6 loopback listener", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createLocalServer(api.fns);
    url = await listen(server, 0, "::1");
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it("answers to its loopback names and origin, and refuses others", async () => {
    const { port: own } = new URL(url);
    expect(url).toBe(`http://[::1]:${own}`);
    expect((await raw(url, { path: "/sanctions" })).status).toBe(200);
    const origin = `http://localhost:${own}`;
    expect((await raw(url, { path: "/sanctions", headers: { origin } })).status).toBe(200);
    const host = `evil.example:${own}`;
    expect((await raw(url, { path: "/sanctions", headers: { host } })).status).toBe(403);
  });
});
