import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SNAPSHOT_EVERY } from "../../functions/app/ledger.js";
import { foldKnownAt } from "../../functions/domain/state.js";
import { entityOn } from "../../functions/domain/timeline.js";
import { eventOf } from "../../functions/domain/verify.js";
import { DynamoEventStore } from "../../functions/store/dynamo.js";
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
});
