import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entityHistory } from "../../bench/history.js";
import { Ledger } from "../../functions/app/ledger.js";
import { addDays } from "../../functions/domain/dates.js";
import type { LedgerEvent } from "../../functions/domain/events.js";
import { SNAPSHOT_EVERY } from "../../functions/domain/projections/index.js";
import { foldKnownAt } from "../../functions/domain/state.js";
import { entityOn } from "../../functions/domain/timeline.js";
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

describe("a long history", () => {
  it("answers knownAt from snapshots exactly as a replay of the stream would", async () => {
    const entity = "long-history";
    const ledger = api.fns.ledger;
    await ledger.append(
      entity,
      { type: "EntityRegistered", data: { name: "Long", kind: "organization" } },
      "t",
    );
    await ledger.append(
      entity,
      {
        type: "SanctionImposed",
        data: {
          sanctionId: "s1",
          authority: "JP",
          measures: ["asset-freeze"],
          announcedOn: "2020-01-01",
          effectiveFrom: "2020-01-02",
        },
      },
      "t",
    );
    const total = SNAPSHOT_EVERY * 2 + 50;
    for (let v = 3; v <= total; v++) {
      const day = new Date(Date.UTC(2020, 0, 2 + v)).toISOString().slice(0, 10);
      const request =
        v % 10 === 0
          ? { type: "EntityAmended" as const, data: { name: `Long ${v}` } }
          : {
              type: "SanctionAmended" as const,
              data: {
                sanctionId: "s1",
                effectiveFrom: day,
                measures:
                  v % 2 === 0
                    ? (["asset-freeze"] as const)
                    : (["asset-freeze", "export-ban"] as const),
              },
            };
      await ledger.append(entity, request as never, "t");
    }
    const { records } = await new DynamoEventStore(api.engine.doc, api.engine.tables.events).read(
      entity,
    );
    const events = records.map(eventOf);
    expect(events).toHaveLength(total);
    for (const version of [
      1,
      2,
      SNAPSHOT_EVERY - 1,
      SNAPSHOT_EVERY,
      SNAPSHOT_EVERY + 1,
      2 * SNAPSHOT_EVERY + 7,
      total,
    ]) {
      const knownAt = events[version - 1]?.recordedAt as string;
      for (const asOf of ["2020-01-01", "2020-03-15", "2020-07-01"]) {
        const res = await api.get(`/entities/${entity}?asOf=${asOf}&knownAt=${knownAt}`);
        expect(res.status).toBe(200);
        const expected = entityOn(foldKnownAt(entity, events, knownAt), asOf);
        expect(res.body, `v${version} ${asOf}`).toEqual({ ...expected, asOf, knownAt });
      }
      const timeline = await api.get(`/entities/${entity}/timeline?knownAt=${knownAt}`);
      expect(timeline.body.sanctions).toHaveLength(version >= 2 ? 1 : 0);
    }
    const page = await api.get(`/entities/${entity}/events?limit=1000`);
    expect(page.body.events).toHaveLength(total);
  }, 120_000);

  it("answers from the head and year pages, in a process that never read the entity, exactly as a replay", async () => {
    const entity = "paged-history";
    const writer = api.fns.ledger;
    // A history of three years: impositions, amendments, liftings, renames, one a day.
    const { events: requests, lastDay } = entityHistory(entity, 900, 5, "2019-06-01");
    for (const request of requests) await writer.append(entity, request, "t");
    const store = new DynamoEventStore(api.engine.doc, api.engine.tables.events);
    // Corrections: a lifting retracted (its sanction open-ended again), then an ended
    // sanction without amendments retracted whole (gone from every page it was on).
    const stream = (await store.read(entity)).records.map(eventOf);
    const retract = (version: number) =>
      writer.append(entity, { type: "EventRetracted", data: { version, reason: "error" } }, "t");
    const liftings = stream.filter((e) => e.type === "SanctionLifted" && e.version > 300);
    await retract((liftings[0] as LedgerEvent).version);
    const lifted = liftings[1] as LedgerEvent & { type: "SanctionLifted" };
    const imposition = stream.find(
      (e) => e.type === "SanctionImposed" && e.data.sanctionId === lifted.data.sanctionId,
    ) as LedgerEvent;
    const amendments = stream.filter(
      (e) => e.type === "SanctionAmended" && e.data.sanctionId === lifted.data.sanctionId,
    );
    for (const e of [lifted, ...amendments.reverse(), imposition]) await retract(e.version);
    const events = (await store.read(entity)).records.map(eventOf);

    // A reader with nothing in memory, whose view store counts what it is asked for.
    let viewReads = 0;
    const views = new DynamoViewStore(api.engine.doc, api.engine.tables.views);
    const getRecord = views.getRecord.bind(views);
    views.getRecord = (kind, key, query) => {
      if (kind === "snapshot") viewReads++;
      return getRecord(kind, key, query);
    };
    const reader = new Ledger({ events: store, views, now: () => new Date(), newId: randomUUID });

    const days = ["2019-05-31", "2019-06-15", "2019-12-31", "2020-01-01", "2020-07-14"];
    days.push("2021-01-01", "2021-06-30", addDays(lastDay, -3), lastDay, "2030-01-01");
    const moments = [100, 450, 899, events.length].map((v) => events[v - 1]?.recordedAt as string);
    for (const knownAt of [undefined, ...moments]) {
      const known = knownAt === undefined ? events : events.filter((e) => e.recordedAt <= knownAt);
      const state = foldKnownAt(entity, known, knownAt ?? "9999");
      for (const asOf of days) {
        const answer = await reader.state(entity, { asOf, ...(knownAt ? { knownAt } : {}) });
        const { knownAt: _, asOf: __, ...rest } = answer;
        expect(rest, `${asOf} as known at ${knownAt ?? "now"}`).toEqual(entityOn(state, asOf));
      }
    }
    expect(viewReads).toBe(0);
  }, 180_000);
});
