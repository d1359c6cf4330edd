/**
 * Point-in-time reads: GET /entities/{id} over HTTP for one entity with 10 … 10,000
 * events, with `asOf` only and with a `knownAt` in the middle of the history, beside the
 * naive baseline that replays the whole stream, also over HTTP.
 */
import { randomUUID } from "node:crypto";
import { Ledger } from "../../functions/app/ledger.js";
import type { Timestamp } from "../../functions/domain/events.js";
import { SNAPSHOT_EVERY } from "../../functions/domain/projections/index.js";
import { fold, foldKnownAt } from "../../functions/domain/state.js";
import { entityOn } from "../../functions/domain/timeline.js";
import { eventOf } from "../../functions/domain/verify.js";
import { entityHistory } from "../history.js";
import { getJson, type Harness, serveJson, startHarness } from "../local.js";
import { MEASURED_COLUMNS, type Measured, measuredCells, Samples } from "../measure.js";
import { grid, median, type Row, round, type Section, since } from "../report.js";
import { eventStore, fullLedger, seedStreams, viewStore, viewsWith } from "../stores.js";
import type { Options } from "./options.js";

interface StateAnswer {
  version: number;
  inForce: { sanctionId: string; termsFrom: string; measures: string[] }[];
  pending: { sanctionId: string }[];
}

/** What must agree between the ledger's answer and the replay's. */
function essence(answer: unknown): string {
  const a = answer as StateAnswer;
  return JSON.stringify({
    version: a.version,
    inForce: a.inForce.map((s) => [s.sanctionId, s.termsFrom, s.measures]),
    pending: a.pending.map((s) => s.sanctionId),
  });
}

type ReadName = "asOf" | "asOf, fresh process" | "knownAt" | "naive asOf" | "naive knownAt";
const MAX_REBUILD = 1000;
const READS: ReadName[] = ["asOf", "knownAt", "asOf, fresh process", "naive asOf", "naive knownAt"];

function urlsOf(
  h: Harness,
  naive: string,
  entityId: string,
  asOf: string,
  knownAt: string,
): Record<ReadName, string> {
  const path = `/entities/${entityId}?asOf=${asOf}`;
  const k = `&knownAt=${encodeURIComponent(knownAt)}`;
  return {
    asOf: h.url + path,
    knownAt: h.url + path + k,
    "asOf, fresh process": h.coldUrl + path,
    "naive asOf": naive + path,
    "naive knownAt": naive + path + k,
  };
}

export async function pointInTime(options: Options): Promise<Section> {
  const sizes = options.quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  const naiveSamples = (n: number) => (n >= 10_000 ? 5 : options.quick ? 10 : 15);
  const h = await startHarness();
  const store = eventStore(h.engine);
  // The naive baseline: read the whole stream, fold it, evaluate it on the day.
  const naive = await serveJson(async (url) => {
    const entityId = url.pathname.split("/")[2] ?? "";
    const asOf = url.searchParams.get("asOf") ?? "";
    const knownAt = url.searchParams.get("knownAt");
    const { records } = await store.read(entityId);
    const events = records.map(eventOf);
    const state = knownAt ? foldKnownAt(entityId, events, knownAt) : fold(entityId, events);
    return entityOn(state, asOf);
  });
  try {
    const every = SNAPSHOT_EVERY;
    const setupSeconds: Record<number, number> = {};
    const urls: Record<number, Record<ReadName, string>> = {};
    const appendMs: Record<number, { first: number; next: number }> = {};
    const rebuildMs: Record<number, number> = {};
    const shape: Record<number, { sanctions: number; stateKB: number; entityOnMs: number }> = {};
    const views: Record<number, { snapshots: number; knownAt: Timestamp; asOf: string }> = {};
    for (const n of sizes) {
      const entityId = `pit-${n}`;
      const setup = performance.now();
      const { events, lastDay } = entityHistory(entityId, n, n);
      // One event a minute, ending an hour ago: a history recorded over time.
      const start = Date.now() - 3_600_000 - n * 60_000;
      const [seeded] = await seedStreams(
        h.engine,
        [{ entityId, requests: events }],
        (_, v) => new Date(start + v * 60_000),
      );
      if (!seeded) throw new Error("seeding failed");
      setupSeconds[n] = since(setup) / 1000;
      // Half a minute after the event just before the middle: between two events, and as
      // far past a snapshot at every 100 versions as the middle of the history can be.
      const middle = seeded.records[Math.max(0, Math.floor(n / 2) - 2)];
      const knownAt = new Date(Date.parse(middle?.recordedAt ?? "") + 30_000).toISOString();
      const asOf = lastDay;
      views[n] = { snapshots: seeded.snapshots, knownAt, asOf };
      // What the reader evaluates in memory on every asOf read, whatever it reads.
      const evaluations: number[] = [];
      for (let i = 0; i < 3; i++) entityOn(seeded.state, asOf);
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        entityOn(seeded.state, asOf);
        evaluations.push(since(t));
      }
      shape[n] = {
        sanctions: seeded.state.sanctions.length,
        stateKB: JSON.stringify(seeded.state).length / 1024,
        entityOnMs: median(evaluations),
      };
      options.log(
        `point-in-time: ${n} events seeded in ${setupSeconds[n].toFixed(1)} s (${seeded.snapshots} snapshots)`,
      );

      urls[n] = urlsOf(h, naive.url, entityId, asOf, knownAt);
    }

    // Every kind of read of every size in turn, round after round: a machine whose load
    // changes meanwhile weighs on all of them alike, so their ratios stay fair.
    const samples: Record<number, Record<ReadName, Samples>> = {};
    const answers: Record<string, unknown> = {};
    for (const n of sizes) {
      samples[n] = Object.fromEntries(READS.map((r) => [r, new Samples(h)])) as Record<
        ReadName,
        Samples
      >;
      // Warm-up, untimed: the engine, the code paths, and the reader's cache of the view.
      for (const read of READS) await getJson(urls[n]?.[read] ?? "");
    }
    const rounds = options.quick ? 20 : 40;
    for (let r = 0; r < rounds; r++) {
      for (const n of sizes) {
        for (const read of READS) {
          if (read.startsWith("naive") && r >= naiveSamples(n)) continue;
          const url = urls[n]?.[read] ?? "";
          answers[`${n} ${read}`] = await samples[n]?.[read].take(() => getJson(url));
        }
      }
      if ((r + 1) % 10 === 0) options.log(`point-in-time: round ${r + 1}/${rounds}`);
    }
    const results: Record<number, Record<ReadName, Measured>> = {};
    const agree: Record<string, boolean> = {};
    for (const n of sizes) {
      results[n] = Object.fromEntries(
        READS.map((r) => [r, samples[n]?.[r].summary() as Measured]),
      ) as Record<ReadName, Measured>;
      agree[`${n} asOf`] = essence(answers[`${n} asOf`]) === essence(answers[`${n} naive asOf`]);
      agree[`${n} knownAt`] =
        essence(answers[`${n} knownAt`]) === essence(answers[`${n} naive knownAt`]);
    }

    // The cost of appending to a history this long, projection on (as the writer does).
    for (const n of sizes) {
      const writer = fullLedger(h.engine);
      const times: number[] = [];
      for (let k = 0; k < 3; k++) {
        const t = performance.now();
        await writer.append(
          `pit-${n}`,
          { type: "EntityAmended", data: { aliases: { add: [`BENCH ALIAS ${k}`] } } },
          "bench",
        );
        times.push(since(t));
      }
      appendMs[n] = { first: times[0] ?? Number.NaN, next: median(times.slice(1)) };
      // Rebuilding the views from the stream, as the projector does for a lost view: every
      // event read and folded, rows computed; writes stubbed. Too slow to run at 10,000.
      if (n <= MAX_REBUILD) {
        const rebuild = new Ledger({
          events: eventStore(h.engine),
          views: viewsWith(viewStore(h.engine), () => false),
          now: () => new Date(),
          newId: randomUUID,
        });
        const t = performance.now();
        await rebuild.project(`pit-${n}`);
        rebuildMs[n] = since(t);
      }
    }
    options.log("point-in-time: appends measured");

    const small = sizes[0] as number;
    const large = sizes[sizes.length - 1] as number;
    const mid = sizes[sizes.length - 2] as number;
    const at = (n: number) => results[n] as Record<ReadName, Measured>;
    const rows: Row[] = [];
    for (const n of sizes) {
      rows.push({
        measure: `asOf p50, ${n.toLocaleString("en-US")} events, vs naive replay`,
        value: at(n).asOf.p50,
        baseline: at(n)["naive asOf"].p50,
        unit: "ms",
      });
    }
    for (const n of sizes) {
      rows.push({
        measure: `knownAt (middle) p50, ${n.toLocaleString("en-US")} events, vs naive replay`,
        value: at(n).knownAt.p50,
        baseline: at(n)["naive knownAt"].p50,
        unit: "ms",
      });
    }
    const flat = (name: ReadName, measure: string, what: "p50" | "items" | "requests") => {
      const value = at(large)[name][what];
      const baseline = at(small)[name][what];
      const ratio =
        baseline === 0 ? (value === 0 ? 1 : Number.POSITIVE_INFINITY) : value / baseline;
      rows.push({
        measure,
        value,
        baseline,
        ratio,
        ...(what === "p50" ? { unit: "ms" } : {}),
        target: "< 1.5×",
        met: ratio < 1.5,
      });
    };
    const label = (n: number) => n.toLocaleString("en-US");
    flat("asOf", `asOf p50, ${label(large)} vs ${label(small)} events`, "p50");
    flat("asOf", `asOf DynamoDB requests, ${label(large)} vs ${label(small)} events`, "requests");
    flat(
      "asOf, fresh process",
      `asOf p50 in a fresh process, ${label(large)} vs ${label(small)} events`,
      "p50",
    );
    flat("knownAt", `knownAt p50, ${label(large)} vs ${label(small)} events`, "p50");
    // Past the first snapshot interval, the events a knownAt read replays must not grow.
    const items = { value: at(large).knownAt.items, baseline: at(mid).knownAt.items };
    rows.push({
      measure: `knownAt items read, ${label(large)} vs ${label(mid)} events`,
      ...items,
      target: "< 1.5× (bounded)",
      met: items.value / items.baseline < 1.5,
    });
    const growth = large / mid;
    const naiveItems = at(large)["naive asOf"].items / at(mid)["naive asOf"].items;
    rows.push({
      measure: `naive replay items read, ${label(large)} vs ${label(mid)} events`,
      value: at(large)["naive asOf"].items,
      baseline: at(mid)["naive asOf"].items,
      target: `linear (${growth}×)`,
      met: Math.abs(naiveItems / growth - 1) < 0.1,
    });
    rows.push({
      measure: `naive replay p50, ${label(large)} vs ${label(mid)} events`,
      value: at(large)["naive asOf"].p50,
      baseline: at(mid)["naive asOf"].p50,
      unit: "ms",
    });

    const detail = grid(
      ["events", "read", ...MEASURED_COLUMNS],
      sizes.flatMap((n) =>
        (Object.entries(at(n)) as [ReadName, Measured][]).map(([name, m]) => [
          n.toLocaleString("en-US"),
          name,
          ...measuredCells(m),
        ]),
      ),
    );
    const appendDetail = grid(
      [
        "events",
        "sanctions in the state",
        "state JSON KB",
        "entityOn in-process ms",
        "first append, fresh process (ms)",
        "next appends, median (ms)",
        "rebuild views from the stream (ms)",
      ],
      sizes.map((n) => [
        n.toLocaleString("en-US"),
        shape[n]?.sanctions ?? 0,
        round(shape[n]?.stateKB ?? 0, 0),
        round(shape[n]?.entityOnMs ?? Number.NaN, 2),
        round(appendMs[n]?.first ?? Number.NaN, 1),
        round(appendMs[n]?.next ?? Number.NaN, 1),
        rebuildMs[n] === undefined ? "not run" : round(rebuildMs[n], 0),
      ]),
    );
    const disagreements = Object.entries(agree)
      .filter(([, ok]) => !ok)
      .map(([k]) => k);
    return {
      name: "point-in-time",
      title: "Point-in-time reads: GET /entities/{id} over HTTP",
      rows,
      details: [detail, appendDetail],
      notes: [
        `asOf: the reader's process has read the entity before (it holds the read-model head it read, and checks only the stream's head), as a warm Lambda container; asOf, fresh process: every request answered by new functions (nothing held), as a new container: the head, the year page and the stream's head read in parallel. ${rounds} rounds, each reading every size in every way once (naive: the first ${naiveSamples(10)} rounds${large >= 10_000 ? `, ${naiveSamples(10_000)} at 10,000 events` : ""}).`,
        `knownAt: half a minute after the event at version n/2 - 1: the head and the year page as recorded then, and the stream's head then. ${every ? `(The fold it falls back on keeps a snapshot every ${every} versions, SNAPSHOT_EVERY.)` : ""}`,
        "naive: over HTTP on the same engine, Query the whole stream, fold it (functions/domain/state.ts), evaluate it with entityOn (functions/domain/timeline.ts).",
        "Histories (bench/history.ts): about 35 % sanction amendments, 25 % impositions, 25 % liftings, 15 % entity amendments, 3 to 15 sanctions in force at a time, one event a minute. Seeded through the stores as the writer leaves them: the events (EventStore.append), a snapshot at every SNAPSHOT_EVERY versions, the read model (a head per event, the year pages each event changes), the entity view with its open rows; the index rows themselves are not filed (they serve only /sanctions, /changes, /search). Projecting a long stream event by event would take minutes (last column).",
        `Second table, per history length: the impositions the state holds (lifted ones included), its JSON size, the in-process time of entityOn (evaluated on every read, whatever was read), three appends (EntityAmended, aliases) through a ledger over the real stores, projection on, after the reads, and Ledger.project from no view (what the stream projector does when a view is lost: read and fold every event, compute its rows; view writes stubbed), up to ${MAX_REBUILD.toLocaleString("en-US")} events.`,
        disagreements.length === 0
          ? "Every ledger answer agreed with the naive replay (version, inForce with terms, pending)."
          : `The ledger's answer DIFFERED from the naive replay for: ${disagreements.join(", ")}.`,
      ],
      data: {
        sizes,
        snapshotEvery: every ?? null,
        reads: Object.fromEntries(
          sizes.map((n) => [
            n,
            {
              ...views[n],
              setupSeconds: round(setupSeconds[n] ?? 0, 1),
              ...Object.fromEntries(
                (Object.entries(at(n)) as [ReadName, Measured][]).map(([k, m]) => [
                  k,
                  {
                    p50ms: round(m.p50, 3),
                    p95ms: round(m.p95, 3),
                    requests: m.requests,
                    items: m.items,
                    kb: round(m.kb, 1),
                    samples: m.samples,
                  },
                ]),
              ),
              appendMs: appendMs[n],
              rebuildMs: rebuildMs[n] === undefined ? null : round(rebuildMs[n], 1),
              state: shape[n],
            },
          ]),
        ),
        answersAgree: agree,
      },
    };
  } finally {
    await naive.close();
    await h.close();
  }
}
