/**
 * Cross-entity queries: /sanctions and /changes over HTTP with 1,000 and then 10,000
 * entities loaded through POST /batches (four authorities), each measured at both sizes.
 */
import { type BatchItem, batches, population } from "../history.js";
import { getJson, type Harness, pool, postJson, startHarness } from "../local.js";
import { MEASURED_COLUMNS, type Measured, measureCalls, measuredCells } from "../measure.js";
import { grid, type Row, round, type Section, since } from "../report.js";
import type { Options } from "./options.js";

interface Query {
  name: string;
  path: string;
  /** Follow nextToken to the last page (one call = the whole walk). */
  walk?: boolean;
}

interface Page {
  items: unknown[];
  nextToken?: string;
}

const AS_OF = "2020-06-01";

function queries(knownAt: string, startedAt: string): Query[] {
  const k = encodeURIComponent(knownAt);
  const s = encodeURIComponent(startedAt);
  return [
    { name: "/sanctions EU, first page (100)", path: `/sanctions?asOf=${AS_OF}&authority=EU` },
    { name: "/sanctions all, first page of 1,000", path: `/sanctions?asOf=${AS_OF}&limit=1000` },
    {
      name: "/sanctions EU, first page, knownAt mid-load",
      path: `/sanctions?asOf=${AS_OF}&authority=EU&knownAt=${k}`,
    },
    {
      name: "/sanctions EU, every page (walk, 1,000 a page)",
      path: `/sanctions?asOf=${AS_OF}&authority=EU&limit=1000`,
      walk: true,
    },
    { name: "/changes all, one month", path: "/changes?from=2020-01-01&to=2020-01-31" },
    {
      name: "/changes JP, one year (1,000 a page)",
      path: "/changes?from=2020-01-01&to=2020-12-31&authority=JP&limit=1000",
    },
    {
      name: "/corrections, window of the first half-population (walk, 1,000 a page)",
      path: `/corrections?from=${s}&to=${k}&limit=1000`,
      walk: true,
    },
  ];
}

async function run(h: Harness, query: Query): Promise<number> {
  if (!query.walk) return (await getJson<Page>(h.url + query.path)).items.length;
  let returned = 0;
  let token: string | undefined;
  do {
    const suffix = token === undefined ? "" : `&nextToken=${encodeURIComponent(token)}`;
    const page = await getJson<Page>(h.url + query.path + suffix);
    returned += page.items.length;
    token = page.nextToken;
  } while (token !== undefined);
  return returned;
}

/** Posts the batches, four at a time as the importer does; answers events per second. */
async function load(h: Harness, list: readonly BatchItem[][]): Promise<number> {
  const start = performance.now();
  let events = 0;
  await pool(list, 4, async (items) => {
    const answer = await postJson<{ results: { status: number; detail?: string }[] }>(
      `${h.url}/batches`,
      { items },
    );
    for (const [i, result] of answer.results.entries()) {
      if (result.status !== 201 && result.status !== 200) {
        const item = items[i];
        throw new Error(
          `batch item ${item?.entityId} ${item?.type}: ${result.status} ${result.detail ?? ""}`,
        );
      }
    }
    events += items.length;
  });
  return events / (since(start) / 1000);
}

export async function crossEntity(options: Options): Promise<Section> {
  const stages = options.quick ? [100, 1000] : [1000, 10_000];
  const count = options.quick ? 10 : 20;
  const h = await startHarness();
  try {
    let loaded = 0;
    let knownAt = "";
    // The corrections' window: from before the first load to mid-load, the same at both sizes.
    const startedAt = new Date(Date.now() - 1).toISOString();
    const results: Record<number, Record<string, Measured & { returned: number }>> = {};
    const loading: Record<number, { events: number; perSecond: number; seconds: number }> = {};
    for (const size of stages) {
      const list = batches(population(loaded, size));
      const events = list.reduce((n, b) => n + b.length, 0);
      const start = performance.now();
      let perSecond: number;
      if (loaded === 0) {
        // knownAt for the bitemporal query: when half of the first stage was loaded.
        const half = Math.ceil(list.length / 2);
        const a = await load(h, list.slice(0, half));
        knownAt = new Date().toISOString();
        await new Promise((r) => setTimeout(r, 5));
        const b = await load(h, list.slice(half));
        perSecond = (a + b) / 2;
      } else {
        perSecond = await load(h, list);
      }
      loading[size] = { events, perSecond, seconds: since(start) / 1000 };
      loaded = size;
      options.log(
        `cross-entity: ${size} entities loaded (${events} events, ${Math.round(events / loading[size].seconds)} events/s)`,
      );
      const stage: Record<string, Measured & { returned: number }> = {};
      for (const query of queries(knownAt, startedAt)) {
        await run(h, query);
        const { measured, last } = await measureCalls(
          h,
          query.walk ? Math.max(3, Math.ceil(count / 4)) : count,
          () => run(h, query),
        );
        stage[query.name] = { ...measured, returned: last };
      }
      results[size] = stage;
    }

    const [small = 0, large = 0] = stages;
    const label = (n: number) => n.toLocaleString("en-US");
    const rows: Row[] = queries(knownAt, startedAt).map((q) => ({
      measure: `${q.name}: p50, ${label(large)} vs ${label(small)} entities`,
      value: results[large]?.[q.name]?.p50 ?? Number.NaN,
      baseline: results[small]?.[q.name]?.p50 ?? Number.NaN,
      unit: "ms",
    }));
    for (const q of queries(knownAt, startedAt)) {
      rows.push({
        measure: `${q.name}: items read, ${label(large)} vs ${label(small)} entities`,
        value: results[large]?.[q.name]?.items ?? Number.NaN,
        baseline: results[small]?.[q.name]?.items ?? Number.NaN,
      });
    }
    const detail = grid(
      ["entities", "query", "items returned", ...MEASURED_COLUMNS],
      stages.flatMap((size) =>
        Object.entries(results[size] ?? {}).map(([name, m]) => [
          label(size),
          name,
          m.returned,
          ...measuredCells(m),
        ]),
      ),
    );
    const loadDetail = grid(
      ["entities", "events posted", "seconds", "events/s"],
      stages.map((size) => [
        label(size),
        loading[size]?.events ?? 0,
        round(loading[size]?.seconds ?? 0, 1),
        round(loading[size]?.perSecond ?? 0, 0),
      ]),
    );
    return {
      name: "cross-entity",
      title: `Cross-entity queries over HTTP, ${label(small)} and ${label(large)} entities`,
      rows,
      details: [detail, loadDetail],
      notes: [
        `Entities (bench/history.ts population): registered (three in ten with an alias), sanctioned by one of US-OFAC, EU, UK, JP or, one in five, by two (dates 2014–2024); a tenth of the sanctions amended, a tenth lifted; about 2.4 events each, loaded with POST /batches (100 items, 4 batches at once) through the local server, projection on. asOf ${AS_OF}.`,
        "The spec sets no target here: baseline is the same query with the smaller population, so a ratio near 1 means the query reads what its page needs, and near the population ratio means it reads the whole partition.",
        "knownAt mid-load: the moment half of the first population was loaded; at the larger size the answer is the same, the partition holds ten times more rows.",
        "/corrections reads the record-time index of its window (from before the first load to mid-load: the same entities at both sizes) and compares each entity it names once; a ratio near 1 means its cost follows the window, not the ledger's size.",
      ],
      data: {
        stages,
        asOf: AS_OF,
        knownAt,
        loading,
        queries: Object.fromEntries(
          stages.map((size) => [
            size,
            Object.fromEntries(
              Object.entries(results[size] ?? {}).map(([name, m]) => [
                name,
                {
                  returned: m.returned,
                  requests: m.requests,
                  items: m.items,
                  kb: round(m.kb, 1),
                  p50ms: round(m.p50, 3),
                  p95ms: round(m.p95, 3),
                  samples: m.samples,
                },
              ]),
            ),
          ]),
        ),
      },
    };
  } finally {
    await h.close();
  }
}
