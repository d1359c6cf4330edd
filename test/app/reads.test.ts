import { describe, expect, it } from "vitest";
import { Ledger } from "../../functions/app/ledger.js";
import type { RecordKind } from "../../functions/domain/projections/index.js";
import { MemoryEventStore, MemoryViewStore } from "../../functions/store/memory.js";
import type { RecordQuery } from "../../functions/store/ports.js";
import { registerAcme } from "./given.js";

/** A memory view store that counts the reads of the read model and can fail its writes. */
class CountingViews extends MemoryViewStore {
  headReads = 0;
  pageReads = 0;
  /** Reads of snapshots: the fold's path. */
  viewReads = 0;
  failHeads = false;
  reset() {
    this.headReads = 0;
    this.pageReads = 0;
    this.viewReads = 0;
  }
  override async getRecord<T>(kind: RecordKind, key: string, query?: RecordQuery) {
    if (kind === "head") this.headReads++;
    if (kind === "page") this.pageReads++;
    if (kind === "snapshot") this.viewReads++;
    return super.getRecord<T>(kind, key, query);
  }
  override async write(...args: Parameters<MemoryViewStore["write"]>) {
    const heads = args[0].some((w) => w.type === "record" && w.record.kind === "head");
    if (this.failHeads && heads) throw new Error("crash before the head was filed");
    return super.write(...args);
  }
}

function setup() {
  const events = new MemoryEventStore();
  const views = new CountingViews();
  let ms = 0;
  const make = () =>
    new Ledger({
      events,
      views,
      now: () => new Date(Date.UTC(2024, 0, 1) + ms++),
      newId: () => `id-${ms}`,
    });
  return { events, views, writer: make(), reader: make() };
}

const impose = (sanctionId: string, from: string, until?: string) => ({
  type: "SanctionImposed" as const,
  data: {
    sanctionId,
    authority: "EU",
    measures: ["asset-freeze" as const],
    announcedOn: from,
    effectiveFrom: from,
    ...(until ? { effectiveUntil: until } : {}),
  },
});

describe("point-in-time reads from the read model", () => {
  it("a reader answers from the head and pages, then from the head it holds while the stream stands still", async () => {
    const { writer, reader, views } = setup();
    await registerAcme(writer);
    await writer.append("acme", impose("old", "2019-03-01", "2020-02-01"), "t");
    await writer.append("acme", impose("open", "2021-05-01"), "t");
    views.reset();
    const on2019 = await reader.state("acme", { asOf: "2019-06-01" });
    expect(on2019.inForce.map((s) => s.sanctionId)).toEqual(["old"]);
    expect([views.headReads, views.pageReads, views.viewReads]).toEqual([1, 1, 0]);
    // The same year again: the head, details and page are held; only the stream's head is read.
    expect((await reader.state("acme", { asOf: "2019-12-31" })).inForce).toHaveLength(1);
    expect([views.headReads, views.pageReads]).toEqual([1, 1]);
    // Another year: its page is read once.
    const on2022 = await reader.state("acme", { asOf: "2022-01-01" });
    expect(on2022.inForce.map((s) => s.sanctionId)).toEqual(["open"]);
    await reader.state("acme", { asOf: "2022-06-01" });
    expect([views.headReads, views.pageReads, views.viewReads]).toEqual([1, 2, 0]);
  });

  it("a reader holding a head sees the next event at once", async () => {
    const { writer, reader } = setup();
    await registerAcme(writer);
    await writer.append("acme", impose("s1", "2022-03-01"), "t");
    expect((await reader.state("acme", { asOf: "2022-06-01" })).inForce).toHaveLength(1);
    await writer.append(
      "acme",
      { type: "SanctionLifted", data: { sanctionId: "s1", effectiveFrom: "2022-05-01" } },
      "t",
    );
    const after = await reader.state("acme", { asOf: "2022-06-01" });
    expect(after.inForce).toEqual([]);
    expect(after.version).toBe(3);
    // The lifted sanction moved from the head to the page of 2022.
    expect((await reader.state("acme", { asOf: "2022-04-30" })).inForce).toHaveLength(1);
  });

  it("a head that trails the stream (its projection failed) is not used: the fold answers", async () => {
    const { writer, reader, views } = setup();
    await registerAcme(writer);
    views.failHeads = true;
    await writer.append("acme", impose("s1", "2022-03-01"), "t");
    views.failHeads = false;
    views.reset();
    const answer = await reader.state("acme", { asOf: "2022-06-01" });
    expect(answer.version).toBe(2);
    expect(answer.inForce.map((s) => s.sanctionId)).toEqual(["s1"]);
    expect(views.viewReads).toBe(1);
  });

  it("knownAt reads the head and page as they were recorded then", async () => {
    const { writer, reader, views } = setup();
    await registerAcme(writer);
    const imposed = await writer.append("acme", impose("s1", "2022-03-01"), "t");
    await writer.append(
      "acme",
      { type: "SanctionLifted", data: { sanctionId: "s1", effectiveFrom: "2022-05-01" } },
      "t",
    );
    views.reset();
    const then = await reader.state("acme", {
      asOf: "2022-06-01",
      knownAt: imposed.answer.recordedAt,
    });
    expect(then.version).toBe(2);
    expect(then.inForce.map((s) => s.sanctionId)).toEqual(["s1"]);
    await expect(
      reader.state("acme", { asOf: "2022-06-01", knownAt: "2023-01-01T00:00:00.000Z" }),
    ).rejects.toMatchObject({ name: "EntityNotFound" });
    expect(views.viewReads).toBe(0);
  });
});

describe("verify and the views' witness", () => {
  it("an append landing while verify reads is never taken for a cut stream", async () => {
    const { writer, events, views } = setup();
    await registerAcme(writer);
    await writer.append("acme", impose("s1", "2022-03-01"), "t");
    // The stream is read, then an append lands (event and head), then, if verify has not
    // read its witness yet, it reads the head of that append.
    let readDone = false;
    const read = events.read.bind(events);
    events.read = async (entityId, options) => {
      const page = await read(entityId, options);
      await writer.append("acme", impose("s2", "2022-04-01"), "t");
      readDone = true;
      return page;
    };
    const getRecord = views.getRecord.bind(views);
    views.getRecord = async <T>(kind: RecordKind, key: string, query?: RecordQuery) => {
      for (let i = 0; i < 20 && !readDone; i++) await new Promise((r) => setTimeout(r, 5));
      return getRecord<T>(kind, key, query);
    };
    const verifier = new Ledger({ events, views, now: () => new Date(), newId: () => "v" });
    expect(await verifier.verify("acme")).toMatchObject({ valid: true, version: 2 });
  });
});

describe("a read racing an append", () => {
  it("never joins a head with a page of another version", async () => {
    const { writer, events, views } = setup();
    await registerAcme(writer);
    await writer.append("acme", impose("s1", "2022-03-01"), "t");
    // The page of 2022 is read (still empty: s1 is open-ended), then the lifting of s1
    // lands (it moves s1 from the head to that page), then the heads are read, if not yet.
    let landed = false;
    const getRecord = views.getRecord.bind(views);
    const wait = async () => {
      for (let i = 0; i < 20 && !landed; i++) await new Promise((r) => setTimeout(r, 5));
    };
    views.getRecord = async <T>(kind: RecordKind, key: string, query?: RecordQuery) => {
      if (kind !== "page") await wait();
      const record = await getRecord<T>(kind, key, query);
      if (kind === "page" && !landed) {
        await writer.append(
          "acme",
          { type: "SanctionLifted", data: { sanctionId: "s1", effectiveFrom: "2022-05-01" } },
          "t",
        );
        landed = true;
      }
      return record;
    };
    const head = events.head.bind(events);
    events.head = async (entityId, knownAt) => {
      await wait();
      return head(entityId, knownAt);
    };
    const reader = new Ledger({ events, views, now: () => new Date(), newId: () => "r" });
    const answer = await reader.state("acme", { asOf: "2022-04-01" });
    // s1 was in force on 2022-04-01 both before and after the lifting.
    expect(answer.inForce.map((s) => s.sanctionId)).toEqual(["s1"]);
  });
});
