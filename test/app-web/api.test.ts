import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, allEvents, api, configureApi } from "../../app/src/api.js";
import { verifyCheckpoint } from "../../app/src/checkpoint.js";
import { corrections, momentsBefore } from "../../app/src/corrections.js";
import { loadDemo } from "../../local/demo.js";
import { startEngine } from "../../local/engine.js";
import { DEMO_CORRECTIONS } from "../support/demo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

/** The app's API client and its reading of corrections, against the demo on a real ledger. */
describe("the app against the demo ledger", () => {
  let ledger: RunningLedger;

  beforeAll(async () => {
    const engine = await startEngine({ tablePrefix: "appweb" });
    await loadDemo(engine);
    ledger = await startLedger(engine, { proofs: true });
    configureApi({ baseUrl: ledger.url });
  });
  afterAll(async () => {
    await ledger.close();
    await ledger.engine.close();
  });

  it("shows the demo's corrections of country-ru as the corrections report defines them", async () => {
    const events = await allEvents("country-ru");
    const now = await api.timeline("country-ru", {});
    const before = new Map(
      await Promise.all(
        momentsBefore(events, now.knownAt).map(
          async (m) => [m, await api.timeline("country-ru", { knownAt: m })] as const,
        ),
      ),
    );
    const views = corrections(events, now.knownAt, now, before);
    expect(
      views.map((v) => ({
        sanctionId: v.sanctionId,
        at: v.at,
        versions: v.versions,
        changes: v.changes,
      })),
    ).toEqual([
      {
        sanctionId: "jp-luxury-export-ban",
        at: "2022-04-01T09:00:00.000Z",
        versions: [4, 5],
        changes: [{ from: "2022-04-01", to: "2022-04-04", before: "in-force", after: "pending" }],
      },
      {
        sanctionId: "jp-mfn-revocation",
        at: "2022-04-20T09:00:00.000Z",
        versions: [6, 7],
        changes: [{ from: "2022-03-25", to: "2022-04-20", before: "in-force", after: "pending" }],
      },
    ]);
  });

  it("as known before the correction, there is none to show", async () => {
    const events = await allEvents("country-ru");
    const knownAt = "2022-03-26T00:00:00.000Z";
    expect(momentsBefore(events, knownAt)).toEqual([]);
    const then = await api.timeline("country-ru", { knownAt });
    expect(corrections(events, knownAt, then, new Map())).toEqual([]);
  });

  it("the corrections report of the demo's window, through the app's client", async () => {
    const page = await api.corrections({
      from: "2022-03-26T00:00:00Z",
      to: "2022-05-01T00:00:00Z",
    });
    expect(page.items).toEqual(DEMO_CORRECTIONS);
  });

  it("every event of the demo is proven included in the latest signed checkpoint", async () => {
    const events = await allEvents("country-ru");
    const result = await verifyCheckpoint("country-ru", events);
    if (result.state !== "verified") throw new Error(`${result.state}: ${result.detail}`);
    expect(result.origin).toBe((await api.latestCheckpoint()).origin);
    expect(result.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect([...result.inclusion.values()]).toEqual(
      events.map((e) => ({ state: "included", leafIndex: e.leafIndex })),
    );
  });

  it("an error answer becomes an ApiError carrying the problem's detail", async () => {
    const error = await api.entity("country-ru", { asOf: "2022-02-30" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toBe((error as ApiError).problem.detail);
    const unknown = await api.entity("nobody", {}).catch((e: unknown) => e);
    expect((unknown as ApiError).status).toBe(404);
  });
});
