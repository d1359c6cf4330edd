import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../functions/app/ledger.js";
import type { DerivedWrite } from "../../functions/domain/projections/index.js";
import { projectorHandler } from "../../functions/handlers/projector.js";
import type { Services } from "../../functions/handlers/wiring.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import type { RowRange, ViewStore } from "../../functions/store/ports.js";
import type { Engine } from "../../local/engine.js";
import { startTestEngine } from "../support/engine.js";
import { expectProjected } from "../support/projection.js";

let engine: Engine;
let events: DynamoEventStore;
let views: DynamoViewStore;
beforeAll(async () => {
  engine = await startTestEngine();
  events = new DynamoEventStore(engine.doc, engine.tables.events);
  views = new DynamoViewStore(engine.doc, engine.tables.views);
});
afterAll(async () => {
  await engine.close();
});

let ids = 0;
const ledger = (viewStore: ViewStore = views) =>
  new Ledger({ events, views: viewStore, now: () => new Date(), newId: () => `id-${++ids}` });

/** A view store whose writes fail while `broken` is set: a crash after the event write. */
class CrashingViews implements ViewStore {
  broken = true;
  async write(writes: readonly DerivedWrite[]) {
    if (this.broken) throw new Error("crash before the views were written");
    return views.write(writes);
  }
  filed(writes: readonly DerivedWrite[]) {
    return views.filed(writes);
  }
  getRecord<T>(...args: Parameters<ViewStore["getRecord"]>) {
    return views.getRecord<T>(...args);
  }
  getCards(ids: readonly string[]) {
    return views.getCards(ids);
  }
  queryRows(pk: string, range: RowRange, limit: number) {
    return views.queryRows(pk, range, limit);
  }
}

const record = (entityId: string, version: number, sequence: number): DynamoDBRecord => ({
  eventName: "INSERT",
  dynamodb: {
    Keys: {
      [EVENTS_TABLE.partitionKey]: { S: entityId },
      [EVENTS_TABLE.sortKey]: { N: `${version}` },
    },
    SequenceNumber: `${sequence}`,
  },
});

const expectViewAtHead = (entityId: string) => expectProjected(events, views, entityId);

async function seed(entityId: string, amendments: number, viewStore: ViewStore = views) {
  const l = ledger(viewStore);
  await l.append(
    entityId,
    { type: "EntityRegistered", data: { name: entityId, kind: "other" } },
    "t",
  );
  for (let i = 0; i < amendments; i++) {
    await l
      .append(entityId, { type: "EntityAmended", data: { aliases: { add: [`a${i}`] } } }, "t")
      .catch(() => undefined);
  }
}

describe("projector", () => {
  it("brings a view left behind by a crash to the head, whatever records arrive", async () => {
    const crashing = new CrashingViews();
    await seed("crashed", 3, crashing);
    expect(await views.getRecord("head", "crashed")).toBeUndefined();
    // The reader reads past the view: the events are already visible.
    const state = await ledger().state("crashed", { asOf: "2022-01-01" });
    expect(state.version).toBe(4);
    expect(state.aliases).toEqual(["a0", "a1", "a2"]);
    // A record that names only an old version, duplicated and out of order.
    const project = projectorHandler(() => ({ ledger: ledger() }) as Services);
    const result = await project({
      Records: [record("crashed", 2, 10), record("crashed", 1, 11), record("crashed", 2, 12)],
    } as DynamoDBStreamEvent);
    expect(result.batchItemFailures).toEqual([]);
    await expectViewAtHead("crashed");
  });

  it("reports the first record of each entity it could not project, and recovers on redelivery", async () => {
    await seed("p-ok", 1);
    await seed("p-fail", 1);
    const failing = new CrashingViews();
    await seed("p-fail-2", 2, failing);
    const project = projectorHandler(() => ({ ledger: ledger(failing) }) as Services);
    const batch = {
      Records: [record("p-ok", 1, 1), record("p-fail-2", 1, 2), record("p-fail-2", 2, 3)],
    } as DynamoDBStreamEvent;
    const result = await project(batch);
    // p-ok's view is already at its head: nothing to write, no failure.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "2" }]);
    failing.broken = false;
    expect((await project(batch)).batchItemFailures).toEqual([]);
    await expectViewAtHead("p-fail-2");
  });

  it("a writer after a crash still appends at the head, and repairs the view", async () => {
    const crashing = new CrashingViews();
    await seed("crash-then-write", 2, crashing);
    const written = await ledger().append(
      "crash-then-write",
      { type: "EntityAmended", data: { name: "renamed" } },
      "t",
    );
    expect(written.answer.version).toBe(4);
    await expectViewAtHead("crash-then-write");
  });

  it("judges a command against the head, not a view left behind", async () => {
    const crashing = new CrashingViews();
    await seed("behind", 0, crashing);
    await ledger(crashing)
      .append(
        "behind",
        {
          type: "SanctionImposed",
          data: {
            sanctionId: "s1",
            authority: "JP",
            measures: ["asset-freeze"],
            announcedOn: "2022-03-03",
            effectiveFrom: "2022-04-02",
          },
        },
        "t",
      )
      .catch(() => undefined);
    // The view knows nothing of the entity, yet the stream holds the registration and s1.
    const lifted = await ledger().append(
      "behind",
      {
        type: "SanctionLifted",
        data: { sanctionId: "s1", effectiveFrom: "2023-01-01" },
        expectedVersion: 2,
      },
      "t",
    );
    expect(lifted.status).toBe(201);
    await expectViewAtHead("behind");
  });
});
