import { afterAll, beforeAll, expect } from "vitest";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";
import { expectProjected } from "../support/projection.js";

/** A ledger started before the file's tests and closed after them. */
export function raceSetup(): { api: RunningLedger } {
  const setup = {} as { api: RunningLedger };
  beforeAll(async () => {
    setup.api = await startLedger();
  });
  afterAll(async () => {
    await setup.api.close();
  });
  return setup;
}

async function allEvents(api: RunningLedger, entityId: string) {
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
export async function expectConsistent(api: RunningLedger, entityId: string, count: number) {
  const events = await allEvents(api, entityId);
  expect(events.map((e) => e.version)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  expect(new Set(events.map((e) => e.eventId)).size).toBe(count);
  const verify = await api.get(`/entities/${entityId}/verify`);
  expect(verify.body).toMatchObject({ valid: true, version: count });
  const store = new DynamoEventStore(api.engine.doc, api.engine.tables.events);
  const views = new DynamoViewStore(api.engine.doc, api.engine.tables.views);
  await expectProjected(store, views, entityId);
}

/** An amendment that renames the entity: each writer's mark, so the fold tells them apart. */
export const amend = (writer: number, i: number) => ({
  type: "EntityAmended",
  data: { name: `Race w${writer}-${i}` },
});
