import { describe, expect, it } from "vitest";
import type { CorrectionNotice, DayNotice } from "../../functions/domain/notices.js";
import type { RecordedRow } from "../../functions/domain/projections/notices.js";
import type { BoundaryRow, ForceRow, NameRow } from "../../functions/domain/rows.js";
import {
  boundarySortKey,
  EVER,
  forceSortKey,
  recordedSortKey,
} from "../../functions/domain/rows.js";
import { packRow, type RowKind, unpackRow } from "../../functions/store/row-format.js";

/** Packs a row as an item keeps it, and reads it back from the item's key. */
function roundTrip(kind: RowKind, sk: string, data: unknown) {
  const packed = packRow(kind, data);
  return { packed, back: unpackRow(kind, sk, packed) };
}

const stored = (rowSk: string) => `${rowSk}#0123456789abcdef#2026-01-02T03:04:05.678Z`;

const inForce: ForceRow = {
  entityId: "ofac-36",
  sanctionId: "ofac-sdn-sdgt",
  authority: "US-OFAC",
  program: "SDGT",
  announcedOn: "2019-01-15",
  effectiveFrom: "2019-01-15",
  end: null,
  from: "2019-01-15",
  until: null,
  measures: ["asset-freeze"],
  scope: null,
  legalBasis: null,
};

describe("rows as their items keep them", () => {
  it("a force row: what its key holds and what is null or a default is left out", () => {
    const sk = stored(forceSortKey(inForce.entityId, inForce.sanctionId, inForce.from));
    const { packed, back } = roundTrip("force", sk, inForce);
    expect(JSON.parse(packed as string)).toEqual({
      a: "US-OFAC",
      p: "SDGT",
      m: ["asset-freeze"],
    });
    expect(back).toEqual(inForce);
  });

  it("a force row whose every term is set, and dates that differ from the defaults", () => {
    const row: ForceRow = {
      ...inForce,
      program: null,
      announcedOn: "2022-02-20",
      effectiveFrom: "2022-03-01",
      end: "2024-01-01",
      from: "2023-05-01",
      until: "2024-01-01",
      measures: ["export-ban", "travel-ban"],
      scope: { goods: ["luxury goods"], hsCodes: ["7113"], note: "a note" },
      legalBasis: "Regulation 2022/1",
    };
    const sk = stored(forceSortKey(row.entityId, row.sanctionId, row.from));
    expect(roundTrip("force", sk, row).back).toEqual(row);
  });

  it("an undetermined row, since ever and since a day", () => {
    for (const since of [null, "2018-01-01"]) {
      const row: ForceRow = {
        entityId: "ofac-36",
        sanctionId: "ofac-sdn-sdgt",
        authority: "US-OFAC",
        program: null,
        from: since ?? EVER,
        until: "2019-01-15",
        measures: ["asset-freeze"],
        undetermined: { reason: "Listed on or before 2019-01-15", since },
      };
      const sk = stored(forceSortKey(row.entityId, row.sanctionId, row.from));
      expect(roundTrip("force", sk, row).back).toEqual(row);
    }
  });

  it("boundary rows: terms before and after, and changes of knowledge", () => {
    const base = {
      entityId: "eu-1",
      sanctionId: "s-1",
      authority: "EU",
      program: null,
      day: "2022-04-01",
    };
    const terms = (measures: ForceRow["measures"], digest: string) => ({ measures, digest });
    const rows: BoundaryRow[] = [
      { ...base, before: null, after: terms(["asset-freeze"], "aa") },
      { ...base, before: terms(["asset-freeze"], "aa"), after: terms(["travel-ban"], "bb") },
      { ...base, program: "P", before: terms(["asset-freeze"], "aa"), after: null },
      {
        ...base,
        before: null,
        after: terms(["asset-freeze"], "aa"),
        undetermined: { change: "determined", measures: ["asset-freeze"] },
      },
      {
        ...base,
        before: null,
        after: null,
        undetermined: { change: "undetermined", measures: ["travel-ban"] },
      },
      {
        ...base,
        before: null,
        after: terms(["asset-freeze"], "aa"),
        undetermined: { change: "determined", measures: ["travel-ban"] },
      },
    ];
    for (const row of rows) {
      const sk = stored(boundarySortKey(row.day, row.entityId, row.sanctionId));
      expect(roundTrip("boundary", sk, row).back).toEqual(row);
    }
  });

  it("a search row keeps the name alone, a record-time entry nothing", () => {
    const name: NameRow = { entityId: "ofac-2184", matched: "VIAJES GUAMA, S.A." };
    const named = roundTrip("name", "guama#ofac-2184#5efcaa5f0184d392", name);
    expect(named).toEqual({ packed: "VIAJES GUAMA, S.A.", back: name });
    const recorded: RecordedRow = {
      entityId: "ofac-36",
      version: 12,
      recordedAt: "2026-01-02T03:04:05.678Z",
    };
    const sk = recordedSortKey(recorded.recordedAt, recorded.entityId, recorded.version);
    expect(roundTrip("recorded", sk, recorded)).toEqual({ packed: undefined, back: recorded });
  });

  it("notices: all but their time and id, which are the key, in their order", () => {
    const corrected: CorrectionNotice = {
      id: "2c4cc93d63b9e7d1fdef438e9e56d660",
      kind: "corrected",
      time: "2026-01-02T03:04:05.678Z",
      entityId: "ofac-1910",
      sanctionId: "ofac-sdn-cuba",
      authority: "US-OFAC",
      days: { from: "2019-01-15", to: "2026-01-02" },
      before: "none",
      after: "in-force",
      versions: [2],
    };
    const day: DayNotice = {
      id: "9f",
      kind: "entered",
      time: "2022-04-01T00:00:00.000Z",
      entityId: "eu-1",
      sanctionId: "s-1",
      authority: "EU",
      on: "2022-04-01",
    };
    for (const notice of [corrected, day]) {
      const { packed, back } = roundTrip("notice", `${notice.time}#${notice.id}`, notice);
      expect(packed).not.toContain(notice.id);
      expect(JSON.stringify(back)).toBe(JSON.stringify(notice));
    }
  });
});
