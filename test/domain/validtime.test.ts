import { describe, expect, it } from "vitest";
import type { IsoDate } from "../../functions/domain/events.js";
import type { EntityState } from "../../functions/domain/state.js";
import { entityOn, sanctionTimeline } from "../../functions/domain/timeline.js";
import {
  amended,
  entityAmended,
  given,
  imposed,
  lifted,
  on,
  registered,
  retracted,
  type Status,
  sanctionOnDay,
  statusOn,
} from "./given.js";

/** Then, on each listed day, the sanction has the listed status. */
function expectDays(state: EntityState, sanctionId: string, days: Record<IsoDate, Status>): void {
  const actual = Object.fromEntries(
    Object.keys(days).map((day) => [day, statusOn(state, sanctionId, day)]),
  );
  expect(actual).toEqual(days);
}

function timelineOf(state: EntityState, sanctionId: string) {
  const s = state.sanctions.find((x) => x.sanctionId === sanctionId);
  if (!s) throw new Error(`no live sanction ${sanctionId}`);
  return sanctionTimeline(s);
}

describe("in force and pending on the edge days", () => {
  it("a bounded sanction: pending from announcedOn, in force from effectiveFrom, out on effectiveUntil", () => {
    const { state } = given(
      registered(),
      imposed({
        sanctionId: "s",
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
        effectiveUntil: "2022-10-01",
      }),
    );
    expectDays(state, "s", {
      "2022-03-02": "none",
      "2022-03-03": "pending",
      "2022-03-04": "pending",
      "2022-04-01": "pending",
      "2022-04-02": "inForce",
      "2022-04-03": "inForce",
      "2022-09-30": "inForce",
      "2022-10-01": "none",
      "2022-10-02": "none",
    });
  });

  it("an open-ended sanction stays in force", () => {
    const { state } = given(registered(), imposed({ sanctionId: "s" }));
    expectDays(state, "s", {
      "2022-04-01": "pending",
      "2022-04-02": "inForce",
      "9999-12-31": "inForce",
    });
    expect(sanctionOnDay(state, "s", "2030-01-01").end).toBeNull();
  });

  it("announced on the day it takes effect: never pending", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", announcedOn: "2022-04-02", effectiveFrom: "2022-04-02" }),
    );
    expectDays(state, "s", {
      "2022-04-01": "none",
      "2022-04-02": "inForce",
      "2022-04-03": "inForce",
    });
  });

  it("a one-day sanction is in force on exactly one day", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", effectiveFrom: "2022-04-02", effectiveUntil: "2022-04-03" }),
    );
    expectDays(state, "s", {
      "2022-04-01": "pending",
      "2022-04-02": "inForce",
      "2022-04-03": "none",
    });
  });

  it("a lifting's effectiveFrom is the first day out of force", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
    );
    expectDays(state, "s", {
      "2022-04-02": "inForce",
      "2022-05-31": "inForce",
      "2022-06-01": "none",
      "2022-06-02": "none",
    });
    expect(sanctionOnDay(state, "s", "2022-05-31").end).toBe("2022-06-01");
  });

  it("a lifting before effectiveUntil ends the sanction early", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", effectiveUntil: "2022-10-01" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
    );
    expectDays(state, "s", { "2022-05-31": "inForce", "2022-06-01": "none", "2022-09-30": "none" });
    expect(sanctionOnDay(state, "s", "2022-05-31").end).toBe("2022-06-01");
  });

  it("a lifting after effectiveUntil changes nothing: effectiveUntil still ends it", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", effectiveUntil: "2022-06-01" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-07-01" }),
    );
    expectDays(state, "s", { "2022-05-31": "inForce", "2022-06-01": "none", "2022-06-30": "none" });
    expect(sanctionOnDay(state, "s", "2022-05-31").end).toBe("2022-06-01");
  });

  it("a sanction lifted before it takes effect is never in force and stops being pending on the lifting date", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", announcedOn: "2022-03-03", effectiveFrom: "2022-04-02" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-03-20" }),
    );
    expectDays(state, "s", {
      "2022-03-02": "none",
      "2022-03-03": "pending",
      "2022-03-19": "pending",
      "2022-03-20": "none",
      "2022-03-21": "none",
      "2022-04-01": "none",
      "2022-04-02": "none",
      "2022-04-03": "none",
    });
    expect(sanctionOnDay(state, "s", "2022-03-19").end).toBe("2022-03-20");
    expect(timelineOf(state, "s").intervals).toEqual([]);
  });

  it("a sanction lifted on its effectiveFrom is pending until the day before, never in force", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-04-02" }),
    );
    expectDays(state, "s", { "2022-04-01": "pending", "2022-04-02": "none", "2022-04-03": "none" });
  });

  it("a sanction lifted on its announcement day is never pending nor in force", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-03-03" }),
    );
    expectDays(state, "s", {
      "2022-03-02": "none",
      "2022-03-03": "none",
      "2022-03-04": "none",
      "2022-04-02": "none",
    });
  });

  it("a retracted lifting no longer ends the sanction", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
      retracted(3),
    );
    expectDays(state, "s", { "2022-06-01": "inForce", "2030-01-01": "inForce" });
  });

  it("a retracted imposition is neither in force nor pending", () => {
    const { state } = given(registered(), imposed({ sanctionId: "s" }), retracted(2));
    expectDays(state, "s", { "2022-03-10": "none", "2022-04-02": "none" });
    expect(on(state, "2022-04-02")).toMatchObject({ inForce: [], pending: [], basis: [1] });
  });
});

describe("amendments", () => {
  const base = imposed({
    sanctionId: "s",
    measures: ["asset-freeze"],
    scope: { note: "all assets" },
    legalBasis: "FEFTA art. 16",
    effectiveUntil: "2022-10-01",
  });

  it("a named field replaces the old value from its effectiveFrom on", () => {
    const { state } = given(
      registered(),
      base,
      amended({
        sanctionId: "s",
        effectiveFrom: "2022-05-01",
        measures: ["asset-freeze", "export-ban"],
      }),
    );
    expect(sanctionOnDay(state, "s", "2022-04-30")).toEqual({
      sanctionId: "s",
      authority: "JP",
      program: null,
      measures: ["asset-freeze"],
      scope: { note: "all assets" },
      legalBasis: "FEFTA art. 16",
      announcedOn: "2022-03-03",
      effectiveFrom: "2022-04-02",
      termsFrom: "2022-04-02",
      end: "2022-10-01",
    });
    expect(sanctionOnDay(state, "s", "2022-05-01")).toMatchObject({
      measures: ["asset-freeze", "export-ban"],
      scope: { note: "all assets" },
      legalBasis: "FEFTA art. 16",
      termsFrom: "2022-05-01",
      effectiveFrom: "2022-04-02",
      end: "2022-10-01",
    });
    expect(sanctionOnDay(state, "s", "2022-05-02")).toMatchObject({
      measures: ["asset-freeze", "export-ban"],
      termsFrom: "2022-05-01",
    });
  });

  it("fields not named keep their values; scope and legalBasis null clear them", () => {
    const { state } = given(
      registered(),
      base,
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", scope: { goods: ["luxury"] } }),
      amended({ sanctionId: "s", effectiveFrom: "2022-06-01", legalBasis: null }),
      amended({ sanctionId: "s", effectiveFrom: "2022-07-01", scope: null }),
    );
    const terms = (day: IsoDate) => {
      const { measures, scope, legalBasis, termsFrom } = sanctionOnDay(state, "s", day);
      return { measures, scope, legalBasis, termsFrom };
    };
    expect(terms("2022-05-31")).toEqual({
      measures: ["asset-freeze"],
      scope: { goods: ["luxury"] },
      legalBasis: "FEFTA art. 16",
      termsFrom: "2022-05-01",
    });
    expect(terms("2022-06-01")).toEqual({
      measures: ["asset-freeze"],
      scope: { goods: ["luxury"] },
      legalBasis: null,
      termsFrom: "2022-06-01",
    });
    expect(terms("2022-07-01")).toEqual({
      measures: ["asset-freeze"],
      scope: null,
      legalBasis: null,
      termsFrom: "2022-07-01",
    });
  });

  it("apply in effectiveFrom order, not in recording order", () => {
    const { state } = given(
      registered(),
      base,
      amended({ sanctionId: "s", effectiveFrom: "2022-06-01", measures: ["travel-ban"] }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
    );
    expect(sanctionOnDay(state, "s", "2022-04-30").measures).toEqual(["asset-freeze"]);
    expect(sanctionOnDay(state, "s", "2022-05-01").measures).toEqual(["export-ban"]);
    expect(sanctionOnDay(state, "s", "2022-05-31").measures).toEqual(["export-ban"]);
    expect(sanctionOnDay(state, "s", "2022-06-01").measures).toEqual(["travel-ban"]);
  });

  it("on the same effectiveFrom, the later version wins", () => {
    const { state } = given(
      registered(),
      base,
      amended({
        sanctionId: "s",
        effectiveFrom: "2022-05-01",
        measures: ["export-ban"],
        legalBasis: "A",
      }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["travel-ban"] }),
    );
    expect(sanctionOnDay(state, "s", "2022-05-01")).toMatchObject({
      measures: ["travel-ban"],
      legalBasis: "A",
      termsFrom: "2022-05-01",
    });
  });

  it("an amendment on the sanction's effectiveFrom replaces its first terms, also while pending", () => {
    const { state } = given(
      registered(),
      base,
      amended({ sanctionId: "s", effectiveFrom: "2022-04-02", measures: ["export-ban"] }),
    );
    expect(sanctionOnDay(state, "s", "2022-04-02")).toMatchObject({
      measures: ["export-ban"],
      termsFrom: "2022-04-02",
    });
    expect(statusOn(state, "s", "2022-03-10")).toBe("pending");
    expect(sanctionOnDay(state, "s", "2022-03-10")).toMatchObject({
      measures: ["export-ban"],
      termsFrom: "2022-04-02",
    });
  });

  it("a pending sanction is reported with the terms it takes effect with", () => {
    const { state } = given(
      registered(),
      base,
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
    );
    expect(on(state, "2022-04-01").pending).toEqual([
      {
        sanctionId: "s",
        authority: "JP",
        program: null,
        measures: ["asset-freeze"],
        scope: { note: "all assets" },
        legalBasis: "FEFTA art. 16",
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
        termsFrom: "2022-04-02",
        end: "2022-10-01",
      },
    ]);
  });

  describe("effectiveUntil", () => {
    it("extends the end", () => {
      const { state } = given(
        registered(),
        base,
        amended({ sanctionId: "s", effectiveFrom: "2022-09-01", effectiveUntil: "2023-01-01" }),
      );
      expectDays(state, "s", {
        "2022-09-30": "inForce",
        "2022-10-01": "inForce",
        "2022-12-31": "inForce",
        "2023-01-01": "none",
        "2023-01-02": "none",
      });
      // the end is the sanction's, whatever the day asked about
      expect(sanctionOnDay(state, "s", "2022-04-02").end).toBe("2023-01-01");
      // an amendment of the end alone does not start new terms
      expect(sanctionOnDay(state, "s", "2022-09-15").termsFrom).toBe("2022-04-02");
    });

    it("shortens the end", () => {
      const { state } = given(
        registered(),
        base,
        amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: "2022-07-01" }),
      );
      expectDays(state, "s", {
        "2022-06-30": "inForce",
        "2022-07-01": "none",
        "2022-09-30": "none",
      });
      expect(sanctionOnDay(state, "s", "2022-04-02").end).toBe("2022-07-01");
    });

    it("null clears the end", () => {
      const { state } = given(
        registered(),
        base,
        amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: null }),
      );
      expectDays(state, "s", { "2022-10-01": "inForce", "2099-01-01": "inForce" });
      expect(sanctionOnDay(state, "s", "2022-10-01").end).toBeNull();
    });

    it("the last amendment in (effectiveFrom, version) order decides the end", () => {
      const later = given(
        registered(),
        base,
        amended({ sanctionId: "s", effectiveFrom: "2022-06-01", effectiveUntil: "2023-01-01" }),
        amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: "2022-12-01" }),
      );
      expect(sanctionOnDay(later.state, "s", "2022-04-02").end).toBe("2023-01-01");
      const tie = given(
        registered(),
        base,
        amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: "2023-01-01" }),
        amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: "2022-12-01" }),
      );
      expect(sanctionOnDay(tie.state, "s", "2022-04-02").end).toBe("2022-12-01");
    });

    it("a lifting before the amended end still ends it first", () => {
      const { state } = given(
        registered(),
        base,
        amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: null }),
        lifted({ sanctionId: "s", effectiveFrom: "2022-08-01" }),
      );
      expectDays(state, "s", { "2022-07-31": "inForce", "2022-08-01": "none" });
      expect(sanctionOnDay(state, "s", "2022-07-31").end).toBe("2022-08-01");
    });

    it("a retracted amendment of the end no longer counts", () => {
      const { state } = given(
        registered(),
        base,
        amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: null }),
        retracted(3),
      );
      expectDays(state, "s", { "2022-09-30": "inForce", "2022-10-01": "none" });
    });
  });

  it("terms amended after a later lifting date do not apply", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-07-01", measures: ["export-ban"] }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
    );
    expect(timelineOf(state, "s").intervals).toEqual([
      {
        from: "2022-04-02",
        until: "2022-06-01",
        measures: ["asset-freeze"],
        scope: null,
        legalBasis: null,
        basis: [2, 4],
      },
    ]);
  });
});

describe("sanctionTimeline", () => {
  it("one interval for an unamended sanction, until the end (exclusive) or null", () => {
    const open = given(registered(), imposed({ sanctionId: "s", program: "RUSSIA" }));
    expect(timelineOf(open.state, "s")).toEqual({
      sanctionId: "s",
      authority: "JP",
      program: "RUSSIA",
      announcedOn: "2022-03-03",
      effectiveFrom: "2022-04-02",
      end: null,
      endBasis: [],
      initialTerms: { measures: ["asset-freeze"], scope: null, legalBasis: null, basis: [2] },
      intervals: [
        {
          from: "2022-04-02",
          until: null,
          measures: ["asset-freeze"],
          scope: null,
          legalBasis: null,
          basis: [2],
        },
      ],
      undetermined: null,
    });
    const bounded = given(registered(), imposed({ sanctionId: "s", effectiveUntil: "2022-10-01" }));
    expect(timelineOf(bounded.state, "s")).toMatchObject({
      end: "2022-10-01",
      endBasis: [2],
      intervals: [{ from: "2022-04-02", until: "2022-10-01", basis: [2] }],
    });
  });

  it("one interval per stretch of unchanged terms, each basis naming the events whose terms hold", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-06-01", measures: ["travel-ban"] }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-09-01" }),
    );
    expect(timelineOf(state, "s")).toMatchObject({
      end: "2022-09-01",
      endBasis: [5],
      intervals: [
        { from: "2022-04-02", until: "2022-05-01", measures: ["asset-freeze"], basis: [2] },
        { from: "2022-05-01", until: "2022-06-01", measures: ["export-ban"], basis: [2, 4] },
        // v4's measures no longer hold from 06-01: v3 set them; v5 (the lifting) sets the end.
        { from: "2022-06-01", until: "2022-09-01", measures: ["travel-ban"], basis: [2, 3, 5] },
      ],
    });
  });

  it("two amendments on one day make one interval", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", legalBasis: "B" }),
    );
    expect(timelineOf(state, "s").intervals).toMatchObject([
      { from: "2022-04-02", until: "2022-05-01", basis: [2] },
      {
        from: "2022-05-01",
        until: null,
        measures: ["export-ban"],
        legalBasis: "B",
        basis: [2, 3, 4],
      },
    ]);
  });

  it("merges adjacent stretches with equal terms", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", legalBasis: "A" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", legalBasis: "A" }),
    );
    expect(timelineOf(state, "s").intervals).toEqual([
      {
        from: "2022-04-02",
        until: null,
        measures: ["asset-freeze"],
        scope: null,
        legalBasis: "A",
        basis: [2, 3],
      },
    ]);
  });

  it("does not merge equal terms that are not adjacent", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      amended({ sanctionId: "s", effectiveFrom: "2022-06-01", measures: ["asset-freeze"] }),
    );
    expect(timelineOf(state, "s").intervals.map((i) => [i.from, i.until, i.measures])).toEqual([
      ["2022-04-02", "2022-05-01", ["asset-freeze"]],
      ["2022-05-01", "2022-06-01", ["export-ban"]],
      ["2022-06-01", null, ["asset-freeze"]],
    ]);
  });

  it("an amendment of the end alone adds no interval; the end's version joins the last basis", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", effectiveUntil: "2022-10-01" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: "2022-12-01" }),
    );
    expect(timelineOf(state, "s")).toMatchObject({
      end: "2022-12-01",
      endBasis: [3],
      intervals: [{ from: "2022-04-02", until: "2022-12-01", basis: [2, 3] }],
    });
  });

  it("when a lifting and effectiveUntil fall on the same day, the lifting is the end's basis", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", effectiveUntil: "2022-10-01" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-10-01" }),
    );
    expect(timelineOf(state, "s")).toMatchObject({ end: "2022-10-01", endBasis: [3] });
  });

  it("a sanction lifted before it takes effect has no interval", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-04-01" }),
    );
    expect(timelineOf(state, "s")).toMatchObject({
      end: "2022-04-01",
      endBasis: [4],
      intervals: [],
    });
  });
});

describe("entityOn and basis", () => {
  it("is undefined for an entity never registered", () => {
    expect(entityOn(given().state, "2022-04-02")).toBeUndefined();
  });

  it("reports the details, version, sanctions in force and pending, and the basis", () => {
    const { state } = given(
      registered({ aliases: ["Vneshtorgbank"], identifiers: [{ scheme: "LEI", value: "X" }] }),
      imposed({ sanctionId: "in-force", effectiveFrom: "2022-03-10", announcedOn: "2022-03-03" }),
      imposed({ sanctionId: "pending", effectiveFrom: "2022-04-02" }),
      imposed({ sanctionId: "ended", effectiveFrom: "2022-03-03", effectiveUntil: "2022-03-05" }),
      entityAmended({ country: "RU", aliases: { add: ["VTB"] } }),
    );
    const answer = on(state, "2022-03-28");
    expect(answer).toMatchObject({
      entityId: "ru-vtb-bank",
      name: "VTB Bank",
      kind: "organization",
      aliases: ["Vneshtorgbank", "VTB"],
      country: "RU",
      identifiers: [{ scheme: "LEI", value: "X" }],
      version: 5,
      basis: [1, 2, 3, 5],
    });
    expect(answer.inForce.map((s) => s.sanctionId)).toEqual(["in-force"]);
    expect(answer.pending.map((s) => s.sanctionId)).toEqual(["pending"]);
  });

  it("details follow live entity amendments; a retracted one no longer counts", () => {
    const { state } = given(
      registered({ aliases: ["A", "B"], country: "RU" }),
      entityAmended({ name: "VTB", kind: "other", aliases: { remove: ["A"], add: ["C"] } }),
      entityAmended({ country: null, identifiers: [{ scheme: "SWIFT", value: "VTBRRUMM" }] }),
      entityAmended({ name: "Wrong" }),
      retracted(4),
    );
    expect(on(state, "2022-01-01")).toEqual({
      entityId: "ru-vtb-bank",
      name: "VTB",
      kind: "other",
      aliases: ["B", "C"],
      country: null,
      identifiers: [{ scheme: "SWIFT", value: "VTBRRUMM" }],
      version: 5,
      inForce: [],
      pending: [],
      undetermined: [],
      basis: [1, 2, 3],
    });
  });

  it("the basis of a sanction in force counts the amendments its terms derive from", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", effectiveUntil: "2022-10-01" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      imposed({ sanctionId: "t", effectiveFrom: "2022-06-01" }),
    );
    expect(on(state, "2022-03-01").basis).toEqual([1]);
    expect(on(state, "2022-03-03").basis).toEqual([1, 2, 4]);
    expect(on(state, "2022-04-02").basis).toEqual([1, 2, 4]);
    expect(on(state, "2022-05-01").basis).toEqual([1, 2, 3, 4]);
    expect(on(state, "2022-06-01").basis).toEqual([1, 2, 3, 4]);
    expect(on(state, "2022-10-01").basis).toEqual([1, 4]);
  });

  it("the basis of a sanction lifted in its last stretch includes the lifting", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
    );
    expect(on(state, "2022-03-10").basis).toEqual([1, 2, 3]);
    expect(on(state, "2022-05-31").basis).toEqual([1, 2, 3]);
    expect(on(state, "2022-06-01").basis).toEqual([1]);
  });
});
