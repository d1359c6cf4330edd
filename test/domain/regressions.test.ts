import { describe, expect, it } from "vitest";
import { sanctionTimeline } from "../../functions/domain/timeline.js";
import {
  amended,
  given,
  imposed,
  lifted,
  on,
  registered,
  sanctionOnDay,
  statusOn,
  when,
} from "./given.js";

describe("regressions", () => {
  it("a sanction lifted before it takes effect is reported while pending with its measures", () => {
    const { state } = given(
      registered(),
      imposed({
        sanctionId: "s",
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
        legalBasis: "FEFTA",
      }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-03-20" }),
    );
    expect(sanctionOnDay(state, "s", "2022-03-10")).toMatchObject({
      measures: ["asset-freeze"],
      legalBasis: "FEFTA",
    });
  });

  it("the basis of that pending sanction includes its imposition", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", announcedOn: "2022-03-03", effectiveFrom: "2022-04-02" }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-03-20" }),
    );
    expect(on(state, "2022-03-10").basis).toEqual([1, 2, 3]);
  });

  it("the basis of a sanction in an earlier stretch includes the version its reported end comes from", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
    );
    const answer = on(state, "2022-04-20");
    expect(answer.inForce[0]?.end).toBe("2022-06-01"); // derived from v4
    expect(answer.basis).toContain(4);
  });

  it("the same for a pending sanction whose end comes from an amendment", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", measures: ["export-ban"] }),
      amended({ sanctionId: "s", effectiveFrom: "2022-05-01", effectiveUntil: "2022-09-01" }),
    );
    const answer = on(state, "2022-03-10");
    expect(answer.pending[0]?.end).toBe("2022-09-01"); // derived from v4
    expect(answer.basis).toContain(4);
  });

  it("equal terms merge whatever the key order of scope", () => {
    const { state } = given(
      registered(),
      imposed({ sanctionId: "s", scope: { goods: ["luxury"], note: "n" } }),
      amended({
        sanctionId: "s",
        effectiveFrom: "2022-05-01",
        scope: { note: "n", goods: ["luxury"] },
      }),
    );
    const s = state.sanctions[0];
    if (!s) throw new Error("no sanction");
    expect(sanctionTimeline(s).intervals).toHaveLength(1);
    expect(sanctionOnDay(state, "s", "2022-05-02").termsFrom).toBe("2022-04-02");
  });

  it("an accepted amendment ending the sanction before a later-dated amendment has no effect", () => {
    const g = given(
      registered(),
      imposed({ sanctionId: "s", effectiveFrom: "2022-04-02" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-06-01", effectiveUntil: "2023-01-01" }),
    );
    const v4 = amended({
      sanctionId: "s",
      effectiveFrom: "2022-04-10",
      effectiveUntil: "2022-05-01",
    });
    expect(when(g, v4)).toEqual(v4); // accepted
    const after = given(
      registered(),
      imposed({ sanctionId: "s", effectiveFrom: "2022-04-02" }),
      amended({ sanctionId: "s", effectiveFrom: "2022-06-01", effectiveUntil: "2023-01-01" }),
      v4,
    );
    // v4 says the sanction ends on 2022-05-01; v3 only speaks from 2022-06-01 on
    expect(statusOn(after.state, "s", "2022-05-15")).toBe("none");
  });
});
