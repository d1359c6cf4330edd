import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOfacCsv } from "../../cli/import/ofac.js";
import { runImport } from "../../cli/import/run.js";
import { DATA, importSetup } from "./support.js";

/**
 * A large part of the 2019 SDN file (its first 1,500 entries and every entry the 2025
 * excerpt shares with it) and the 2025 excerpt, imported in both orders into two ledgers.
 * (The whole file's import is `import.slow.test.ts`'s.)
 */
const ENTRIES_2019 = 1500;

const SDN_2019 = "2019-01-15";
const SDN_2025 = "2025-06-01";

const forward = importSetup();
const backward = importSetup();

async function answer(t: typeof forward, entityId: string, asOf: string) {
  const res = await t.api.get(`/entities/${entityId}?asOf=${asOf}`);
  expect(res.status).toBe(200);
  const { version: _v, basis: _b, knownAt: _k, ...rest } = res.body;
  for (const list of ["inForce", "pending", "undetermined"]) {
    rest[list].sort((p: { sanctionId: string }, q: { sanctionId: string }) =>
      p.sanctionId < q.sanctionId ? -1 : 1,
    );
  }
  return rest;
}

describe("a large part of the 2019 SDN publication and a 2025 one, in both orders", () => {
  it("end in the same answers, without a rejection", async () => {
    const [whole2019, p2025] = await Promise.all([
      parseOfacCsv(join(DATA, "ofac-sdn-2019")),
      parseOfacCsv(join(DATA, "ofac-sdn-sample-2025")),
    ]);
    const shared = new Set(p2025.entries.map((e) => e.entityId));
    const p2019 = {
      ...whole2019,
      entries: whole2019.entries.filter((e, i) => i < ENTRIES_2019 || shared.has(e.entityId)),
    };
    for (const [t, order] of [
      [forward, [p2019, p2025]],
      [backward, [p2025, p2019]],
    ] as const) {
      for (const p of order) {
        const published = p === p2019 ? SDN_2019 : SDN_2025;
        const { summary } = await runImport(t.client, p, { published, concurrency: 4 });
        expect(summary.rejected.filter((r) => r.entityId !== "")).toEqual([]);
      }
    }
    const ids = [...new Set([...p2019.entries, ...p2025.entries].map((e) => e.entityId))];
    // Every 25th entity, and every one of the 2025 excerpt.
    const sample = ids.filter(
      (id, i) => i % 25 === 0 || p2025.entries.some((e) => e.entityId === id),
    );
    for (const id of sample) {
      for (const day of ["2018-06-01", SDN_2019, "2020-01-01", SDN_2025, "2026-01-01"]) {
        const [a, b] = await Promise.all([answer(forward, id, day), answer(backward, id, day)]);
        expect(b, `${id} on ${day}`).toEqual(a);
      }
    }
    const cuba = await answer(backward, "ofac-36", "2018-06-01");
    expect(cuba.undetermined).toMatchObject([{ sanctionId: "ofac-sdn-cuba", knownFrom: SDN_2019 }]);
  }, 3_600_000);
});
