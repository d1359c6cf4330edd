import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fold } from "../../functions/domain/state.js";
import { eventOf } from "../../functions/domain/verify.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

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

/** Every version exactly once, no duplicated eventId, a valid chain, and a view equal to the fold. */
async function expectConsistent(entityId: string, count: number) {
  const events = await allEvents(entityId);
  expect(events.map((e) => e.version)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  expect(new Set(events.map((e) => e.eventId)).size).toBe(count);
  const verify = await api.get(`/entities/${entityId}/verify`);
  expect(verify.body).toMatchObject({ valid: true, version: count });
  const store = new DynamoEventStore(api.engine.doc, api.engine.tables.events);
  const views = new DynamoViewStore(api.engine.doc, api.engine.tables.views);
  const { records } = await store.read(entityId);
  const view = await views.getEntity(entityId);
  expect(view?.version).toBe(count);
  expect(view?.state).toEqual(fold(entityId, records.map(eventOf)));
}

const amend = (writer: number, i: number) => ({
  type: "EntityAmended",
  data: { aliases: { add: [`w${writer}-${i}`] } },
});

describe("concurrent writers on one entity", () => {
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
