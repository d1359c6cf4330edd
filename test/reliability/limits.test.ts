/**
 * Size limits through the local HTTP runtime over a real dynalite server: the request body
 * limit, events close to it, streams longer than one DynamoDB query page, and input beyond
 * the schemas' bounds. DynamoDB's own limits apply to everything the ledger stores: an item
 * holds at most 400 KB, a sort key at most 1024 bytes of UTF-8, a Query page at most 1 MB.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prng } from "../../bench/history.js";
import { forcePartition, shardOf } from "../../functions/domain/rows.js";
import { MAX_BODY_BYTES } from "../../functions/handlers/http.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";
import { expectProjected } from "../support/projection.js";

let api: RunningLedger;
let events: DynamoEventStore;
let views: DynamoViewStore;
beforeAll(async () => {
  api = await startLedger();
  events = new DynamoEventStore(api.engine.doc, api.engine.tables.events);
  views = new DynamoViewStore(api.engine.doc, api.engine.tables.views);
});
afterAll(async () => {
  await api.close();
});

/** DynamoDB's limits, which the local engine enforces only in part. */
const MAX_ITEM_BYTES = 400 * 1024;
const MAX_SORT_KEY_BYTES = 1024;

/**
 * `count` distinct one-word strings of `length` random letters (barely compressible): lower
 * case Latin, or CJK ideographs (three bytes each in UTF-8).
 */
function randomWords(seed: number, count: number, length: number, cjk = false): string[] {
  // Seeded, so that large payloads are the same on every run.
  const next = prng(seed);
  const letter = () =>
    cjk
      ? String.fromCharCode(0x4e00 + Math.floor(next() * 20_000))
      : String.fromCharCode(97 + Math.floor(next() * 26));
  return Array.from({ length: count }, () => Array.from({ length }, letter).join(""));
}

const bytes = (value: unknown) =>
  Buffer.byteLength(typeof value === "string" ? value : JSON.stringify(value), "utf8");

async function versionOf(entityId: string): Promise<number> {
  const res = await api.get(`/entities/${entityId}/events?limit=1000`);
  return res.status === 404 ? 0 : res.body.events.length;
}

/** Every event of the stream, page by page through the API. */
async function allEvents(entityId: string, limit = 100) {
  const out: { version: number; type: string; hash: string }[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const res = await api.get(
      `/entities/${entityId}/events?limit=${limit}${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`,
    );
    expect(res.status).toBe(200);
    out.push(...res.body.events);
    token = res.body.nextToken;
    pages++;
  } while (token && pages < 100);
  return { events: out, pages };
}

/** The stored views equal those of a clean projection of the stream. */
const expectViewAtHead = (entityId: string) => expectProjected(events, views, entityId);

async function rawPost(path: string, body: string | Buffer) {
  const res = await fetch(api.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), body: JSON.parse(text) };
}

const register = (name: string, extra: Record<string, unknown> = {}) => ({
  type: "EntityRegistered",
  data: { name, kind: "organization", ...extra },
});

describe("(a) the request body limit", () => {
  it("accepts a body of exactly MAX_BODY_BYTES bytes", async () => {
    const json = JSON.stringify(register("Exactly At The Limit"));
    const body = json + " ".repeat(MAX_BODY_BYTES - bytes(json));
    expect(bytes(body)).toBe(MAX_BODY_BYTES);
    const res = await rawPost("/entities/limit-exact/events", body);
    expect(res.status).toBe(201);
    expect(await versionOf("limit-exact")).toBe(1);
  });

  it("refuses one byte more with 413 problem+json, and writes nothing", async () => {
    const json = JSON.stringify(register("Just Over The Limit"));
    const body = json + " ".repeat(MAX_BODY_BYTES + 1 - bytes(json));
    const res = await rawPost("/entities/limit-over/events", body);
    expect(res.status).toBe(413);
    expect(res.type).toBe("application/problem+json");
    expect(res.body).toMatchObject({ status: 413, title: expect.any(String) });
    expect((await api.get("/entities/limit-over")).status).toBe(404);
  });

  it("counts bytes, not characters: a multi-byte body under the limit in characters is a 413", async () => {
    // 100,000 three-byte characters: 300,000 bytes, well under the limit in UTF-16 units.
    const res = await rawPost(
      "/entities/limit-multibyte/events",
      JSON.stringify(register("Multi", { aliases: ["漢".repeat(100_000)] })),
    );
    expect(res.status).toBe(413);
    expect((await api.get("/entities/limit-multibyte")).status).toBe(404);
  });

  it("a batch over the limit is a 413 for the whole batch: none of its items is written", async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({
      entityId: `limit-batch-${i}`,
      ...register(`Batch ${i}`, { aliases: ["x".repeat(2700)] }),
    }));
    const body = JSON.stringify({ items });
    expect(bytes(body)).toBeGreaterThan(MAX_BODY_BYTES);
    const res = await rawPost("/batches", body);
    expect(res.status).toBe(413);
    expect(res.type).toBe("application/problem+json");
    for (const i of [0, 50, 99]) {
      expect((await api.get(`/entities/limit-batch-${i}`)).status).toBe(404);
    }
  });

  it("a 5 MB body is a 413, nothing written", async () => {
    const body = JSON.stringify(register("Five", { aliases: ["y".repeat(5 * 1024 * 1024)] }));
    const res = await rawPost("/entities/limit-5mb/events", body);
    expect(res.status).toBe(413);
    expect((await api.get("/entities/limit-5mb")).status).toBe(404);
  });

  it("a 12 MB body is a 413, and the server goes on answering on every connection", async () => {
    const res = await rawPost("/entities/limit-12mb/events", Buffer.alloc(12 * 1024 * 1024, 0x20));
    expect(res.status).toBe(413);
    // The server stops reading past 10 MB and closes the connection: it must not invite the
    // client to reuse it (`connection: keep-alive`), or the client's next request on it fails.
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        const r =
          i % 2 === 0
            ? await api.get("/entities/limit-12mb")
            : await api.post(`/entities/limit-after-12mb-${i}/events`, register("Still Up"));
        outcomes.push(r.status);
      } catch (error) {
        outcomes.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
      }
    }
    expect(outcomes).toEqual([404, 201, 404, 201]);
  }, 30_000);
});

describe("(b) events close to the body limit, on one entity", () => {
  // Four appends of ~230 KB each: a registration with the most aliases an entity may have
  // (256), each one word of 300 random CJK ideographs, an amendment that removes them all,
  // one that adds 256 others, one that removes all of those but one. Each event alone fits
  // every limit (the body limit, a 400 KB event item); the entity's state keeps every
  // event's data (~1 MB of barely compressible text).
  const entityId = "limits-big-aliases";
  const [a, b] = [1, 2].map((seed) => randomWords(seed, 256, 300, true)) as [string[], string[]];
  const bodies = [
    register("Big Alias Holding", { aliases: a }),
    { type: "EntityAmended", data: { aliases: { remove: a } } },
    { type: "EntityAmended", data: { aliases: { add: b } } },
    { type: "EntityAmended", data: { aliases: { remove: b.slice(0, 255) } } },
  ].map((body, i) => ({ ...body, eventId: `big-${i + 1}` }));
  const statuses: number[] = [];

  beforeAll(async () => {
    for (const body of bodies) {
      expect(bytes(body)).toBeGreaterThan(225_000);
      expect(bytes(body)).toBeLessThan(MAX_BODY_BYTES);
      statuses.push((await api.post(`/entities/${entityId}/events`, body)).status);
    }
  }, 120_000);

  it("every append answers 201", () => {
    expect(statuses).toEqual([201, 201, 201, 201]);
  });

  it("the stream holds the four events, and /verify covers them", async () => {
    const { events: stream } = await allEvents(entityId);
    expect(stream.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    const verify = await api.get(`/entities/${entityId}/verify`);
    expect(verify.body).toEqual({ valid: true, version: 4, headHash: stream[3]?.hash });
  });

  it("GET /entities/{id} answers the head state, now and as known at each version", async () => {
    const state = await api.get(`/entities/${entityId}?asOf=2022-01-01`);
    expect(state.status).toBe(200);
    expect(state.body.version).toBe(4);
    expect(state.body.aliases).toEqual(b.slice(255));
    const { events: stream } = await allEvents(entityId);
    const at = (v: number) =>
      api.get(
        `/entities/${entityId}?asOf=2022-01-01&knownAt=${(stream[v - 1] as unknown as { recordedAt: string }).recordedAt}`,
      );
    expect((await at(1)).body.aliases).toEqual(a);
    expect((await at(2)).body.aliases).toEqual([]);
    expect((await at(3)).body.aliases).toEqual(b);
  });

  it("search finds the current alias and none of the removed ones", async () => {
    // A query word is a prefix of the alias' one word (a query holds at most 256 characters).
    const hit = await api.get(`/search?q=${encodeURIComponent(b[255]?.slice(0, 80) ?? "")}`);
    expect(hit.body.items.map((i: { entityId: string }) => i.entityId)).toEqual([entityId]);
    const miss = (word?: string) =>
      api.get(`/search?q=${encodeURIComponent(word?.slice(0, 80) ?? "")}`);
    expect((await miss(b[7])).body.items).toEqual([]);
    expect((await miss(a[7])).body.items).toEqual([]);
  });

  it("the stored views equal a clean projection of the stream", async () => {
    await expectViewAtHead(entityId);
  });
});

describe("(b) views of events with large terms", () => {
  it("a sanction with a ~230 KB scope, then amended in its measures: every row fits an item", async () => {
    // The day the terms change is a row holding the terms before and after: twice the scope.
    const entityId = "limits-big-scope";
    const goods = randomWords(21, 1000, 230);
    expect((await api.post(`/entities/${entityId}/events`, register("Big Scope"))).status).toBe(
      201,
    );
    const imposition = {
      type: "SanctionImposed",
      data: {
        sanctionId: "big-scope",
        authority: "EU",
        measures: ["export-ban"],
        scope: { goods },
        announcedOn: "2022-03-01",
        effectiveFrom: "2022-03-15",
      },
    };
    expect(bytes(imposition)).toBeLessThan(MAX_BODY_BYTES);
    expect((await api.post(`/entities/${entityId}/events`, imposition)).status).toBe(201);
    const amended = await api.post(`/entities/${entityId}/events`, {
      type: "SanctionAmended",
      data: {
        sanctionId: "big-scope",
        effectiveFrom: "2022-06-01",
        measures: ["export-ban", "import-ban"],
      },
    });
    // The amendment is written (the reader looks past a view left behind)...
    const state = await api.get(`/entities/${entityId}?asOf=2022-06-01`);
    expect(state.body.version).toBe(3);
    expect(state.body.inForce[0].measures).toEqual(["export-ban", "import-ban"]);
    // ...and must be answered 201, listed by /changes, and projected into the view.
    expect.soft(amended.status).toBe(201);
    const changes = await api.get("/changes?from=2022-06-01&to=2022-06-01&authority=EU");
    expect.soft(changes.body.items).toContainEqual({
      entityId,
      sanctionId: "big-scope",
      authority: "EU",
      change: "amended",
      on: "2022-06-01",
    });
    await expectViewAtHead(entityId);
  }, 60_000);

  it("an alias of 512 CJK characters (valid by the schema): every stored sort key fits 1024 bytes", async () => {
    // dynalite counts a key's characters; DynamoDB counts its UTF-8 bytes, and refuses the
    // write: on AWS this entity's projection would fail on every retry.
    const entityId = "limits-cjk-alias";
    const alias = "漢字".repeat(256);
    const res = await api.post(
      `/entities/${entityId}/events`,
      register("CJK", { aliases: [alias] }),
    );
    expect(res.status).toBe(201);
    // A row's sort key holds the first 64 characters of a word, the row the whole word.
    const { rows } = await views.queryRows(
      `word#${alias.slice(0, 2)}`,
      { beginsWith: alias.slice(0, 64) },
      100,
    );
    const own = rows.filter((r) => (r.data as { entityId: string }).entityId === entityId);
    expect(own.length).toBe(1);
    for (const row of own) {
      expect(bytes(row.sk), `sort key of ${row.pk}`).toBeLessThanOrEqual(MAX_SORT_KEY_BYTES);
    }
    const found = await api.get(`/search?q=${encodeURIComponent(alias.slice(0, 200))}`);
    expect(found.body.items.map((i: { entityId: string }) => i.entityId)).toEqual([entityId]);
  });
});

describe("(c) a stream longer than one DynamoDB query page (1 MB)", () => {
  // Nine events of ~200 KB: eight impositions with 1,000 goods of 200 characters each, and
  // a lifting. The goods repeat a pattern, so the entity view stays small: this is about
  // paging through the events table and the index rows, not about the view's size.
  const entityId = "limits-long-stream";
  const goods = (n: number) =>
    Array.from({ length: 1000 }, (_, i) => `goods ${n}-${i} ${"luxury item ".repeat(16)}`);
  const imposition = (n: number) => ({
    type: "SanctionImposed",
    eventId: `impose-${n}`,
    data: {
      sanctionId: `s${n}`,
      authority: "JP",
      measures: ["export-ban"],
      scope: { goods: goods(n) },
      announcedOn: "2022-03-01",
      effectiveFrom: `2022-04-0${n}`,
    },
  });
  const COUNT = 10; // registration, eight impositions, a lifting

  beforeAll(async () => {
    expect((await api.post(`/entities/${entityId}/events`, register("Long Stream"))).status).toBe(
      201,
    );
    for (let n = 1; n <= 8; n++) {
      const body = imposition(n);
      expect(bytes(body)).toBeGreaterThan(190_000);
      const res = await api.post(`/entities/${entityId}/events`, body);
      expect(res.status).toBe(201);
    }
    const lifted = await api.post(`/entities/${entityId}/events`, {
      type: "SanctionLifted",
      data: { sanctionId: "s8", effectiveFrom: "2022-05-01" },
    });
    expect(lifted.status).toBe(201);
  }, 120_000);

  it("the events table needs more than one query page for the stream", async () => {
    const { records } = await events.read(entityId);
    const total = records.reduce((sum, r) => sum + bytes(r.canonical), 0);
    expect(total).toBeGreaterThan(1024 * 1024);
    expect(records.map((r) => r.version)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  });

  it("/events answers the whole stream in one answer, and page by page", async () => {
    const whole = await allEvents(entityId);
    expect(whole.pages).toBe(1);
    expect(whole.events.map((e) => e.version)).toEqual(
      Array.from({ length: COUNT }, (_, i) => i + 1),
    );
    const paged = await allEvents(entityId, 3);
    expect(paged.pages).toBe(4);
    expect(paged.events).toEqual(whole.events);
    const from = await api.get(`/entities/${entityId}/events?fromVersion=7&limit=2`);
    expect(from.body.events.map((e: { version: number }) => e.version)).toEqual([7, 8]);
    expect(from.body.nextToken).toEqual(expect.any(String));
  });

  it("/verify covers every version", async () => {
    const { events: stream } = await allEvents(entityId);
    const verify = await api.get(`/entities/${entityId}/verify`);
    expect(verify.body).toEqual({ valid: true, version: COUNT, headHash: stream[COUNT - 1]?.hash });
  });

  it("the state, the view and /sanctions are right", async () => {
    const state = await api.get(`/entities/${entityId}?asOf=2022-06-01`);
    expect(state.status).toBe(200);
    expect(state.body.version).toBe(COUNT);
    expect(state.body.inForce.map((s: { sanctionId: string }) => s.sanctionId).sort()).toEqual(
      ["s1", "s2", "s3", "s4", "s5", "s6", "s7"].sort(),
    );
    expect(state.body.inForce[0].scope.goods).toHaveLength(1000);
    const known = await api.get(
      `/entities/${entityId}?asOf=2022-06-01&knownAt=${encodeURIComponent(new Date().toISOString())}`,
    );
    expect(known.body.inForce).toEqual(state.body.inForce);
    await expectViewAtHead(entityId);
    // The force rows of the entity span several 1 MB pages of the views table.
    const listed = await api.get("/sanctions?asOf=2022-06-01&authority=JP");
    const item = listed.body.items.find((i: { entityId: string }) => i.entityId === entityId);
    expect(item.sanctions.map((s: { sanctionId: string }) => s.sanctionId).sort()).toEqual(
      ["s1", "s2", "s3", "s4", "s5", "s6", "s7"].sort(),
    );
  });

  it("no index row of the entity exceeds DynamoDB's item size", async () => {
    for (const pk of ["JP", "*"].map((a) => forcePartition(a, shardOf(entityId)))) {
      let after: string | undefined;
      for (;;) {
        const page = await views.queryRows(
          pk,
          { beginsWith: `${entityId}#`, ...(after === undefined ? {} : { after }) },
          50,
        );
        for (const row of page.rows) expect(bytes(row)).toBeLessThan(MAX_ITEM_BYTES);
        if (page.next === undefined) break;
        after = page.next;
      }
    }
  });
});

describe("(d) input beyond the schemas' bounds: 400 naming the field, nothing written", () => {
  const cases: { name: string; path: string; body: Record<string, unknown>; entity?: string }[] = [
    {
      name: "1,001 aliases",
      path: "/data/aliases",
      body: register("Too Many", { aliases: Array.from({ length: 1001 }, (_, i) => `a${i}`) }),
    },
    {
      name: "an alias of 513 characters",
      path: "/data/aliases/3",
      body: register("Too Long", { aliases: ["a", "b", "c", "x".repeat(513)] }),
    },
    {
      name: "a name of 513 characters",
      path: "/data/name",
      body: register("n".repeat(513)),
    },
    {
      name: "101 identifiers",
      path: "/data/identifiers",
      body: register("Ids", {
        identifiers: Array.from({ length: 101 }, (_, i) => ({ scheme: "X", value: `${i}` })),
      }),
    },
    {
      name: "an identifier value of 257 characters",
      path: "/data/identifiers/0/value",
      body: register("Ids", { identifiers: [{ scheme: "LEI", value: "9".repeat(257) }] }),
    },
    {
      name: "a source title of 513 characters",
      path: "/source/title",
      body: { ...register("Src"), source: { title: "t".repeat(513) } },
    },
    {
      name: "an eventId of 129 characters",
      path: "/eventId",
      body: { ...register("Eid"), eventId: "e".repeat(129) },
    },
  ];
  const onExisting: { name: string; path: string; body: Record<string, unknown> }[] = [
    {
      name: "an amendment adding 1,001 aliases",
      path: "/data/aliases/add",
      body: {
        type: "EntityAmended",
        data: { aliases: { add: Array.from({ length: 1001 }, (_, i) => `a${i}`) } },
      },
    },
    {
      name: "1,001 goods",
      path: "/data/scope/goods",
      body: {
        type: "SanctionImposed",
        data: {
          sanctionId: "s",
          authority: "EU",
          measures: ["export-ban"],
          scope: { goods: Array.from({ length: 1001 }, (_, i) => `g${i}`) },
          announcedOn: "2022-03-01",
          effectiveFrom: "2022-03-01",
        },
      },
    },
    {
      name: "5,001 HS codes",
      path: "/data/scope/hsCodes",
      body: {
        type: "SanctionImposed",
        data: {
          sanctionId: "s",
          authority: "EU",
          measures: ["export-ban"],
          scope: { hsCodes: Array.from({ length: 5001 }, (_, i) => `${7100 + (i % 99)}`) },
          announcedOn: "2022-03-01",
          effectiveFrom: "2022-03-01",
        },
      },
    },
    {
      name: "a scope note of 4,001 characters",
      path: "/data/scope/note",
      body: {
        type: "SanctionImposed",
        data: {
          sanctionId: "s",
          authority: "EU",
          measures: ["export-ban"],
          scope: { note: "n".repeat(4001) },
          announcedOn: "2022-03-01",
          effectiveFrom: "2022-03-01",
        },
      },
    },
    {
      name: "a legal basis of 2,001 characters",
      path: "/data/legalBasis",
      body: {
        type: "SanctionImposed",
        data: {
          sanctionId: "s",
          authority: "EU",
          measures: ["export-ban"],
          legalBasis: "l".repeat(2001),
          announcedOn: "2022-03-01",
          effectiveFrom: "2022-03-01",
        },
      },
    },
    {
      name: "a lifting reason of 2,001 characters",
      path: "/data/reason",
      body: {
        type: "SanctionLifted",
        data: { sanctionId: "s", effectiveFrom: "2022-03-01", reason: "r".repeat(2001) },
      },
    },
  ];

  it.each(cases)("a registration with $name → 400 at $path", async ({ name, path, body }) => {
    const entityId = `limits-bad-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
    const res = await api.post(`/entities/${entityId}/events`, body);
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/problem+json");
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await api.get(`/entities/${entityId}`)).status).toBe(404);
  });

  it.each(onExisting)("$name on a registered entity → 400 at $path", async ({ path, body }) => {
    const entityId = "limits-bad-existing";
    if ((await versionOf(entityId)) === 0) {
      expect((await api.post(`/entities/${entityId}/events`, register("Existing"))).status).toBe(
        201,
      );
    }
    const res = await api.post(`/entities/${entityId}/events`, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await versionOf(entityId)).toBe(1);
  });

  it("an entityId of 129 characters → 400 at /entityId", async () => {
    const res = await api.post(`/entities/${"e".repeat(129)}/events`, register("Long Id"));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain("/entityId");
  });

  it("a batch item with 1,001 aliases: a 400 in its place, relative to the item; the others written", async () => {
    const res = await api.post("/batches", {
      items: [
        { entityId: "limits-batch-ok", ...register("Fine") },
        {
          entityId: "limits-batch-bad",
          ...register("Bad", { aliases: Array.from({ length: 1001 }, (_, i) => `a${i}`) }),
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results[0].status).toBe(201);
    expect(res.body.results[1].status).toBe(400);
    expect(res.body.results[1].errors.map((e: { path: string }) => e.path)).toContain(
      "/data/aliases",
    );
    expect((await api.get("/entities/limits-batch-bad")).status).toBe(404);
  });
});
