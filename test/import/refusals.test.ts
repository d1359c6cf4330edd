import { describe, expect, it } from "vitest";
import { type ImportClient, runImport } from "../../cli/import/run.js";
import { importSetup, sdnEntry, sdnPublication } from "./support.js";

/**
 * What an import does with what the ledger refuses: the entry is reported with its reason,
 * the publication is not recorded as coverage (no `PublicationImported`) until every entry
 * is written, and a correction the importer may not make (a retraction of a sanction
 * amended by hand) is refused and reported, not forced.
 */

const t = importSetup();

async function publicationsRecorded(): Promise<string[]> {
  const res = await t.api.get("/entities/list-ofac-sdn/events?limit=1000");
  if (res.status === 404) return [];
  return (res.body.events as { type: string; data: { publishedOn: string } }[])
    .filter((e) => e.type === "PublicationImported")
    .map((e) => e.data.publishedOn);
}

describe("an import the ledger refuses in part", () => {
  it("reports the refused entry and records no PublicationImported; run again, it completes", async () => {
    // Someone registers an entry of the publication by hand while the import runs: the
    // importer's registration (expectedVersion 0) is refused.
    let raced = false;
    const racing: ImportClient = {
      get: (path, query) => t.client.get(path, query),
      post: async (path, body) => {
        if (!raced && path === "/batches") {
          raced = true;
          const res = await t.api.post("/entities/ofac-901/events", {
            type: "EntityRegistered",
            data: { name: "Registered by hand", kind: "organization" },
          });
          expect(res.status).toBe(201);
        }
        return t.client.post(path, body);
      },
    };
    const p = sdnPublication([sdnEntry("900", ["sdgt"]), sdnEntry("901", ["sdgt"])]);
    const first = await runImport(racing, p, { published: "2020-06-01" });
    expect(first.summary.rejected).toEqual([
      expect.objectContaining({ entityId: "ofac-901", ref: "901" }),
    ]);
    expect(first.summary.rejected[0]?.reason).toMatch(/^EntityRegistered 409/);
    expect(await publicationsRecorded()).toEqual([]);
    // The rest of the publication is written.
    expect((await t.api.get("/entities/ofac-900?asOf=2020-06-01")).body.inForce).toHaveLength(1);

    const again = await runImport(t.client, p, { published: "2020-06-01" });
    expect(again.summary.rejected).toEqual([]);
    expect(await publicationsRecorded()).toEqual(["2020-06-01"]);
    const hand = await t.api.get("/entities/ofac-901?asOf=2020-06-01");
    expect(hand.body.inForce).toHaveLength(1);
  });

  it("refuses and reports a backfill's retraction of a sanction amended by hand", async () => {
    const entries = [sdnEntry("910", ["cuba"])];
    const later = await runImport(t.client, sdnPublication(entries), { published: "2025-06-01" });
    expect(later.summary.rejected).toEqual([]);
    const before = await t.api.get("/entities/ofac-910?asOf=2025-06-01");
    const sanctionId = before.body.inForce[0]?.sanctionId as string;
    const amended = await t.api.post("/entities/ofac-910/events", {
      type: "SanctionAmended",
      data: { sanctionId, effectiveFrom: "2025-07-01", legalBasis: "Amended by hand" },
    });
    expect(amended.status).toBe(201);
    const events = async () =>
      ((await t.api.get("/entities/ofac-910/events?limit=1000")).body.events as unknown[]).length;
    const held = await events();

    // An older publication holding the entry: the import would move the sanction's start,
    // which retracts the imposition; the hand's amendment stands on it, so the ledger refuses.
    const backfill = await runImport(t.client, sdnPublication(entries), {
      published: "2019-01-15",
    });
    expect(backfill.summary.backfill).toBe(true);
    expect(backfill.summary.rejected).toContainEqual(
      expect.objectContaining({
        entityId: "ofac-910",
        reason: expect.stringMatching(/^EventRetracted 422/),
      }),
    );
    // The hand's amendment stands, and the refused correction wrote nothing in its place.
    const after = await t.api.get("/entities/ofac-910?asOf=2025-08-01");
    expect(after.body.inForce[0]).toMatchObject({ sanctionId, legalBasis: "Amended by hand" });
    expect(await events()).toBeGreaterThanOrEqual(held);
  });
});
