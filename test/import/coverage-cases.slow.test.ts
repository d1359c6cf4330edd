import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Publication } from "../../cli/import/model.js";
import { parseOfacCsv } from "../../cli/import/ofac.js";
import { runImport } from "../../cli/import/run.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { expectProjected } from "../support/projection.js";
import { DATA, importSetup } from "./support.js";

/**
 * Coverage and backfill on the real publications: OFAC's SDN list of January 2019 (the
 * entries the 2025 excerpt also holds, and a few others) and the 2025 excerpt, imported in
 * both orders into two ledgers.
 */

const SDN_2019 = "2019-01-15";
const SDN_2025 = "2025-06-01";
/** In both publications; only in 2019; only in 2025. */
const BOTH = "ofac-10278";
const ONLY_2019 = "ofac-36";
const ONLY_2025 = "ofac-47371";

async function publications(): Promise<[Publication, Publication]> {
  const [full2019, sample2025] = await Promise.all([
    parseOfacCsv(join(DATA, "ofac-sdn-2019")),
    parseOfacCsv(join(DATA, "ofac-sdn-sample-2025")),
  ]);
  const in2025 = new Set(sample2025.entries.map((e) => e.entityId));
  const excerpt = {
    ...full2019,
    entries: full2019.entries.filter((e, i) => in2025.has(e.entityId) || i < 5),
  };
  return [excerpt, sample2025];
}

const forward = importSetup();
const backward = importSetup();

/** An answer without what differs with the order of imports (versions, list order). */
async function answer(t: typeof forward, entityId: string, asOf: string, knownAt?: string) {
  const res = await t.api.get(
    `/entities/${entityId}?asOf=${asOf}${knownAt ? `&knownAt=${knownAt}` : ""}`,
  );
  expect(res.status).toBe(200);
  const { version: _v, basis: _b, knownAt: _k, ...rest } = res.body;
  return rest;
}

describe("the 2019 SDN publication and a 2025 one", () => {
  let p2019: Publication;
  let p2025: Publication;
  let beforeBackfill: string;

  it("imported in date order: a 2019 entry asked about 2018 is undetermined, not 'none'", async () => {
    [p2019, p2025] = await publications();
    const { summary } = await runImport(forward.client, p2019, { published: SDN_2019 });
    expect(summary.rejected).toEqual([]);
    const on2018 = await answer(forward, ONLY_2019, "2018-06-01");
    expect(on2018.inForce).toEqual([]);
    expect(on2018.undetermined).toEqual([
      {
        sanctionId: "ofac-sdn-cuba",
        authority: "US-OFAC",
        knownFrom: SDN_2019,
        since: null,
        reason: `Listed on or before ${SDN_2019}: the OFAC Specially Designated Nationals (SDN) list published that day states no listing date`,
        program: "CUBA",
      },
    ]);
    const on2019 = await answer(forward, ONLY_2019, SDN_2019);
    expect(on2019.undetermined).toEqual([]);
    expect(on2019.inForce.map((s: { sanctionId: string }) => s.sanctionId)).toEqual([
      "ofac-sdn-cuba",
    ]);
    const later = await runImport(forward.client, p2025, { published: SDN_2025 });
    expect(later.summary).toMatchObject({ backfill: false, corrected: 0, rejected: [] });
    // First in 2025: undetermined between the two publications, not before.
    const between = await answer(forward, ONLY_2025, "2022-01-01");
    expect(between.undetermined).toMatchObject([
      { sanctionId: "ofac-sdn-russia-eo14024", knownFrom: SDN_2025, since: SDN_2019 },
    ]);
    expect((await answer(forward, ONLY_2025, "2018-06-01")).undetermined).toEqual([]);

    // /sanctions lists, on a day before coverage, every entry as undetermined.
    const in2018 = await forward.api.get("/sanctions?asOf=2018-06-01&authority=US-OFAC");
    expect(in2018.body.items.length).toBe(p2019.entries.length);
    const cuba = in2018.body.items.find((i: { entityId: string }) => i.entityId === ONLY_2019);
    expect(cuba).toMatchObject({
      sanctions: [],
      undetermined: [{ sanctionId: "ofac-sdn-cuba", knownFrom: SDN_2019, since: null }],
    });
    // /changes: status known from the first publication (not "entered"); the 2025 entry's
    // status stops being known on the 2019 publication's date and is known again in 2025.
    const changes = async (from: string, to: string, entityId: string) =>
      (await forward.api.get(`/changes?from=${from}&to=${to}&authority=US-OFAC`)).body.items
        .filter((i: { entityId: string }) => i.entityId === entityId)
        .map((i: { change: string; on: string }) => `${i.change} ${i.on}`);
    expect(await changes("2019-01-01", "2019-12-31", ONLY_2019)).toEqual([
      `determined ${SDN_2019}`,
    ]);
    expect(await changes("2019-01-01", "2025-12-31", ONLY_2025)).toEqual([
      `undetermined ${SDN_2019}`,
      `determined ${SDN_2025}`,
    ]);
    expect(await changes("2019-01-01", "2025-12-31", ONLY_2019)).toEqual([
      `determined ${SDN_2019}`,
      `left ${SDN_2025}`,
    ]);
  }, 120_000);

  it("imported newest first: no rejection, and the same answers on every day", async () => {
    const first = await runImport(backward.client, p2025, { published: SDN_2025 });
    expect(first.summary.rejected).toEqual([]);
    // Before the backfill, the entry in both publications is undetermined in 2020.
    expect((await answer(backward, BOTH, "2020-01-01")).undetermined).toHaveLength(1);
    beforeBackfill = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));

    const dry = await runImport(backward.client, p2019, { published: SDN_2019, dryRun: true });
    expect(dry.summary).toMatchObject({ backfill: true, coverage: [SDN_2025], written: 0 });
    expect(dry.summary.corrected).toBeGreaterThan(0);

    const { summary } = await runImport(backward.client, p2019, { published: SDN_2019 });
    expect(summary.rejected).toEqual([]);
    expect(summary).toMatchObject({ backfill: true, corrected: dry.summary.corrected });

    const days = ["2018-06-01", "2020-01-01", "2026-01-01"];
    const ids = [...new Set([...p2019.entries, ...p2025.entries].map((e) => e.entityId))];
    for (const id of ids) {
      for (const day of days) {
        const [a, b] = await Promise.all([answer(forward, id, day), answer(backward, id, day)]);
        for (const x of [a, b]) {
          for (const list of ["inForce", "pending", "undetermined"]) {
            x[list].sort((p: { sanctionId: string }, q: { sanctionId: string }) =>
              p.sanctionId < q.sanctionId ? -1 : 1,
            );
          }
        }
        expect(b, `${id} on ${day}`).toEqual(a);
      }
    }
    // In both: in force from the older date. Only in 2019: lifted on the 2025 date.
    expect((await answer(backward, BOTH, "2020-01-01")).inForce).toHaveLength(1);
    const lifted = await answer(backward, ONLY_2019, "2020-01-01");
    expect(lifted.inForce).toMatchObject([{ sanctionId: "ofac-sdn-cuba", end: SDN_2025 }]);
    // As known before the backfill, the ledger answers as it did then.
    const then = await answer(backward, BOTH, "2020-01-01", beforeBackfill);
    expect(then.undetermined).toHaveLength(1);
    expect(then.inForce).toEqual([]);
    // Importing either again writes nothing.
    for (const [p, published] of [
      [p2019, SDN_2019],
      [p2025, SDN_2025],
    ] as const) {
      const again = await runImport(backward.client, p, { published });
      expect(again.summary).toMatchObject({ written: 0, corrected: 0, rejected: [] });
    }
    // The views the corrections left are those of a clean projection of each stream.
    const { engine } = backward.api;
    const events = new DynamoEventStore(engine.doc, engine.tables.events);
    const views = new DynamoViewStore(engine.doc, engine.tables.views);
    for (const id of [BOTH, ONLY_2019, ONLY_2025, "list-ofac-sdn"]) {
      await expectProjected(events, views, id);
    }
    const coverage = await backward.api.get("/entities/list-ofac-sdn/events");
    expect(
      coverage.body.events
        .filter((e: { type: string }) => e.type === "PublicationImported")
        .map((e: { data: { publishedOn: string } }) => e.data.publishedOn),
    ).toEqual([SDN_2025, SDN_2019]);
  }, 240_000);
});
