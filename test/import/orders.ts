import fc from "fast-check";
import { afterAll, expect } from "vitest";
import { LedgerClient } from "../../cli/client.js";
import type { Publication } from "../../cli/import/model.js";
import { runImport } from "../../cli/import/run.js";
import { addDays } from "../../functions/domain/dates.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";
import { sdnEntry, sdnPublication } from "./support.js";

/**
 * Publications of one list imported in any order end in the same history: every answer
 * about every day, under today's knowledge, is the one of importing them in date order,
 * and each entry's status on a day is what the publications say of it. Three synthetic
 * publications of the SDN list, each entry's programs chosen per publication.
 */

const DATES = ["2019-01-15", "2020-06-01", "2025-12-01"] as const;
const KEYS = ["sdgt", "cuba"] as const;

/** Which entries hold which programs in each publication (entry ref → keys), and a stated date. */
export interface Shape {
  members: Record<string, (typeof KEYS)[number][]>[];
}

function publicationOf(shape: Shape, i: number): Publication {
  return sdnPublication(
    Object.entries(shape.members[i] ?? {})
      .filter(([, keys]) => keys.length > 0)
      .map(([ref, keys]) =>
        sdnEntry(ref, keys, { name: `ENTRY ${ref} AS OF ${DATES[i]}`, aliases: [`ALIAS ${ref}`] }),
      ),
  );
}

/** Days to ask about: before, on and between the publications, and after. */
const DAYS = DATES.flatMap((d) => [addDays(d, -1), d, addDays(d, 1)]).concat(["2030-01-01"]);

/** The status of (entry, key) on `day` that the publications imply. */
function expected(shape: Shape, ref: string, key: string, day: string): string {
  const held = (i: number) => (shape.members[i]?.[ref] ?? []).includes(key as "sdgt");
  let last = -1;
  for (let i = 0; i < DATES.length; i++) if ((DATES[i] as string) <= day) last = i;
  if (last >= 0 && held(last)) return "in-force";
  const next = last + 1;
  if (next < DATES.length && held(next)) return "undetermined";
  return "none";
}

const bySanctionId = (a: { sanctionId: string }, b: { sanctionId: string }) =>
  a.sanctionId < b.sanctionId ? -1 : 1;

const ledgers: RunningLedger[] = [];
afterAll(async () => {
  await Promise.all(ledgers.map((l) => l.close()));
});

/** Imports the publications in `order` into a new ledger; the answers about every day. */
async function importInOrder(shape: Shape, order: number[]) {
  const api = await startLedger();
  ledgers.push(api);
  const client = new LedgerClient({ url: api.url });
  for (const i of order) {
    const { summary } = await runImport(client, publicationOf(shape, i), {
      published: DATES[i] as string,
    });
    expect(summary.rejected, `import of ${DATES[i]} in order ${order}`).toEqual([]);
  }
  const refs = [...new Set(shape.members.flatMap((m) => Object.keys(m)))].sort();
  const answers: Record<string, unknown> = {};
  for (const ref of refs) {
    for (const day of DAYS) {
      const res = await api.get(`/entities/ofac-${ref}?asOf=${day}`);
      if (res.status === 404) {
        answers[`${ref}@${day}`] = 404;
        continue;
      }
      expect(res.status).toBe(200);
      // Versions differ with the order of the imports, and so does the order of sanctions
      // in a list (imposition order): neither is what the answer says.
      const { version: _v, basis: _b, knownAt: _k, ...answer } = res.body;
      for (const list of ["inForce", "pending", "undetermined"]) {
        answer[list] = [...answer[list]].sort(bySanctionId);
      }
      answers[`${ref}@${day}`] = answer;
    }
  }
  const coverage = await api.get("/entities/list-ofac-sdn/events");
  const dates = coverage.body.events
    .filter((e: { type: string }) => e.type === "PublicationImported")
    .map((e: { data: { publishedOn: string } }) => e.data.publishedOn)
    .sort();
  expect(dates).toEqual([...DATES].sort());
  await api.close();
  ledgers.splice(ledgers.indexOf(api), 1);
  return answers;
}

export const ORDERS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

/** Imports in date order, checks each status against the publications, then each other order. */
export async function checkOrders(shape: Shape, orders = ORDERS) {
  const inDateOrder = await importInOrder(shape, [0, 1, 2]);
  for (const [key, answer] of Object.entries(inDateOrder)) {
    const [ref, day] = key.split("@") as [string, string];
    if (answer === 404) continue;
    const a = answer as {
      inForce: { sanctionId: string }[];
      undetermined: { sanctionId: string }[];
      pending: unknown[];
    };
    for (const k of KEYS) {
      const status = a.inForce.some((s) => s.sanctionId.startsWith(`ofac-sdn-${k}`))
        ? "in-force"
        : a.undetermined.some((s) => s.sanctionId.startsWith(`ofac-sdn-${k}`))
          ? "undetermined"
          : "none";
      expect(status, `${ref} ${k} on ${day}`).toBe(expected(shape, ref, k, day));
    }
    expect(a.pending).toEqual([]);
  }
  for (const order of orders.filter((o) => o.join() !== "0,1,2")) {
    expect(await importInOrder(shape, order), `order ${order}`).toEqual(inDateOrder);
  }
}

const keysArb = fc.subarray([...KEYS]);
export const shapeArb: fc.Arbitrary<Shape> = fc.record({
  members: fc.tuple(
    ...DATES.map(() => fc.record({ "1": keysArb, "2": keysArb, "3": keysArb, "4": keysArb })),
  ),
});

/** Every case at once: in both, only in the older, first in the newer, re-listed. */
export const EVERY_CASE: Shape = {
  members: [
    { "1": ["sdgt"], "2": ["sdgt"], "4": ["sdgt", "cuba"] },
    { "1": ["sdgt"], "3": ["cuba"], "4": ["cuba"] },
    { "1": ["sdgt", "cuba"], "2": ["sdgt"], "3": ["cuba"] },
  ],
};
