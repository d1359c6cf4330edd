import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import type { IndexRow } from "../../functions/domain/projection.js";
import { initialState } from "../../functions/domain/state.js";
import type { EventRecord, EventStore, ViewStore } from "../../functions/store/ports.js";
import { storedSortKey, VersionTaken } from "../../functions/store/ports.js";

/** The behaviour every store implementation must have; run against each of them. */
export function storeContract(
  name: string,
  make: () => Promise<{ events: EventStore; views: ViewStore }>,
): void {
  describe(`store contract: ${name}`, () => {
    let events: EventStore;
    let views: ViewStore;
    let n = 0;
    let entity: string;

    beforeEach(async () => {
      ({ events, views } = await make());
      entity = `e${++n}-${Math.random().toString(36).slice(2, 8)}`;
    });

    const record = (version: number, extra: Partial<EventRecord> = {}): EventRecord => ({
      entityId: entity,
      version,
      eventId: `id-${version}`,
      recordedAt: new Date(Date.UTC(2022, 2, 1, 0, 0, version)).toISOString(),
      type: "EntityAmended",
      hash: "h".repeat(64),
      canonical: `{"v":${version}}`,
      ...extra,
    });

    it("appends and reads back in version order", async () => {
      for (const v of [1, 2, 3]) await events.append(record(v));
      const { records, more } = await events.read(entity);
      expect(records.map((r) => r.version)).toEqual([1, 2, 3]);
      expect(records[1]).toEqual(record(2));
      expect(more).toBe(false);
    });

    it("refuses a taken version and keeps the first", async () => {
      await events.append(record(1));
      await expect(events.append(record(1, { eventId: "other" }))).rejects.toBeInstanceOf(
        VersionTaken,
      );
      const { records } = await events.read(entity);
      expect(records).toEqual([record(1)]);
    });

    it("lets exactly one of concurrent writers take a version", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => events.append(record(1, { eventId: `w${i}` }))),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      expect((await events.read(entity)).records).toHaveLength(1);
    });

    it("finds a record by its eventId", async () => {
      for (const v of [1, 2]) await events.append(record(v));
      expect((await events.findByEventId(entity, "id-2"))?.version).toBe(2);
      expect(await events.findByEventId(entity, "nope")).toBeUndefined();
      expect(await events.findByEventId("other-entity", "id-2")).toBeUndefined();
    });

    it("reads after a version, up to a moment, and in pages", async () => {
      for (const v of [1, 2, 3, 4, 5]) await events.append(record(v));
      const after = await events.read(entity, { afterVersion: 3 });
      expect(after.records.map((r) => r.version)).toEqual([4, 5]);
      const known = await events.read(entity, { knownAt: record(3).recordedAt });
      expect(known.records.map((r) => r.version)).toEqual([1, 2, 3]);
      const knownAfter = await events.read(entity, {
        afterVersion: 1,
        knownAt: record(3).recordedAt,
      });
      expect(knownAfter.records.map((r) => r.version)).toEqual([2, 3]);
      const page = await events.read(entity, { afterVersion: 1, limit: 2 });
      expect(page.records.map((r) => r.version)).toEqual([2, 3]);
      expect(page.more).toBe(true);
      const last = await events.read(entity, { afterVersion: 3, limit: 2 });
      expect(last.records.map((r) => r.version)).toEqual([4, 5]);
      expect(last.more).toBe(false);
    });

    it("reads nothing for an unknown stream", async () => {
      expect(await events.read("nobody-here")).toEqual({ records: [], more: false });
    });

    const row = (pk: string, sk: string, note: string): IndexRow => ({
      kind: "name",
      pk,
      sk,
      key: `${pk}|${sk}|${note}`,
      data: { entityId: entity, name: note, matched: note, words: [note] },
    });

    it("opens rows once, closes them once, and reads them in sort-key order", async () => {
      const pk = `rows-${entity}`;
      const a = row(pk, "2022-04-02#a", "a");
      const b = row(pk, "2022-04-05#b", "b");
      const c = row(pk, "2022-05-01#c", "c");
      await views.openRow(b, "idb", "T1");
      await views.openRow(a, "ida", "T1");
      await views.openRow(c, "idc", "T2");
      await views.closeRow(a, "ida", "T1", "T3");
      // idempotent, and never reopened or moved by a late projector
      await views.openRow(a, "ida", "T1");
      await views.closeRow(a, "ida", "T1", "T4");
      // closing a row that was never opened creates nothing
      await views.closeRow(row(pk, "2022-06-01#d", "d"), "idd", "T1", "T4");
      const all = await views.queryRows(pk, {}, 10);
      expect(all.rows.map((r) => [r.sk, r.recordedFrom, r.recordedUntil])).toEqual([
        [storedSortKey(a, "ida", "T1"), "T1", "T3"],
        [storedSortKey(b, "idb", "T1"), "T1", null],
        [storedSortKey(c, "idc", "T2"), "T2", null],
      ]);
      expect(all.rows[0]).toMatchObject({ pk, kind: "name", data: a.data });
      expect(all.next).toBeUndefined();
    });

    it("reads rows between bounds, by prefix, after a position, and in pages", async () => {
      const pk = `rows-${entity}`;
      const days = ["2022-04-01", "2022-04-02", "2022-04-03", "2022-04-04", "2022-05-01"];
      for (const day of days) await views.openRow(row(pk, `${day}#x`, day), "id", "T");
      const sks = async (range: Parameters<ViewStore["queryRows"]>[1], limit = 10) =>
        (await views.queryRows(pk, range, limit)).rows.map((r) => r.sk.slice(0, 10));
      expect(await sks({ between: ["2022-04-02", "2022-04-03#\uffff"] })).toEqual([
        "2022-04-02",
        "2022-04-03",
      ]);
      expect(await sks({ beginsWith: "2022-04" })).toEqual(days.slice(0, 4));
      expect(await sks({ after: "2022-04-03$" })).toEqual(["2022-04-04", "2022-05-01"]);
      const first = await views.queryRows(pk, { beginsWith: "2022-04" }, 2);
      expect(first.rows).toHaveLength(2);
      expect(first.next).toBeDefined();
      const second = await views.queryRows(
        pk,
        { beginsWith: "2022-04", after: first.next as string },
        2,
      );
      expect(second.rows.map((r) => r.sk.slice(0, 10))).toEqual(["2022-04-03", "2022-04-04"]);
      const between = await views.queryRows(
        pk,
        { between: ["2022-04-01", "2022-12-31"], after: first.next as string },
        10,
      );
      expect(between.rows.map((r) => r.sk.slice(0, 10))).toEqual(days.slice(2));
    });

    it("finds the latest snapshot recorded at or before a moment", async () => {
      const at = (v: number) => new Date(Date.UTC(2022, 2, 1, 0, 0, v)).toISOString();
      const snap = (v: number) => ({
        entityId: entity,
        version: v,
        state: { ...initialState(entity), version: v, headRecordedAt: at(v) },
      });
      expect(await views.getSnapshot(entity, at(500))).toBeUndefined();
      for (const v of [100, 200, 300]) await views.putSnapshot(snap(v));
      await views.putSnapshot(snap(200));
      expect((await views.getSnapshot(entity, at(99)))?.version).toBeUndefined();
      expect((await views.getSnapshot(entity, at(100)))?.version).toBe(100);
      expect((await views.getSnapshot(entity, at(299)))?.version).toBe(200);
      expect(await views.getSnapshot(entity, at(400))).toEqual(snap(300));
    });

    it("keeps a state larger than one item can hold", async () => {
      const aliases = Array.from({ length: 16_000 }, () => randomBytes(24).toString("hex"));
      const state = {
        ...initialState(entity),
        version: 1,
        entityEvents: [{ version: 1, data: { name: "big", kind: "other" as const, aliases } }],
      };
      expect(gzipSync(JSON.stringify(state)).length).toBeGreaterThan(400 * 1024);
      expect(await views.putEntity({ entityId: entity, version: 1, state })).toBe(true);
      expect((await views.getEntity(entity))?.state).toEqual(state);
      const later = { ...state, version: 100, headRecordedAt: "2022-03-01T00:00:00.000Z" };
      await views.putSnapshot({ entityId: entity, version: 100, state: later });
      expect((await views.getSnapshot(entity, "2022-03-02T00:00:00.000Z"))?.state).toEqual(later);
    });

    it("knows the stream's head, now and at a moment", async () => {
      expect(await events.head(entity)).toBeUndefined();
      for (const v of [1, 2, 3]) await events.append(record(v));
      expect(await events.head(entity)).toEqual({ version: 3, recordedAt: record(3).recordedAt });
      expect(await events.head(entity, record(2).recordedAt)).toEqual({
        version: 2,
        recordedAt: record(2).recordedAt,
      });
      expect(await events.head(entity, "2022-02-28T00:00:00.000Z")).toBeUndefined();
    });

    it("keeps versions of the read model's heads and pages by the moment they were recorded", async () => {
      const at = (v: number) => new Date(Date.UTC(2022, 2, 1, 0, 0, v)).toISOString();
      const head = (v: number) => ({
        entityId: entity,
        version: v,
        headHash: "h".repeat(64),
        headRecordedAt: at(v),
        details: {
          name: `v${v}`,
          kind: "other" as const,
          aliases: [],
          country: null,
          identifiers: [],
        },
        detailsBasis: [1],
        unpaged: [],
      });
      const page = (v: number, year: number, ids: string[]) => ({
        entityId: entity,
        year,
        version: v,
        recordedAt: at(v),
        sanctions: ids.map((sanctionId, i) => ({
          sanctionId,
          version: i + 2,
          authority: "EU",
          program: null,
          announcedOn: `${year}-01-01`,
          effectiveFrom: `${year}-01-01`,
          end: `${year}-06-01`,
          endBasis: [v],
          initialTerms: {
            measures: ["asset-freeze" as const],
            scope: null,
            legalBasis: null,
            basis: [2],
          },
          intervals: [],
        })),
      });
      expect(await views.getHead(entity)).toBeUndefined();
      expect(await views.getPage(entity, 2022)).toBeUndefined();
      for (const v of [1, 2, 3]) await views.putHead(head(v));
      await views.putHead(head(2));
      await views.putPage(page(2, 2022, ["a"]));
      await views.putPage(page(3, 2022, []));
      await views.putPage(page(3, 2021, ["b"]));
      expect(await views.getHead(entity)).toEqual(head(3));
      expect(await views.getHead(entity, at(2))).toEqual(head(2));
      expect(await views.getHead(entity, at(0))).toBeUndefined();
      expect(await views.getPage(entity, 2022)).toEqual(page(3, 2022, []));
      expect(await views.getPage(entity, 2022, at(2))).toEqual(page(2, 2022, ["a"]));
      expect(await views.getPage(entity, 2022, at(1))).toBeUndefined();
      expect(await views.getPage(entity, 2021)).toEqual(page(3, 2021, ["b"]));
      expect(await views.getPage(entity, 2020)).toBeUndefined();
    });

    it("stores a view and never moves it backwards", async () => {
      expect(await views.getEntity(entity)).toBeUndefined();
      const state = { ...initialState(entity), version: 2 };
      expect(await views.putEntity({ entityId: entity, version: 2, state })).toBe(true);
      expect(
        await views.putEntity({ entityId: entity, version: 1, state: { ...state, version: 1 } }),
      ).toBe(false);
      expect(await views.putEntity({ entityId: entity, version: 2, state })).toBe(false);
      expect(await views.getEntity(entity)).toEqual({ entityId: entity, version: 2, state });
      expect(
        await views.putEntity({ entityId: entity, version: 3, state: { ...state, version: 3 } }),
      ).toBe(true);
      expect((await views.getEntity(entity))?.version).toBe(3);
      const openRows = { abc: "2022-03-01T00:00:00.000Z" };
      await views.putEntity({ entityId: entity, version: 4, state, openRows });
      expect((await views.getEntity(entity))?.openRows).toEqual(openRows);
    });
  });
}
