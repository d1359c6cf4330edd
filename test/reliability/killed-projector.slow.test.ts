/**
 * A projector killed mid-catch-up, against a real dynalite server: killed again and again
 * it converges to a clean projection, and one stopped at its deadline keeps its progress.
 * (Long streams: the slow suite's.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppendRequest } from "../../functions/app/ledger.js";
import { Ledger } from "../../functions/app/ledger.js";
import type { DerivedWrite } from "../../functions/domain/projections/index.js";
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

let n = 0;
const imposition = (sanctionId: string): AppendRequest => ({
  type: "SanctionImposed",
  data: {
    sanctionId,
    authority: "EU",
    measures: ["asset-freeze"],
    announcedOn: "2022-03-01",
    effectiveFrom: "2022-03-15",
  },
});

describe("a projector killed mid-catch-up", () => {
  it("killed after every few writes, again and again, converges to a clean projection", async () => {
    // A stream written with the projection off, then projected by projectors that each die
    // after a handful of derived writes: every run resumes from the progress kept.
    const writer = new Ledger({
      events,
      views,
      now: () => new Date(),
      newId: () => `kill-${++n}`,
      projectOnAppend: false,
    });
    await writer.append(
      "killed",
      { type: "EntityRegistered", data: { name: "Killed Often", kind: "organization" } },
      "t",
    );
    for (let i = 0; i < 120; i++) {
      const body: AppendRequest =
        i % 3 === 0
          ? { type: "EntityAmended", data: { aliases: { add: [`Alias ${i}`] } } }
          : imposition(`k${i}`);
      await writer.append("killed", body, "t");
    }
    /** Dies once it has written `budget` derived writes, in the middle of a call. */
    class Dying extends DynamoViewStore {
      constructor(private budget: number) {
        super(api.engine.doc, api.engine.tables.views);
      }
      override async write(writes: readonly DerivedWrite[]) {
        if (writes.length > this.budget) {
          await super.write(writes.slice(0, this.budget));
          this.budget = 0;
          throw new Error("killed mid-write");
        }
        this.budget -= writes.length;
        return super.write(writes);
      }
    }
    let runs = 0;
    for (;;) {
      runs++;
      expect(runs, "progress is kept between runs").toBeLessThan(200);
      const projector = new Ledger({
        events,
        views: new Dying(120 + 40 * (runs % 3)),
        now: () => new Date(),
        newId: () => "p",
      });
      try {
        await projector.project("killed");
        break;
      } catch (error) {
        expect((error as Error).message).toMatch(/killed/);
      }
    }
    expect(runs).toBeGreaterThan(3);
    await expectProjected(events, views, "killed");
  }, 180_000);

  it("stops at its deadline with its progress kept, and the next run goes on", async () => {
    const writer = new Ledger({
      events,
      views,
      now: () => new Date(),
      newId: () => `deadline-${++n}`,
      projectOnAppend: false,
    });
    await writer.append(
      "deadline",
      { type: "EntityRegistered", data: { name: "Deadline", kind: "organization" } },
      "t",
    );
    for (let i = 0; i < 120; i++) await writer.append("deadline", imposition(`d${i}`), "t");
    const projector = new Ledger({ events, views, now: () => new Date(), newId: () => "p" });
    await expect(projector.project("deadline", Date.now() - 1)).rejects.toMatchObject({
      name: "ProjectionIncomplete",
    });
    const head = await views.getRecord("head", "deadline");
    expect(head?.version).toBeGreaterThan(0);
    expect(head?.version).toBeLessThan(121);
    const fresh = new Ledger({ events, views, now: () => new Date(), newId: () => "q" });
    expect(await fresh.project("deadline")).toBe(121);
    await expectProjected(events, views, "deadline");
  }, 120_000);
});
