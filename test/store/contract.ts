import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import type { DerivedWrite } from "../../functions/domain/projections/index.js";
import type { IndexRow } from "../../functions/domain/rows.js";
import { boundarySortKey, forceSortKey } from "../../functions/domain/rows.js";
import { initialState } from "../../functions/domain/state.js";
import type { EventRecord, EventStore, ViewStore } from "../../functions/store/ports.js";
import { VersionTaken } from "../../functions/store/ports.js";
import { VIEW_KEYS } from "../../functions/store/views.js";

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

    const at = (v: number) => new Date(Date.UTC(2022, 2, 1, 0, 0, v)).toISOString();
    // Rows keyed as the projection keys them: a row's content is read back from its key.
    const force = (pk: string, sanctionId: string, from: string): IndexRow => ({
      kind: "force",
      pk,
      sk: forceSortKey(entity, sanctionId, from),
      key: `${pk}|${sanctionId}|${from}`,
      data: {
        entityId: entity,
        sanctionId,
        authority: "EU",
        program: null,
        announcedOn: "2022-01-01",
        effectiveFrom: "2022-01-01",
        end: null,
        from,
        until: null,
        measures: ["asset-freeze"],
        scope: null,
        legalBasis: null,
      },
    });
    const boundary = (pk: string, day: string): IndexRow => ({
      kind: "boundary",
      pk,
      sk: boundarySortKey(day, entity, "x"),
      key: `${pk}|${day}`,
      data: {
        entityId: entity,
        sanctionId: "x",
        authority: "EU",
        program: "P",
        day,
        before: null,
        after: { measures: ["asset-freeze"], digest: "d" },
      },
    });
    const open = (row: IndexRow, id: string, from: string): DerivedWrite => ({
      type: "open",
      row,
      id,
      from,
    });
    const close = (row: IndexRow, id: string, from: string, until: string): DerivedWrite => ({
      type: "close",
      row,
      id,
      from,
      until,
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

    it("opens rows once, closes them once, and reads them in sort-key order", async () => {
      const pk = `rows-${entity}`;
      const a = force(pk, "a", "2022-04-02");
      const b = force(pk, "b", "2022-04-05");
      const c = force(pk, "c", "2022-05-01");
      await views.write([open(b, "idb", "T1"), open(a, "ida", "T1")]);
      await views.write([open(c, "idc", "T2"), close(a, "ida", "T1", "T3")]);
      // idempotent: a late projector writing the same items again changes nothing
      await views.write([open(a, "ida", "T1")]);
      await views.write([close(a, "ida", "T1", "T3")]);
      const all = await views.queryRows(pk, {}, 10);
      expect(all.rows.map((r) => [r.sk, r.recordedFrom, r.recordedUntil])).toEqual([
        [VIEW_KEYS.row(a, "ida", "T1"), "T1", "T3"],
        [VIEW_KEYS.row(b, "idb", "T1"), "T1", null],
        [VIEW_KEYS.row(c, "idc", "T2"), "T2", null],
      ]);
      expect(all.rows[0]).toMatchObject({ pk, kind: "force", data: a.data });
      expect(all.next).toBeUndefined();
    });

    it("answers a row's close across a page boundary", async () => {
      const pk = `rows-${entity}`;
      const a = force(pk, "a", "2022-04-02");
      const b = force(pk, "b", "2022-04-05");
      await views.write([open(a, "ida", "T1"), close(a, "ida", "T1", "T3"), open(b, "idb", "T1")]);
      const first = await views.queryRows(pk, {}, 1);
      expect(first.rows.map((r) => [r.recordedFrom, r.recordedUntil])).toEqual([["T1", "T3"]]);
      const rest = await views.queryRows(pk, { after: first.next as string }, 10);
      expect(rest.rows.map((r) => r.sk)).toEqual([VIEW_KEYS.row(b, "idb", "T1")]);
    });

    it("reads rows between bounds, by prefix, after a position, and in pages", async () => {
      const pk = `rows-${entity}`;
      const days = ["2022-04-01", "2022-04-02", "2022-04-03", "2022-04-04", "2022-05-01"];
      await views.write(days.map((day) => open(boundary(pk, day), "id", "T")));
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

    it("puts and deletes search rows, current knowledge only", async () => {
      const pk = `word#${entity}`;
      const name = (word: string, matched: string) => ({
        type: "name" as const,
        row: { pk, sk: `${word}#${entity}#${matched.length}`, data: { entityId: entity, matched } },
      });
      const bank = name("bank", "Bank A");
      const banking = name("banking", "Banking B");
      const bar = name("bar", "Bar C");
      await views.write([bank, banking, bar]);
      await views.write([{ type: "unname", pk, sk: banking.row.sk }]);
      const rows = await views.queryRows(pk, { beginsWith: "ban" }, 10);
      expect(rows.rows.map((r) => [r.sk, r.kind, r.recordedFrom, r.data])).toEqual([
        [bank.row.sk, "name", null, { entityId: entity, matched: "Bank A" }],
      ]);
      // a put and a delete of one key in one call: the last wins
      await views.write([bar, { type: "unname", pk, sk: bar.row.sk }]);
      expect((await views.queryRows(pk, { beginsWith: "bar" }, 10)).rows).toEqual([]);
    });

    it("moves an entity's card forward only", async () => {
      const card = (version: number) => ({
        type: "card" as const,
        card: { entityId: entity, version, name: `v${version}`, kind: "other", names: ["d"] },
      });
      expect(await views.getCards([entity])).toEqual(new Map());
      await views.write([card(2)]);
      await views.write([card(1)]);
      expect((await views.getCards([entity, "nobody"])).get(entity)?.name).toBe("v2");
      await views.write([card(3)]);
      expect((await views.getCards([entity])).get(entity)).toEqual(card(3).card);
    });

    it("keeps versions of a record by the moment they were recorded", async () => {
      const version = (v: number, value: unknown): DerivedWrite => ({
        type: "record",
        record: { kind: "head", key: entity, version: v, recordedAt: at(v), value },
      });
      expect(await views.getRecord("head", entity)).toBeUndefined();
      await views.write([version(1, { n: 1 })]);
      await views.write([version(2, { n: 2 }), version(3, { n: 3 })]);
      await views.write([version(2, { n: 2 })]);
      expect(await views.getRecord("head", entity)).toMatchObject({
        kind: "head",
        key: entity,
        version: 3,
        recordedAt: at(3),
        value: { n: 3 },
      });
      expect((await views.getRecord("head", entity, { upTo: at(2) }))?.value).toEqual({ n: 2 });
      expect((await views.getRecord("head", entity, { before: at(2) }))?.value).toEqual({ n: 1 });
      expect(await views.getRecord("head", entity, { upTo: at(0) })).toBeUndefined();
      // another kind, another key: apart
      expect(await views.getRecord("page", entity)).toBeUndefined();
      expect(await views.getRecord("head", `${entity}x`)).toBeUndefined();
    });

    it("keeps a record larger than one item can hold", async () => {
      const aliases = Array.from({ length: 16_000 }, () => randomBytes(24).toString("hex"));
      const value = { ...initialState(entity), aliases };
      expect(gzipSync(JSON.stringify(value)).length).toBeGreaterThan(400 * 1024);
      await views.write([
        {
          type: "record",
          record: { kind: "snapshot", key: entity, version: 100, recordedAt: at(100), value },
        },
      ]);
      const read = await views.getRecord("snapshot", entity);
      expect(read?.value).toEqual(value);
      expect(read?.bytes).toBe(JSON.stringify(value).length);
    });
  });
}
