import { describe, expect, it } from "vitest";
import { Ledger } from "../../functions/app/ledger.js";
import { fold } from "../../functions/domain/state.js";
import { eventOf } from "../../functions/domain/verify.js";
import { MemoryEventStore, MemoryViewStore } from "../../functions/store/memory.js";
import { registerAcme } from "./given.js";

/** A memory view store that counts reads of records and derived writes. */
class CountingViews extends MemoryViewStore {
  recordReads = 0;
  writes = 0;
  override async getRecord<T>(...args: Parameters<MemoryViewStore["getRecord"]>) {
    this.recordReads++;
    return super.getRecord<T>(...args);
  }
  override async write(...args: Parameters<MemoryViewStore["write"]>) {
    this.writes += args[0].length;
    return super.write(...args);
  }
}

function setup() {
  const events = new MemoryEventStore();
  const views = new CountingViews();
  let ms = 0;
  const deps = {
    events,
    views,
    now: () => new Date(Date.UTC(2024, 0, 1) + ms++),
    newId: () => `id-${ms}`,
  };
  return {
    events,
    views,
    writer: new Ledger({ ...deps, projectOnAppend: false }),
    projector: new Ledger(deps),
    reader: new Ledger(deps),
  };
}

const alias = (k: number) => ({
  eventId: `alias-${k}`,
  type: "EntityAmended" as const,
  data: { aliases: { add: [`ACME ${k}`] } },
});

describe("appends that leave the views to the projector (projectOnAppend off)", () => {
  it("write only events, read no view, and still refuse a duplicate eventId", async () => {
    const { writer, views, events } = setup();
    await registerAcme(writer);
    for (let k = 1; k <= 4; k++)
      expect((await writer.append("acme", alias(k), "t")).status).toBe(201);
    expect(views.writes).toBe(0);
    // a short stream is read whole from the events: no record of the views at all
    expect(views.recordReads).toBe(0);
    const again = await writer.append("acme", alias(2), "t");
    expect(again).toMatchObject({ status: 200, answer: { version: 3 } });
    expect((await events.read("acme")).records).toHaveLength(5);
  });

  it("answers reads exactly before the projector runs, and the projector then brings the views to the head", async () => {
    const { writer, reader, projector, events, views } = setup();
    await registerAcme(writer);
    await writer.append("acme", alias(1), "t");
    const before = await reader.state("acme", { asOf: "2024-01-01" });
    expect(before).toMatchObject({ version: 2, aliases: ["ACME 1"] });
    expect(await projector.project("acme")).toBe(2);
    const state = fold("acme", (await events.read("acme")).records.map(eventOf));
    const head = await views.getRecord<{ headHash: string }>("head", "acme");
    expect(head).toMatchObject({ version: 2, value: { headHash: state.headHash } });
    // Appends go on from the state the writer holds, not from the projected view.
    await writer.append("acme", alias(2), "t");
    expect(await projector.project("acme")).toBe(3);
    expect((await reader.state("acme", {})).aliases).toEqual(["ACME 1", "ACME 2"]);
  });

  it("a writer whose state trails the stream catches up before it decides", async () => {
    const { writer, projector } = setup();
    await registerAcme(writer);
    await projector.append("acme", alias(1), "t");
    const next = await writer.append("acme", { ...alias(2), expectedVersion: 2 }, "t");
    expect(next.answer.version).toBe(3);
    await expect(
      writer.append("acme", { ...alias(3), expectedVersion: 2 }, "t"),
    ).rejects.toMatchObject({
      name: "VersionConflict",
    });
  });
});
