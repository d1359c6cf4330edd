import { describe, expect, it } from "vitest";
import { decide } from "../../functions/domain/decide.js";
import { EntityNotFound, RuleViolation, VersionConflict } from "../../functions/domain/errors.js";
import type { EventBody } from "../../functions/domain/events.js";
import { initialState } from "../../functions/domain/state.js";
import {
  amended,
  command,
  ENTITY,
  entityAmended,
  expectError,
  given,
  imposed,
  lifted,
  registered,
  rejected,
  retracted,
  when,
} from "./given.js";

const freeze = imposed({
  sanctionId: "jp-freeze",
  announcedOn: "2022-03-03",
  effectiveFrom: "2022-04-02",
});

describe("EntityRegistered", () => {
  it("is accepted as version 1 of a new stream", () => {
    // given no events; when registering
    const body = registered({ aliases: ["Vneshtorgbank"], country: "RU" });
    // then the decided event is the command's body
    expect(decide(command(body), initialState(ENTITY))).toEqual(body);
  });

  it("is accepted on a new stream with expectedVersion 0", () => {
    const body = registered();
    expect(decide(command(body, { expectedVersion: 0 }), initialState(ENTITY))).toEqual(body);
  });

  it("is a 422 on an existing entity without expectedVersion", () => {
    const g = given(registered());
    const error = rejected(() => when(g, registered({ name: "VTB" })));
    expectError(error, RuleViolation, 422, "/type");
  });

  it("is a 422 on an existing entity even with the right expectedVersion", () => {
    const g = given(registered(), freeze);
    const error = rejected(() => when(g, registered(), { expectedVersion: 2 }));
    expectError(error, RuleViolation, 422, "/type");
  });

  it("is a 409 VersionConflict with expectedVersion 0 on an existing entity", () => {
    const g = given(registered(), freeze);
    const error = rejected(() => when(g, registered(), { expectedVersion: 0 }));
    expectError(error, VersionConflict, 409, "/expectedVersion");
    expect((error as VersionConflict).currentVersion).toBe(2);
    expect((error as VersionConflict).expectedVersion).toBe(0);
  });

  it("is a 409 with currentVersion 0 when a new stream is expected at another version", () => {
    const error = rejected(() =>
      decide(command(registered(), { expectedVersion: 3 }), initialState(ENTITY)),
    );
    expectError(error, VersionConflict, 409, "/expectedVersion");
    expect((error as VersionConflict).currentVersion).toBe(0);
  });
});

describe("non-registering events on an unknown entity", () => {
  const bodies: EventBody[] = [
    entityAmended({ name: "VTB" }),
    freeze,
    amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
    lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01" }),
    retracted(1),
  ];
  for (const body of bodies) {
    it(`${body.type} is a 404 EntityNotFound`, () => {
      const error = rejected(() => decide(command(body), initialState(ENTITY)));
      expectError(error, EntityNotFound, 404, undefined);
      expect((error as EntityNotFound).entityId).toBe(ENTITY);
    });
  }

  it("is a 404 before a version conflict (the contract's order)", () => {
    const error = rejected(() =>
      decide(command(freeze, { expectedVersion: 4 }), initialState(ENTITY)),
    );
    expect(error).toBeInstanceOf(EntityNotFound);
  });
});

describe("expectedVersion", () => {
  const g = given(registered(), freeze);

  it("matching the head is accepted", () => {
    expect(when(g, entityAmended({ country: "RU" }), { expectedVersion: 2 })).toEqual(
      entityAmended({ country: "RU" }),
    );
  });

  for (const expectedVersion of [1, 3]) {
    it(`${expectedVersion} against head 2 is a 409 with currentVersion 2`, () => {
      const error = rejected(() => when(g, entityAmended({ country: "RU" }), { expectedVersion }));
      expectError(error, VersionConflict, 409, "/expectedVersion");
      expect(error).toMatchObject({ status: 409, expectedVersion, currentVersion: 2 });
    });
  }

  it("is checked before the domain rules (409 before 422)", () => {
    const error = rejected(() => when(g, freeze, { expectedVersion: 1 }));
    expect(error).toBeInstanceOf(VersionConflict);
  });

  it("counts retractions in the version", () => {
    const g2 = given(registered(), freeze, retracted(2));
    const error = rejected(() => when(g2, freeze, { expectedVersion: 2 }));
    expect(error).toMatchObject({ status: 409, currentVersion: 3 });
    expect(when(g2, freeze, { expectedVersion: 3 })).toEqual(freeze);
  });
});

describe("EntityAmended", () => {
  const g = given(registered({ aliases: ["Vneshtorgbank", "VTB"] }));

  it("is accepted when it removes an alias that is there", () => {
    const body = entityAmended({ aliases: { remove: ["VTB"], add: ["Bank VTB"] } });
    expect(when(g, body)).toEqual(body);
  });

  it("is a 422 when it removes an alias that isn't there", () => {
    const error = rejected(() => when(g, entityAmended({ aliases: { remove: ["Sberbank"] } })));
    expectError(error, RuleViolation, 422, "/data/aliases/remove");
  });

  it("is a 422 when it removes an alias already removed by an earlier amendment", () => {
    const g2 = given(
      registered({ aliases: ["VTB"] }),
      entityAmended({ aliases: { remove: ["VTB"] } }),
    );
    const error = rejected(() => when(g2, entityAmended({ aliases: { remove: ["VTB"] } })));
    expectError(error, RuleViolation, 422, "/data/aliases/remove");
  });

  it("may remove an alias again once the amendment that removed it is retracted", () => {
    const g2 = given(
      registered({ aliases: ["VTB"] }),
      entityAmended({ aliases: { remove: ["VTB"] } }),
      retracted(2),
    );
    const body = entityAmended({ aliases: { remove: ["VTB"] } });
    expect(when(g2, body)).toEqual(body);
  });
});

describe("SanctionImposed", () => {
  it("is accepted with announcedOn <= effectiveFrom < effectiveUntil", () => {
    const g = given(registered());
    const body = imposed({
      sanctionId: "s",
      announcedOn: "2022-04-02",
      effectiveFrom: "2022-04-02",
      effectiveUntil: "2022-04-03",
    });
    expect(when(g, body)).toEqual(body);
  });

  it("is a 422 on /data/sanctionId when a live imposition has the id", () => {
    const g = given(registered(), freeze);
    const error = rejected(() => when(g, imposed({ sanctionId: "jp-freeze", authority: "EU" })));
    expectError(error, RuleViolation, 422, "/data/sanctionId");
  });

  it("is a 422 on /data/sanctionId even when the live imposition is lifted", () => {
    const g = given(
      registered(),
      freeze,
      lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01" }),
    );
    const error = rejected(() => when(g, freeze));
    expectError(error, RuleViolation, 422, "/data/sanctionId");
  });

  it("may reuse the sanctionId of a retracted imposition (a correction)", () => {
    const g = given(registered(), freeze, retracted(2));
    const corrected = imposed({ sanctionId: "jp-freeze", effectiveFrom: "2022-04-03" });
    expect(when(g, corrected)).toEqual(corrected);
  });

  it("is accepted for another sanctionId next to a live one", () => {
    const g = given(registered(), freeze);
    const body = imposed({ sanctionId: "jp-export-ban", measures: ["export-ban"] });
    expect(when(g, body)).toEqual(body);
  });

  it("is a 422 on /data/announcedOn when announcedOn is after effectiveFrom", () => {
    const g = given(registered());
    const error = rejected(() =>
      when(g, imposed({ sanctionId: "s", announcedOn: "2022-04-03", effectiveFrom: "2022-04-02" })),
    );
    expectError(error, RuleViolation, 422, "/data/announcedOn");
  });

  for (const effectiveUntil of ["2022-04-02", "2022-04-01"]) {
    it(`is a 422 on /data/effectiveUntil when effectiveUntil ${effectiveUntil} <= effectiveFrom 2022-04-02`, () => {
      const g = given(registered());
      const error = rejected(() =>
        when(g, imposed({ sanctionId: "s", effectiveFrom: "2022-04-02", effectiveUntil })),
      );
      expectError(error, RuleViolation, 422, "/data/effectiveUntil");
    });
  }
});

describe("SanctionAmended", () => {
  // jp-freeze: [2022-04-02, open); bounded: [2022-04-02, 2022-10-01)
  const bounded = imposed({ sanctionId: "bounded", effectiveUntil: "2022-10-01" });
  const g = given(registered(), freeze, bounded);

  it("is a 422 on /data/sanctionId for an unknown sanction", () => {
    const error = rejected(() =>
      when(g, amended({ sanctionId: "nope", effectiveFrom: "2022-05-01", measures: ["other"] })),
    );
    expectError(error, RuleViolation, 422, "/data/sanctionId");
  });

  it("is a 422 on /data/sanctionId for a retracted sanction", () => {
    const g2 = given(registered(), freeze, retracted(2));
    const error = rejected(() =>
      when(
        g2,
        amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01", measures: ["other"] }),
      ),
    );
    expectError(error, RuleViolation, 422, "/data/sanctionId");
  });

  it("is accepted from the sanction's effectiveFrom", () => {
    const body = amended({
      sanctionId: "jp-freeze",
      effectiveFrom: "2022-04-02",
      legalBasis: "FEFTA",
    });
    expect(when(g, body)).toEqual(body);
  });

  it("is a 422 on /data/effectiveFrom the day before the sanction's effectiveFrom", () => {
    const error = rejected(() =>
      when(g, amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-04-01", legalBasis: "x" })),
    );
    expectError(error, RuleViolation, 422, "/data/effectiveFrom");
  });

  it("is a 422 even when the amendment date is on or after announcedOn but before effectiveFrom", () => {
    const error = rejected(() =>
      when(g, amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-03-03", legalBasis: "x" })),
    );
    expectError(error, RuleViolation, 422, "/data/effectiveFrom");
  });

  it("is accepted far in the future of an open-ended sanction", () => {
    const body = amended({
      sanctionId: "jp-freeze",
      effectiveFrom: "2099-12-31",
      measures: ["other"],
    });
    expect(when(g, body)).toEqual(body);
  });

  describe("against an end from effectiveUntil (2022-10-01)", () => {
    it("is accepted the day before the end", () => {
      const body = amended({
        sanctionId: "bounded",
        effectiveFrom: "2022-09-30",
        measures: ["other"],
      });
      expect(when(g, body)).toEqual(body);
    });
    for (const effectiveFrom of ["2022-10-01", "2022-10-02"]) {
      it(`is a 422 on /data/effectiveFrom at ${effectiveFrom}`, () => {
        const error = rejected(() =>
          when(g, amended({ sanctionId: "bounded", effectiveFrom, measures: ["other"] })),
        );
        expectError(error, RuleViolation, 422, "/data/effectiveFrom");
      });
    }
  });

  describe("against an end from a lifting (2022-06-01)", () => {
    const g2 = given(
      registered(),
      freeze,
      lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-06-01" }),
    );
    it("is accepted the day before the lifting", () => {
      const body = amended({
        sanctionId: "jp-freeze",
        effectiveFrom: "2022-05-31",
        measures: ["other"],
      });
      expect(when(g2, body)).toEqual(body);
    });
    for (const effectiveFrom of ["2022-06-01", "2022-06-02"]) {
      it(`is a 422 on /data/effectiveFrom at ${effectiveFrom}`, () => {
        const error = rejected(() =>
          when(g2, amended({ sanctionId: "jp-freeze", effectiveFrom, measures: ["other"] })),
        );
        expectError(error, RuleViolation, 422, "/data/effectiveFrom");
      });
    }
    it("is accepted again at the old lifting date once the lifting is retracted", () => {
      const g3 = given(
        registered(),
        freeze,
        lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-06-01" }),
        retracted(3),
      );
      const body = amended({
        sanctionId: "jp-freeze",
        effectiveFrom: "2022-06-01",
        measures: ["other"],
      });
      expect(when(g3, body)).toEqual(body);
    });
  });

  describe("against an end set by an earlier amendment", () => {
    const g2 = given(
      registered(),
      freeze,
      amended({
        sanctionId: "jp-freeze",
        effectiveFrom: "2022-05-01",
        effectiveUntil: "2022-07-01",
      }),
    );
    it("is a 422 at the amended end", () => {
      const error = rejected(() =>
        when(
          g2,
          amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-07-01", measures: ["other"] }),
        ),
      );
      expectError(error, RuleViolation, 422, "/data/effectiveFrom");
    });
    it("is accepted the day before the amended end", () => {
      const body = amended({
        sanctionId: "jp-freeze",
        effectiveFrom: "2022-06-30",
        measures: ["other"],
      });
      expect(when(g2, body)).toEqual(body);
    });
    it("is accepted after an end cleared by effectiveUntil null", () => {
      const g3 = given(
        registered(),
        bounded,
        amended({ sanctionId: "bounded", effectiveFrom: "2022-05-01", effectiveUntil: null }),
      );
      const body = amended({
        sanctionId: "bounded",
        effectiveFrom: "2023-01-01",
        measures: ["other"],
      });
      expect(when(g3, body)).toEqual(body);
    });
  });

  describe("effectiveUntil", () => {
    for (const effectiveUntil of ["2022-05-01", "2022-04-30"]) {
      it(`is a 422 on /data/effectiveUntil when ${effectiveUntil} <= the amendment's effectiveFrom 2022-05-01`, () => {
        const error = rejected(() =>
          when(
            g,
            amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01", effectiveUntil }),
          ),
        );
        expectError(error, RuleViolation, 422, "/data/effectiveUntil");
      });
    }
    it("is accepted the day after the amendment's effectiveFrom", () => {
      const body = amended({
        sanctionId: "jp-freeze",
        effectiveFrom: "2022-05-01",
        effectiveUntil: "2022-05-02",
      });
      expect(when(g, body)).toEqual(body);
    });
    it("may extend an end beyond the current one", () => {
      const body = amended({
        sanctionId: "bounded",
        effectiveFrom: "2022-09-30",
        effectiveUntil: "2023-10-01",
      });
      expect(when(g, body)).toEqual(body);
    });
    it("may be null to clear the end", () => {
      const body = amended({
        sanctionId: "bounded",
        effectiveFrom: "2022-05-01",
        effectiveUntil: null,
      });
      expect(when(g, body)).toEqual(body);
    });
  });
});

describe("SanctionLifted", () => {
  const g = given(registered(), freeze);

  it("is a 422 on /data/sanctionId for an unknown sanction", () => {
    const error = rejected(() =>
      when(g, lifted({ sanctionId: "nope", effectiveFrom: "2022-05-01" })),
    );
    expectError(error, RuleViolation, 422, "/data/sanctionId");
  });

  it("is a 422 on /data/sanctionId for an already lifted sanction", () => {
    const g2 = given(
      registered(),
      freeze,
      lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01" }),
    );
    const error = rejected(() =>
      when(g2, lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-06-01" })),
    );
    expectError(error, RuleViolation, 422, "/data/sanctionId");
  });

  it("may lift again once the earlier lifting is retracted", () => {
    const g2 = given(
      registered(),
      freeze,
      lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01" }),
      retracted(3),
    );
    const body = lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-06-01" });
    expect(when(g2, body)).toEqual(body);
  });

  it("is a 422 on /data/effectiveFrom the day before announcedOn", () => {
    const error = rejected(() =>
      when(g, lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-03-02" })),
    );
    expectError(error, RuleViolation, 422, "/data/effectiveFrom");
  });

  for (const effectiveFrom of [
    "2022-03-03",
    "2022-03-04",
    "2022-04-01",
    "2022-04-02",
    "2022-04-03",
  ]) {
    it(`is accepted on ${effectiveFrom} (on/after announcedOn, before effectiveFrom allowed)`, () => {
      const body = lifted({ sanctionId: "jp-freeze", effectiveFrom, reason: "delisted" });
      expect(when(g, body)).toEqual(body);
    });
  }

  it("is accepted after the sanction's effectiveUntil", () => {
    const g2 = given(registered(), imposed({ sanctionId: "b", effectiveUntil: "2022-05-01" }));
    const body = lifted({ sanctionId: "b", effectiveFrom: "2022-06-01" });
    expect(when(g2, body)).toEqual(body);
  });
});

describe("EventRetracted", () => {
  // v1 registered, v2 jp-freeze, v3 amendment of jp-freeze, v4 lifting of jp-freeze,
  // v5 entity amendment, v6 other sanction, v7 retraction of v5
  const g = given(
    registered(),
    freeze,
    amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
    lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-06-01" }),
    entityAmended({ name: "VTB" }),
    imposed({ sanctionId: "other" }),
    retracted(5),
  );

  for (const version of [0, 8, 100, -1]) {
    it(`is a 422 on /data/version for a version ${version} not in the stream`, () => {
      const error = rejected(() => when(g, retracted(version)));
      expectError(error, RuleViolation, 422, "/data/version");
    });
  }

  it("is a 422 on /data/version for version 1", () => {
    expectError(
      rejected(() => when(g, retracted(1))),
      RuleViolation,
      422,
      "/data/version",
    );
  });

  it("is a 422 on /data/version for a retraction", () => {
    expectError(
      rejected(() => when(g, retracted(7))),
      RuleViolation,
      422,
      "/data/version",
    );
  });

  it("is a 422 on /data/version for an event already retracted", () => {
    expectError(
      rejected(() => when(g, retracted(5))),
      RuleViolation,
      422,
      "/data/version",
    );
  });

  it("is a 422 on /data/version for an imposition with a live amendment and lifting", () => {
    const error = rejected(() => when(g, retracted(2)));
    expectError(error, RuleViolation, 422, "/data/version");
    expect(error.message).toContain("3, 4");
  });

  it("is a 422 for an imposition with only a live amendment", () => {
    const g2 = given(
      registered(),
      freeze,
      amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
    );
    expectError(
      rejected(() => when(g2, retracted(2))),
      RuleViolation,
      422,
      "/data/version",
    );
  });

  it("is a 422 for an imposition with only a live lifting", () => {
    const g2 = given(
      registered(),
      freeze,
      lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-06-01" }),
    );
    expectError(
      rejected(() => when(g2, retracted(2))),
      RuleViolation,
      422,
      "/data/version",
    );
  });

  it("is accepted for an imposition once its amendments and lifting are retracted", () => {
    const g2 = given(
      registered(),
      freeze,
      amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      lifted({ sanctionId: "jp-freeze", effectiveFrom: "2022-06-01" }),
      retracted(4),
      retracted(3),
    );
    expect(when(g2, retracted(2, "wrong date"))).toEqual(retracted(2, "wrong date"));
  });

  it("is accepted for amendments, liftings, entity amendments and impositions without dependants", () => {
    for (const version of [3, 4, 6])
      expect(when(g, retracted(version))).toEqual(retracted(version));
    const g2 = given(registered(), entityAmended({ name: "VTB" }));
    expect(when(g2, retracted(2))).toEqual(retracted(2));
  });

  it("does not count dependants of a retracted earlier imposition with the same sanctionId", () => {
    // v2 imposed and retracted (v3); v4 the corrected imposition; v5 its amendment
    const g2 = given(
      registered(),
      freeze,
      retracted(2),
      imposed({ sanctionId: "jp-freeze", effectiveFrom: "2022-04-03" }),
      amended({ sanctionId: "jp-freeze", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
    );
    // the amendment belongs to v4, so v4 cannot be retracted, and v2 already is
    expectError(
      rejected(() => when(g2, retracted(4))),
      RuleViolation,
      422,
      "/data/version",
    );
    expectError(
      rejected(() => when(g2, retracted(2))),
      RuleViolation,
      422,
      "/data/version",
    );
    expect(g2.state.sanctions.map((s) => [s.version, s.amendments.map((a) => a.version)])).toEqual([
      [4, [5]],
    ]);
  });
});
