import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppendRequest } from "../../functions/app/ledger.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { localFunctions } from "../../local/server.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";
import { expectProjected } from "../support/projection.js";

let api: RunningLedger;
beforeAll(async () => {
  api = await startLedger();
});
afterAll(async () => {
  await api.close();
});

async function allEvents(entityId: string) {
  const events: { version: number; eventId: string }[] = [];
  let token: string | undefined;
  do {
    const res = await api.get(
      `/entities/${entityId}/events?limit=1000${token ? `&nextToken=${token}` : ""}`,
    );
    events.push(...res.body.events);
    token = res.body.nextToken;
  } while (token);
  return events;
}

/** Every version exactly once, no duplicated eventId, a valid chain, and views equal to a clean projection. */
async function expectConsistent(entityId: string, count: number) {
  const events = await allEvents(entityId);
  expect(events.map((e) => e.version)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  expect(new Set(events.map((e) => e.eventId)).size).toBe(count);
  const verify = await api.get(`/entities/${entityId}/verify`);
  expect(verify.body).toMatchObject({ valid: true, version: count });
  const store = new DynamoEventStore(api.engine.doc, api.engine.tables.events);
  const views = new DynamoViewStore(api.engine.doc, api.engine.tables.views);
  await expectProjected(store, views, entityId);
}

/** An amendment that renames the entity: each writer's mark, so the fold tells them apart. */
const amend = (writer: number, i: number) => ({
  type: "EntityAmended",
  data: { name: `Race w${writer}-${i}` },
});

describe("concurrent writers on one entity", () => {
  it("32 writers × 50 appends with expectedVersion, retrying on 409: exactly 1,600 events", async () => {
    const entity = "race-32x50";
    await api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        let expected = 1;
        for (let i = 0; i < 50; i++) {
          for (;;) {
            const res = await api.post(`/entities/${entity}/events`, {
              ...amend(w, i),
              eventId: `w${w}-${i}`,
              expectedVersion: expected,
            });
            if (res.status === 201) {
              expected = res.body.version;
              break;
            }
            expect(res.status).toBe(409);
            conflicts++;
            expected = res.body.currentVersion;
          }
        }
      }),
    );
    expect(conflicts).toBeGreaterThan(0);
    await expectConsistent(entity, 1 + 32 * 50);
  }, 300_000);

  it("32 writers × 50 appends whose requests are retried with their eventId: no duplicate", async () => {
    const entity = "race-32x50-retried";
    await api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        for (let i = 0; i < 50; i++) {
          const body = { ...amend(w, i), eventId: `w${w}-${i}` };
          // The first answer is "lost": the writer retries the same request, twice at once.
          const first = await api.post(`/entities/${entity}/events`, body);
          const [a, b] = await Promise.all([
            api.post(`/entities/${entity}/events`, body),
            api.post(`/entities/${entity}/events`, body),
          ]);
          expect(first.status).toBe(201);
          expect([a.status, b.status]).toEqual([200, 200]);
          expect(a.body).toEqual(first.body);
        }
      }),
    );
    await expectConsistent(entity, 1 + 32 * 50);
  }, 300_000);

  it("16 writers spread over 4 processes race on versions and still append each event once", async () => {
    const entity = "race-processes";
    const processes = Array.from({ length: 4 }, () => localFunctions(api.engine).ledger);
    await processes[0]?.append(
      entity,
      { type: "EntityRegistered", data: { name: "Race", kind: "other" } },
      "t",
    );
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const ledger = processes[w % 4] as (typeof processes)[number];
        for (let i = 0; i < 4; i++) {
          const request = { ...amend(w, i), eventId: `w${w}-${i}` } as AppendRequest;
          const [a, b] = await Promise.all([
            ledger.append(entity, request, "t"),
            (processes[(w + 1) % 4] as typeof ledger).append(entity, request, "t"),
          ]);
          expect([a.status, b.status].sort()).toEqual([200, 201]);
        }
      }),
    );
    await expectConsistent(entity, 1 + 16 * 4);
  }, 120_000);

  it("16 writers with expectedVersion, retrying on 409: versions 1..N exactly once", async () => {
    const entity = "race-expected";
    await api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    const perWriter = 4;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        let expected = 1;
        for (let i = 0; i < perWriter; i++) {
          for (;;) {
            const res = await api.post(`/entities/${entity}/events`, {
              ...amend(w, i),
              eventId: `w${w}-${i}`,
              expectedVersion: expected,
            });
            if (res.status === 201 || res.status === 200) {
              expected = res.body.version;
              break;
            }
            expect(res.status).toBe(409);
            expected = res.body.currentVersion;
          }
        }
      }),
    );
    await expectConsistent(entity, 1 + 16 * perWriter);
  });

  it("16 writers without expectedVersion, each request sent twice at once: no duplicate", async () => {
    const entity = "race-idempotent";
    await api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    const perWriter = 4;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const body = { ...amend(w, i), eventId: `w${w}-${i}` };
          const [a, b] = await Promise.all([
            api.post(`/entities/${entity}/events`, body),
            api.post(`/entities/${entity}/events`, body),
          ]);
          expect([a.status, b.status].sort()).toEqual([200, 201]);
          expect(a.body.version).toBe(b.body.version);
        }
      }),
    );
    await expectConsistent(entity, 1 + 16 * perWriter);
  });
});
