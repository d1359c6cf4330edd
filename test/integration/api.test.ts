import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
beforeAll(async () => {
  api = await startLedger(undefined, { proofs: true });
});
afterAll(async () => {
  await api.close();
});

const register = (entityId: string, extra: Record<string, unknown> = {}) =>
  api.post(`/entities/${entityId}/events`, {
    type: "EntityRegistered",
    data: { name: "VTB Bank", kind: "organization", aliases: ["VTB Bank PJSC"], country: "RU" },
    ...extra,
  });

const freeze = {
  sanctionId: "jp-asset-freeze",
  authority: "JP",
  program: "JP-RUSSIA-2022",
  measures: ["asset-freeze"],
  announcedOn: "2022-03-03",
  effectiveFrom: "2022-04-02",
};

async function eventCount(entityId: string): Promise<number> {
  const res = await api.get(`/entities/${entityId}/events?limit=1000`);
  return res.status === 404 ? 0 : res.body.events.length;
}

describe("append", () => {
  it("answers 201 with the event's coordinates and its hash", async () => {
    const res = await register("ru-vtb-bank-a");
    expect(res.status).toBe(201);
    expect(res.type).toBe("application/json");
    expect(res.body).toEqual({
      entityId: "ru-vtb-bank-a",
      version: 1,
      eventId: expect.any(String),
      type: "EntityRegistered",
      recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("replays an idempotent retry with 200 and the original answer, writing nothing", async () => {
    const first = await register("ru-vtb-bank-b", { eventId: "reg-1" });
    const again = await register("ru-vtb-bank-b", { eventId: "reg-1" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await eventCount("ru-vtb-bank-b")).toBe(1);
  });

  it("refuses the same eventId with other content: 409, nothing written", async () => {
    await register("ru-vtb-bank-c", { eventId: "reg-1" });
    const res = await api.post("/entities/ru-vtb-bank-c/events", {
      type: "EntityRegistered",
      eventId: "reg-1",
      data: { name: "Other", kind: "organization" },
    });
    expect(res.status).toBe(409);
    expect(res.type).toBe("application/problem+json");
    expect(res.body.errors[0].path).toBe("/eventId");
    expect(await eventCount("ru-vtb-bank-c")).toBe(1);
  });

  it("answers a version conflict with 409 and currentVersion", async () => {
    await register("ru-vtb-bank-d");
    const res = await api.post("/entities/ru-vtb-bank-d/events", {
      type: "SanctionImposed",
      expectedVersion: 3,
      data: freeze,
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, currentVersion: 1 });
    const zero = await register("ru-vtb-bank-d", { expectedVersion: 0 });
    expect(zero.status).toBe(409);
    expect(zero.body.currentVersion).toBe(1);
  });

  it("answers 404 for a sanction on an unknown entity", async () => {
    const res = await api.post("/entities/nobody/events", {
      type: "SanctionImposed",
      data: freeze,
    });
    expect(res.status).toBe(404);
    expect(res.type).toBe("application/problem+json");
  });

  it("answers 422 for a broken rule, naming the field", async () => {
    await register("ru-vtb-bank-e");
    const res = await api.post("/entities/ru-vtb-bank-e/events", {
      type: "SanctionImposed",
      data: { ...freeze, announcedOn: "2022-04-03" },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: "/data/announcedOn", message: expect.any(String) }]);
    expect(await eventCount("ru-vtb-bank-e")).toBe(1);
  });

  it.each([
    ["broken JSON", "{not json", ""],
    ["an empty body", "", ""],
    ["an unknown type", { type: "SanctionRevoked", data: {} }, "/type"],
    [
      "an invalid calendar date",
      { type: "SanctionImposed", data: { ...freeze, effectiveFrom: "2022-02-30" } },
      "/data/effectiveFrom",
    ],
    [
      "a malformed date",
      { type: "SanctionImposed", data: { ...freeze, announcedOn: "03/03/2022" } },
      "/data/announcedOn",
    ],
    [
      "an unknown field",
      { type: "SanctionImposed", data: { ...freeze, effectiveUntill: "2023-01-01" } },
      "/data/effectiveUntill",
    ],
    [
      "an unknown envelope field",
      { type: "SanctionImposed", data: freeze, recordedAt: "2022-01-01T00:00:00.000Z" },
      "/recordedAt",
    ],
    [
      "an unknown measure",
      { type: "SanctionImposed", data: { ...freeze, measures: ["embargo"] } },
      "/data/measures/0",
    ],
    [
      "a missing field",
      { type: "SanctionImposed", data: { ...freeze, authority: undefined } },
      "/data/authority",
    ],
    [
      "a bad authority",
      { type: "SanctionImposed", data: { ...freeze, authority: "jp" } },
      "/data/authority",
    ],
    [
      "a wrong type",
      { type: "EventRetracted", data: { version: "2", reason: "x" } },
      "/data/version",
    ],
    ["a non-object body", [1, 2, 3], ""],
    ["an empty array as the body", [], ""],
    [
      "an empty array where an object is expected",
      { type: "SanctionImposed", data: { ...freeze, scope: [] } },
      "/data/scope",
    ],
    ["an array as the data", { type: "EntityAmended", data: [] }, "/data"],
  ])(
    "answers 400 problem+json for %s, naming the field, writing nothing",
    async (_, body, path) => {
      await register("ru-vtb-bank-f", { eventId: "reg" });
      const res = await api.post("/entities/ru-vtb-bank-f/events", body);
      expect(res.status).toBe(400);
      expect(res.type).toBe("application/problem+json");
      expect(res.body).toMatchObject({
        status: 400,
        title: expect.any(String),
        detail: expect.any(String),
      });
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await eventCount("ru-vtb-bank-f")).toBe(1);
    },
  );

  it("names every unknown field, at any depth", async () => {
    const res = await api.post("/entities/ru-vtb-bank-h/events", {
      type: "SanctionImposed",
      data: { ...freeze, scope: { goods: ["x"], sort: 1, kind: 2 }, effectiveUntill: "x" },
      recordedAt: "2022-01-01T00:00:00.000Z",
      actor: "me",
    });
    expect(res.status).toBe(400);
    const unknown = res.body.errors
      .filter((e: { message: string }) => e.message === "unknown field")
      .map((e: { path: string }) => e.path);
    expect(unknown).toEqual(["/recordedAt", "/actor"]);
    const deeper = await api.post("/entities/ru-vtb-bank-h/events", {
      type: "SanctionImposed",
      data: { ...freeze, scope: { goods: ["x"], sort: 1, kind: 2 }, effectiveUntill: "x" },
    });
    expect(deeper.status).toBe(400);
    expect(deeper.body.errors.map((e: { path: string }) => e.path)).toEqual([
      "/data/scope/sort",
      "/data/scope/kind",
      "/data/effectiveUntill",
    ]);
  });

  it.each([
    [
      "a URL without //",
      { source: { title: "T", url: "https:example.com" } },
      { path: "/source/url", message: "must be an http or https URL" },
    ],
    [
      "a URL with a blank before it",
      { source: { title: "T", url: " https://example.com" } },
      { path: "/source/url", message: "must be an http or https URL" },
    ],
    [
      "1,001 aliases, one of them no string",
      { data: { name: "X", kind: "organization", aliases: [...Array(1000).fill("A"), null] } },
      { path: "/data/aliases", message: "must have at most 1000 items" },
    ],
    [
      "an unknown kind",
      { data: { name: "X", kind: "bank" } },
      {
        path: "/data/kind",
        message:
          'must be one of "organization", "person", "vessel", "aircraft", "country", "list", "other"',
      },
    ],
    [
      "an expectedVersion past 2^53",
      { expectedVersion: 2 ** 53 },
      { path: "/expectedVersion", message: "must be at most 9007199254740991" },
    ],
  ])("answers %s with one error that says what is wrong", async (_, change, error) => {
    const res = await api.post("/entities/ru-vtb-bank-i/events", {
      type: "EntityRegistered",
      data: { name: "X", kind: "organization" },
      ...change,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([error]);
  });

  it("names at most 100 fields at fault, and counts the rest in the detail", async () => {
    const res = await api.post("/entities/ru-vtb-bank-g/events", {
      type: "EntityRegistered",
      data: {
        name: "VTB Bank",
        kind: "organization",
        aliases: Array.from({ length: 500 }, () => 0),
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(100);
    expect(res.body.errors[0]).toEqual({
      path: "/data/aliases/0",
      message: "must be of type string, not a number",
    });
    expect(res.body.detail).toBe(
      "The request is invalid: /data/aliases/0 must be of type string, not a number (and 499 more).",
    );
    expect(await eventCount("ru-vtb-bank-g")).toBe(0);
  });

  it("answers 400 for a malformed entity id", async () => {
    const res = await api.post("/entities/Bad%20Id/events", {
      type: "EntityRegistered",
      data: { name: "x", kind: "other" },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("/entityId");
  });

  it("answers 413 for a body over the limit", async () => {
    const res = await api.post("/entities/big/events", {
      type: "EntityRegistered",
      data: { name: "x".repeat(300 * 1024), kind: "other" },
    });
    expect(res.status).toBe(413);
    expect(res.type).toBe("application/problem+json");
  });
});

describe("reads", () => {
  it("answers 400 for malformed query parameters and unknown ones", async () => {
    await register("ru-vtb-bank-g");
    for (const [query, path] of [
      ["asOf=2022-13-01", "/asOf"],
      ["knownAt=yesterday", "/knownAt"],
      ["asof=2022-04-01", "/asof"],
    ] as const) {
      const res = await api.get(`/entities/ru-vtb-bank-g?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.errors[0].path).toBe(path);
    }
    const events = await api.get("/entities/ru-vtb-bank-g/events?limit=0");
    expect(events.status).toBe(400);
    expect(events.body.errors[0].path).toBe("/limit");
    const token = await api.get("/entities/ru-vtb-bank-g/events?nextToken=garbage");
    expect(token.status).toBe(400);
  });

  it("answers 404 on every entity route for an unknown entity", async () => {
    for (const path of ["", "/events", "/timeline", "/verify"]) {
      const res = await api.get(`/entities/never-seen${path}`);
      expect(res.status, path).toBe(404);
      expect(res.type).toBe("application/problem+json");
    }
  });

  it("answers 404 for an unknown route", async () => {
    const res = await api.get("/nowhere");
    expect(res.status).toBe(404);
    expect(res.type).toBe("application/problem+json");
  });

  it("pages through the stream with limit and nextToken", async () => {
    await register("ru-vtb-bank-h");
    for (let i = 0; i < 4; i++) {
      await api.post("/entities/ru-vtb-bank-h/events", {
        type: "EntityAmended",
        data: { aliases: { add: [`alias ${i}`] } },
      });
    }
    const versions: number[] = [];
    let token: string | undefined;
    do {
      const res = await api.get(
        `/entities/ru-vtb-bank-h/events?limit=2${token ? `&nextToken=${token}` : ""}`,
      );
      expect(res.status).toBe(200);
      versions.push(...res.body.events.map((e: { version: number }) => e.version));
      token = res.body.nextToken;
    } while (token);
    expect(versions).toEqual([1, 2, 3, 4, 5]);
    const from = await api.get("/entities/ru-vtb-bank-h/events?fromVersion=4");
    expect(from.body.events.map((e: { version: number }) => e.version)).toEqual([4, 5]);
    expect(from.body.nextToken).toBeUndefined();
  });

  it("shows each stored event with all its fields", async () => {
    await register("ru-vtb-bank-i", { source: { title: "Gazette", publishedOn: "2022-03-03" } });
    const res = await api.get("/entities/ru-vtb-bank-i/events");
    expect(res.body.events[0]).toEqual({
      entityId: "ru-vtb-bank-i",
      version: 1,
      eventId: expect.any(String),
      type: "EntityRegistered",
      data: { name: "VTB Bank", kind: "organization", aliases: ["VTB Bank PJSC"], country: "RU" },
      source: { title: "Gazette", publishedOn: "2022-03-03" },
      recordedAt: expect.any(String),
      actor: "local",
      prevHash: "0".repeat(64),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      // Its leaf in the ledger-wide Merkle log: sequenced before the append answered.
      leafIndex: expect.any(Number),
    });
  });
});
