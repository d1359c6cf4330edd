import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
beforeAll(async () => {
  api = await startLedger();
});
afterAll(async () => {
  await api.close();
});

const post = (entityId: string, body: unknown) => api.post(`/entities/${entityId}/events`, body);
const state = async (entityId: string, query: string) => {
  const res = await api.get(`/entities/${entityId}?${query}`);
  expect(res.status, `${entityId}?${query}`).toBe(200);
  return res.body;
};
const ids = (list: { sanctionId: string }[]) => list.map((s) => s.sanctionId);

describe("an audit on real 2022 dates", () => {
  const moments: Record<string, string> = {};

  it("records the measures", async () => {
    const reg = await post("ru-vtb-bank", {
      type: "EntityRegistered",
      eventId: "vtb-reg",
      data: { name: "VTB Bank", kind: "organization", aliases: ["VTB Bank PJSC"], country: "RU" },
    });
    expect(reg.status).toBe(201);
    // A first record with a wrong effective date…
    const wrong = await post("ru-vtb-bank", {
      type: "SanctionImposed",
      eventId: "vtb-freeze-wrong",
      expectedVersion: 1,
      data: {
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        measures: ["asset-freeze"],
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-03-03",
      },
      source: { title: "MOF press release", publishedOn: "2022-03-03" },
    });
    expect(wrong.status).toBe(201);
    moments.beforeCorrection = wrong.body.recordedAt;
    await new Promise((r) => setTimeout(r, 5));
    // …corrected by a retraction and the right imposition.
    const retract = await post("ru-vtb-bank", {
      type: "EventRetracted",
      expectedVersion: 2,
      data: { version: 2, reason: "Effective on 2022-04-02, not on announcement" },
    });
    expect(retract.status).toBe(201);
    const right = await post("ru-vtb-bank", {
      type: "SanctionImposed",
      expectedVersion: 3,
      data: {
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        measures: ["asset-freeze"],
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
      },
    });
    expect(right.status).toBe(201);
    moments.afterCorrection = right.body.recordedAt;
  });

  it("tells announced from effective, on the edge days", async () => {
    for (const [day, inForce, pending] of [
      ["2022-03-02", [], []],
      ["2022-03-03", [], ["jp-asset-freeze"]],
      ["2022-03-28", [], ["jp-asset-freeze"]],
      ["2022-04-01", [], ["jp-asset-freeze"]],
      ["2022-04-02", ["jp-asset-freeze"], []],
      ["2022-04-03", ["jp-asset-freeze"], []],
    ] as const) {
      const body = await state("ru-vtb-bank", `asOf=${day}`);
      expect(ids(body.inForce), day).toEqual(inForce);
      expect(ids(body.pending), day).toEqual(pending);
    }
  });

  it("answers as the ledger knew it before and after the correction", async () => {
    const before = await state(
      "ru-vtb-bank",
      `asOf=2022-03-28&knownAt=${moments.beforeCorrection}`,
    );
    expect(ids(before.inForce)).toEqual(["jp-asset-freeze"]);
    expect(before.version).toBe(2);
    expect(before.basis).toEqual([1, 2]);
    expect(before.knownAt).toBe(moments.beforeCorrection);
    const after = await state("ru-vtb-bank", `asOf=2022-03-28&knownAt=${moments.afterCorrection}`);
    expect(ids(after.inForce)).toEqual([]);
    expect(ids(after.pending)).toEqual(["jp-asset-freeze"]);
    expect(after.version).toBe(4);
    expect(after.basis).toEqual([1, 4]);
    const early = await api.get("/entities/ru-vtb-bank?knownAt=2022-01-01T00:00:00.000Z");
    expect(early.status).toBe(404);
  });

  it("lifts a sanction: the lifting's date is the first day out of force", async () => {
    const lift = await post("ru-vtb-bank", {
      type: "SanctionLifted",
      data: { sanctionId: "jp-asset-freeze", effectiveFrom: "2023-01-10", reason: "Delisted" },
    });
    expect(lift.status).toBe(201);
    expect(ids((await state("ru-vtb-bank", "asOf=2023-01-09")).inForce)).toEqual([
      "jp-asset-freeze",
    ]);
    const out = await state("ru-vtb-bank", "asOf=2023-01-10");
    expect(out.inForce).toEqual([]);
    expect(out.pending).toEqual([]);
    const on = await state("ru-vtb-bank", "asOf=2022-06-01");
    expect(on.inForce[0]).toMatchObject({ end: "2023-01-10", termsFrom: "2022-04-02" });
    const again = await post("ru-vtb-bank", {
      type: "SanctionLifted",
      data: { sanctionId: "jp-asset-freeze", effectiveFrom: "2023-02-01" },
    });
    expect(again.status).toBe(422);
  });

  it("records a country-level measure with its amendment on the timeline", async () => {
    await post("country-ru", {
      type: "EntityRegistered",
      data: { name: "Russian Federation", kind: "country", country: "RU" },
    });
    await post("country-ru", {
      type: "SanctionImposed",
      data: {
        sanctionId: "jp-luxury-export-ban",
        authority: "JP",
        measures: ["export-ban"],
        scope: { goods: ["luxury goods"] },
        announcedOn: "2022-03-25",
        effectiveFrom: "2022-04-05",
      },
    });
    const amend = await post("country-ru", {
      type: "SanctionAmended",
      data: {
        sanctionId: "jp-luxury-export-ban",
        effectiveFrom: "2022-05-01",
        scope: { goods: ["luxury goods", "luxury cars"] },
      },
    });
    expect(amend.status).toBe(201);
    const timeline = await api.get("/entities/country-ru/timeline");
    expect(timeline.status).toBe(200);
    expect(timeline.body.sanctions[0]).toMatchObject({
      sanctionId: "jp-luxury-export-ban",
      authority: "JP",
      announcedOn: "2022-03-25",
      intervals: [
        { from: "2022-04-05", until: "2022-05-01", scope: { goods: ["luxury goods"] }, basis: [2] },
        {
          from: "2022-05-01",
          until: null,
          scope: { goods: ["luxury goods", "luxury cars"] },
          basis: [2, 3],
        },
      ],
    });
    const onApr30 = await state("country-ru", "asOf=2022-04-30");
    expect(onApr30.inForce[0].scope.goods).toEqual(["luxury goods"]);
    const onMay1 = await state("country-ru", "asOf=2022-05-01");
    expect(onMay1.inForce[0]).toMatchObject({
      termsFrom: "2022-05-01",
      effectiveFrom: "2022-04-05",
    });
    expect(onMay1.basis).toEqual([1, 2, 3]);
  });

  it("verifies the chain", async () => {
    const res = await api.get("/entities/ru-vtb-bank/verify");
    expect(res.body).toEqual({
      valid: true,
      version: 5,
      headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("echoes knownAt as now when none is given", async () => {
    const before = new Date().toISOString();
    const res = await state("ru-vtb-bank", "asOf=2022-04-02");
    expect(res.knownAt >= before).toBe(true);
    expect(res.asOf).toBe("2022-04-02");
  });
});
