import { describe, expect, it } from "vitest";
import { RuleViolation } from "../../functions/domain/errors.js";
import type { BoundaryRow, ForceRow } from "../../functions/domain/rows.js";
import { boundaryRows, diffRows, forceRows } from "../../functions/domain/rows.js";
import { coverageOf } from "../../functions/domain/state.js";
import { entityOn, statusOn, timelines } from "../../functions/domain/timeline.js";
import {
  amended,
  expectError,
  given,
  givenFor,
  imposed,
  lifted,
  registered,
  rejected,
  retracted,
  when,
} from "./given.js";

const REASON = "Listed on or before 2019-01-15";

describe("a sanction whose start is not stated", () => {
  const g = given(
    registered(),
    imposed({
      sanctionId: "ever",
      announcedOn: "2019-01-15",
      effectiveFrom: "2019-01-15",
      undetermined: { reason: REASON },
    }),
    imposed({
      sanctionId: "since",
      announcedOn: "2025-06-01",
      effectiveFrom: "2025-06-01",
      undetermined: { since: "2019-01-15", reason: "between publications" },
    }),
    imposed({ sanctionId: "stated", announcedOn: "2019-01-15", effectiveFrom: "2019-01-15" }),
  );

  it("is undetermined before its start (since ever, or since a day), in force from it", () => {
    expect(statusOn(g.state, "ever", "2018-06-01")).toBe("undetermined");
    expect(statusOn(g.state, "ever", "2019-01-14")).toBe("undetermined");
    expect(statusOn(g.state, "ever", "2019-01-15")).toBe("in-force");
    expect(statusOn(g.state, "since", "2019-01-14")).toBe("none");
    expect(statusOn(g.state, "since", "2019-01-15")).toBe("undetermined");
    expect(statusOn(g.state, "since", "2025-05-31")).toBe("undetermined");
    expect(statusOn(g.state, "since", "2025-06-01")).toBe("in-force");
    expect(statusOn(g.state, "stated", "2018-06-01")).toBe("none");
    expect(statusOn(g.state, "unknown-id", "2018-06-01")).toBe("none");
  });

  it("is listed in `undetermined` with the day its status is known from and why", () => {
    const on = entityOn(g.state, "2018-06-01");
    expect(on?.inForce).toEqual([]);
    expect(on?.pending).toEqual([]);
    expect(on?.undetermined).toEqual([
      {
        sanctionId: "ever",
        authority: "JP",
        knownFrom: "2019-01-15",
        since: null,
        reason: REASON,
        program: null,
      },
    ]);
    expect(on?.basis).toEqual([1, 2]);
    expect(entityOn(g.state, "2020-01-01")?.undetermined.map((u) => u.sanctionId)).toEqual([
      "since",
    ]);
  });

  it("comes before pending, and ends where the sanction ends if it ends before its start", () => {
    const h = given(
      registered(),
      imposed({
        sanctionId: "x",
        announcedOn: "2020-01-01",
        effectiveFrom: "2020-03-01",
        undetermined: { reason: REASON },
      }),
      lifted({ sanctionId: "x", effectiveFrom: "2020-02-01" }),
    );
    expect(statusOn(h.state, "x", "2020-01-15")).toBe("undetermined");
    expect(statusOn(h.state, "x", "2020-02-01")).toBe("none");
    expect(timelines(h.state)[0]?.undetermined).toEqual({
      since: null,
      until: "2020-02-01",
      reason: REASON,
    });
  });

  it("must be undetermined since a day before its start", () => {
    const g2 = given(registered());
    const error = rejected(() =>
      when(
        g2,
        imposed({
          sanctionId: "x",
          effectiveFrom: "2020-01-01",
          announcedOn: "2020-01-01",
          undetermined: { since: "2020-01-01", reason: REASON },
        }),
      ),
    );
    expectError(error, RuleViolation, 422, "/data/undetermined/since");
  });
});

describe("a list's stream", () => {
  const publication = (publishedOn: string) => ({
    type: "PublicationImported" as const,
    data: { list: "ofac-sdn", publishedOn, title: "OFAC SDN list", entries: 2 },
  });

  it("records the publications imported, the first publication's date, and corrections", () => {
    const g = givenFor(
      "list-ofac-sdn",
      registered({ name: "OFAC SDN list", kind: "list" }),
      publication("2025-06-01"),
      publication("2019-01-15"),
      publication("2020-01-01"),
      retracted(4),
    );
    const coverage = coverageOf(g.state);
    expect(coverage.firstPublishedOn).toBe("2019-01-15");
    expect(coverage.publications.map((p) => p.publishedOn)).toEqual(["2019-01-15", "2025-06-01"]);
  });

  it("takes a publication once, and only on an entity of kind list", () => {
    const g = givenFor("list-ofac-sdn", registered({ kind: "list" }), publication("2019-01-15"));
    expectError(
      rejected(() => when(g, publication("2019-01-15"))),
      RuleViolation,
      422,
      "/data/publishedOn",
    );
    expectError(
      rejected(() => when(given(registered()), publication("2019-01-15"))),
      RuleViolation,
      422,
      "/type",
    );
  });
});

describe("the rows of a sanction whose start is not stated", () => {
  const before = given(
    registered(),
    imposed({
      sanctionId: "since",
      announcedOn: "2025-06-01",
      effectiveFrom: "2025-06-01",
      measures: ["asset-freeze"],
      undetermined: { since: "2019-01-15", reason: "between publications" },
    }),
  );
  const after = given(
    ...before.events.map((e) => ({ type: e.type, data: e.data }) as never),
    amended({ sanctionId: "since", effectiveFrom: "2025-06-01", measures: ["travel-ban"] }),
  );

  it("keep in the undetermined row only what /sanctions lists for it", () => {
    const row = forceRows(before.state)
      .map((r) => r.data as ForceRow)
      .find((r) => r.undetermined);
    expect(row).toEqual({
      entityId: before.entityId,
      sanctionId: "since",
      authority: "JP",
      program: null,
      from: "2019-01-15",
      until: "2025-06-01",
      measures: ["asset-freeze"],
      undetermined: { reason: "between publications", since: "2019-01-15" },
    });
  });

  it("are filed again with the measures an amendment on its start gives it", () => {
    const force = diffRows(forceRows(before.state), forceRows(after.state));
    const opened = [...force.opened.values()].map((r) => r.data as ForceRow);
    expect(opened.filter((r) => r.undetermined).map((r) => r.measures)).toEqual([
      ["travel-ban"],
      ["travel-ban"],
    ]);
    const changes = diffRows(boundaryRows(before.state), boundaryRows(after.state));
    const marks = [...changes.opened.values()]
      .map((r) => r.data as BoundaryRow)
      .filter((r) => r.undetermined?.change === "undetermined");
    expect(marks.map((r) => r.undetermined?.measures)).toEqual([["travel-ban"], ["travel-ban"]]);
  });
});
