import { describe, expect, it } from "vitest";
import type { LedgerEvent } from "../../functions/domain/events.js";
import { fold, foldKnownAt } from "../../functions/domain/state.js";
import { entityOn } from "../../functions/domain/timeline.js";
import {
  ENTITY,
  entityAmended,
  given,
  givenFor,
  imposed,
  lifted,
  on,
  recordedAtOf,
  registered,
  retracted,
  statusOn,
} from "./given.js";

function shift(timestamp: string, ms: number): string {
  return new Date(Date.parse(timestamp) + ms).toISOString();
}

describe("foldKnownAt", () => {
  const g = given(
    registered(),
    imposed({ sanctionId: "s" }),
    lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
  );

  it("counts the events with recordedAt <= knownAt", () => {
    for (const version of [1, 2, 3]) {
      const at = recordedAtOf(version);
      expect(foldKnownAt(ENTITY, g.events, at)).toEqual(fold(ENTITY, g.events.slice(0, version)));
      expect(foldKnownAt(ENTITY, g.events, shift(at, -1))).toEqual(
        fold(ENTITY, g.events.slice(0, version - 1)),
      );
      expect(foldKnownAt(ENTITY, g.events, shift(at, 1))).toEqual(
        fold(ENTITY, g.events.slice(0, version)),
      );
    }
  });

  it("counts everything at a later knownAt", () => {
    expect(foldKnownAt(ENTITY, g.events, "2100-01-01T00:00:00.000Z")).toEqual(g.state);
  });

  it("the version is the last version counted", () => {
    expect(foldKnownAt(ENTITY, g.events, recordedAtOf(2)).version).toBe(2);
  });

  it("before the registration there are no details: entityOn is undefined", () => {
    const before = foldKnownAt(ENTITY, g.events, shift(recordedAtOf(1), -1));
    expect(before.version).toBe(0);
    expect(entityOn(before, "2022-04-02")).toBeUndefined();
    expect(entityOn(foldKnownAt(ENTITY, g.events, recordedAtOf(1)), "2022-04-02")).toMatchObject({
      version: 1,
      inForce: [],
      pending: [],
      basis: [1],
    });
  });

  it("the lifting counts only from its recordedAt on", () => {
    const day = "2022-07-01";
    expect(statusOn(foldKnownAt(ENTITY, g.events, shift(recordedAtOf(3), -1)), "s", day)).toBe(
      "inForce",
    );
    expect(statusOn(foldKnownAt(ENTITY, g.events, recordedAtOf(3)), "s", day)).toBe("none");
  });
});

describe("retraction on the recording axis", () => {
  // v2 the wrong imposition, v3 its retraction, v4 the corrected one (a correction)
  const g = given(
    registered(),
    imposed({ sanctionId: "s", effectiveFrom: "2022-04-05" }),
    retracted(2, "wrong effective date"),
    imposed({ sanctionId: "s", effectiveFrom: "2022-04-02" }),
  );

  it("before the retraction's recordedAt, the retracted event still counts", () => {
    const state = foldKnownAt(ENTITY, g.events, shift(recordedAtOf(3), -1));
    expect(statusOn(state, "s", "2022-04-04")).toBe("pending");
    expect(on(state, "2022-04-05")).toMatchObject({ version: 2, basis: [1, 2] });
  });

  it("from the retraction's recordedAt on, the target no longer counts", () => {
    const state = foldKnownAt(ENTITY, g.events, recordedAtOf(3));
    expect(statusOn(state, "s", "2022-04-05")).toBe("none");
    expect(on(state, "2022-04-05")).toMatchObject({ version: 3, inForce: [], basis: [1] });
    expect(state.versions[1]).toMatchObject({ type: "SanctionImposed", retractedBy: 3 });
  });

  it("after the correction, the corrected event counts", () => {
    expect(statusOn(g.state, "s", "2022-04-02")).toBe("inForce");
    expect(on(g.state, "2022-04-02")).toMatchObject({ version: 4, basis: [1, 4] });
  });

  it("a retracted entity amendment stops counting from the retraction on", () => {
    const h = given(registered(), entityAmended({ name: "Wrong name" }), retracted(2));
    expect(on(foldKnownAt(ENTITY, h.events, recordedAtOf(2)), "2022-01-01")).toMatchObject({
      name: "Wrong name",
      basis: [1, 2],
    });
    expect(on(foldKnownAt(ENTITY, h.events, recordedAtOf(3)), "2022-01-01")).toMatchObject({
      name: "VTB Bank",
      basis: [1],
    });
  });
});

describe("the founding example: VTB Bank under a Japanese asset freeze", () => {
  // The report of 2022-03-25: JP announced on 2022-03-03 an asset freeze on VTB Bank that
  // took effect on 2022-04-02.
  const g = given(registered({ name: "VTB Bank", aliases: ["Vneshtorgbank"], country: "RU" }), {
    ...imposed({
      sanctionId: "jp-mof-2022-03-03-vtb",
      authority: "JP",
      program: "RUSSIA",
      measures: ["asset-freeze"],
      announcedOn: "2022-03-03",
      effectiveFrom: "2022-04-02",
    }),
    source: { title: "Japan's measures against Russia", publishedOn: "2022-03-25" },
  });
  const sanctionId = "jp-mof-2022-03-03-vtb";

  it("was pending, not in force, on 2022-03-28", () => {
    const answer = on(g.state, "2022-03-28");
    expect(answer.inForce).toEqual([]);
    expect(answer.pending).toEqual([
      {
        sanctionId,
        authority: "JP",
        program: "RUSSIA",
        measures: ["asset-freeze"],
        scope: null,
        legalBasis: null,
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
        termsFrom: "2022-04-02",
        end: null,
      },
    ]);
    expect(answer.basis).toEqual([1, 2]);
  });

  it("was not in force on 2022-04-01, and in force on 2022-04-02", () => {
    expect(statusOn(g.state, sanctionId, "2022-04-01")).toBe("pending");
    expect(statusOn(g.state, sanctionId, "2022-04-02")).toBe("inForce");
    expect(statusOn(g.state, sanctionId, "2022-04-03")).toBe("inForce");
    expect(statusOn(g.state, sanctionId, "2022-03-02")).toBe("none");
  });

  it("what the ledger knew before it recorded the freeze: nothing about it", () => {
    const state = foldKnownAt(ENTITY, g.events, shift(recordedAtOf(2), -1));
    expect(on(state, "2022-04-05")).toMatchObject({ inForce: [], pending: [], version: 1 });
  });

  it("country-ru: a trade-status revocation known later is not in what was known earlier", () => {
    const ru = givenFor(
      "country-ru",
      registered({ name: "Russia", kind: "country", country: "RU" }),
      imposed({
        sanctionId: "jp-mfn",
        measures: ["trade-status-revoked"],
        announcedOn: "2022-03-16",
        effectiveFrom: "2022-04-02",
      }),
    );
    const events: LedgerEvent[] = ru.events;
    const then = foldKnownAt("country-ru", events, recordedAtOf(1));
    const now = foldKnownAt("country-ru", events, recordedAtOf(2));
    expect(statusOn(then, "jp-mfn", "2022-04-05")).toBe("none");
    expect(statusOn(now, "jp-mfn", "2022-04-05")).toBe("inForce");
  });
});
