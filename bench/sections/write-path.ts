/**
 * Write path: appends per second through the ledger with the projector off (the store's
 * write path: view read, conditional put, and the eventId look-up only when the state's
 * digests of the ids it holds may match), against raw conditional
 * PutItem calls of items of the same size at the same concurrency, on the same engine.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { AppendRequest, Ledger } from "../../functions/app/ledger.js";
import { addDays } from "../../functions/domain/dates.js";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import { ensureTable, eventsTableInput } from "../../functions/store/tables.js";
import { type Counts, perOperation, total } from "../counting.js";
import { type Harness, startHarness } from "../local.js";
import { grid, median, type Row, round, type Section, since } from "../report.js";
import { fullLedger, seedStreams, stampStream, storeOnlyLedger } from "../stores.js";
import type { Options } from "./options.js";

const CONCURRENCY = 8;

type Mode = "without eventId" | "with eventId";
const MODES: Mode[] = ["without eventId", "with eventId"];

/** The `k`-th append to a bench entity (k ≥ 1): alternately an imposition and its amendment. */
function nextEvent(entityId: string, k: number, withId: boolean): AppendRequest {
  const day = addDays("2021-01-01", k);
  const id = withId ? { eventId: `${entityId}.w${k}` } : {};
  if (k % 2 === 1) {
    return {
      ...id,
      type: "SanctionImposed",
      data: {
        sanctionId: `w-${k}`,
        authority: "EU",
        program: "EU-RUS-833",
        measures: ["export-ban"],
        scope: { goods: ["semiconductors"] },
        announcedOn: day,
        effectiveFrom: day,
        legalBasis: `Regulation ${k}/2021`,
      },
      source: { title: "Official Journal", publishedOn: day },
    };
  }
  return {
    ...id,
    type: "SanctionAmended",
    data: { sanctionId: `w-${k - 1}`, effectiveFrom: day, measures: ["export-ban", "import-ban"] },
  };
}

function registration(entityId: string): AppendRequest[] {
  return [
    {
      type: "EntityRegistered",
      data: { name: `${entityId.toUpperCase()} TRADING LLC`, kind: "organization" },
    },
    {
      type: "SanctionImposed",
      data: {
        sanctionId: "s-0",
        authority: "US-OFAC",
        measures: ["asset-freeze"],
        announcedOn: "2020-03-01",
        effectiveFrom: "2020-03-02",
      },
    },
  ];
}

/** Runs `work(entity)` over the entities with `CONCURRENCY` workers; answers appends/s. */
async function drive(
  entities: readonly string[],
  work: (entityId: string) => Promise<number>,
): Promise<{ done: number; perSecond: number }> {
  let next = 0;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < entities.length) {
        const n = await work(entities[next++] as string);
        done += n;
      }
    }),
  );
  return { done, perSecond: done / (since(start) / 1000) };
}

interface Phase {
  appends: number;
  perSecond: number;
  counts: Counts;
}

async function appendPhase(
  h: Harness,
  ledger: Ledger,
  entities: readonly string[],
  ks: readonly number[],
  withId: boolean,
): Promise<Phase> {
  h.counter.reset();
  const { done, perSecond } = await drive(entities, async (entityId) => {
    for (const k of ks) {
      const result = await ledger.append(entityId, nextEvent(entityId, k, withId), "bench");
      if (result.status !== 201) throw new Error(`append ${entityId} ${k}: ${result.status}`);
    }
    return ks.length;
  });
  return { appends: done, perSecond, counts: h.counter.snapshot() };
}

/** Conditional PutItems of event-shaped items into a table with the events table's keys. */
async function rawPhase(
  h: Harness,
  table: string,
  keys: readonly string[],
  perKey: number,
  canonicalLength: number,
): Promise<Phase> {
  const canonical = "c".repeat(canonicalLength);
  const recordedAt = new Date().toISOString();
  h.counter.reset();
  const { done, perSecond } = await drive(keys, async (key) => {
    for (let version = 1; version <= perKey; version++) {
      await h.engine.doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            [EVENTS_TABLE.partitionKey]: key,
            [EVENTS_TABLE.sortKey]: version,
            eventId: `${key}.${version}`,
            recordedAt,
            type: "SanctionImposed",
            hash: "f".repeat(64),
            canonical,
          },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": EVENTS_TABLE.partitionKey },
        }),
      );
    }
    return perKey;
  });
  return { appends: done, perSecond, counts: h.counter.snapshot() };
}

/** `bench3-events/PutItem` → `events/PutItem`. */
function shortKeys(counts: Counts, h: Harness): Counts {
  const names: Record<string, string> = {
    [h.engine.tables.events]: "events",
    [h.engine.tables.views]: "views",
  };
  const out: Counts = {};
  for (const [key, tally] of Object.entries(counts)) {
    const [table = "", op = ""] = key.split("/");
    out[`${names[table] ?? table}/${op}`] = tally;
  }
  return out;
}

function requestsPerAppend(phase: Phase): number {
  return total(phase.counts).requests / phase.appends;
}

export async function writePath(options: Options): Promise<Section> {
  const rounds = options.quick ? 2 : 5;
  // Phases of about a second or more: shorter ones are at the mercy of a GC pause.
  const perRound = options.quick ? 120 : 500;
  const warmKs = [2, 3];
  const h = await startHarness();
  try {
    const rawTable = h.engine.tables.events.replace(/-events$/, "-raw");
    await ensureTable(h.engine.client, eventsTableInput(rawTable));

    // Entities as the writer leaves them (events, entity view), one set per round and mode,
    // and one for the projection-on reference.
    const sets = new Map<string, string[]>();
    const names: string[] = [];
    for (const mode of [...MODES, "projection"]) {
      for (let r = 0; r < rounds; r++) {
        const set = Array.from({ length: perRound }, (_, i) =>
          `w-${mode.replace(/ /g, "")}-${r}-${i}`.toLowerCase(),
        );
        sets.set(`${mode}#${r}`, set);
        names.push(...set);
      }
    }
    const base = Date.now() - 3_600_000;
    options.log(`write path: seeding ${names.length} entities`);
    await seedStreams(
      h.engine,
      names.map((entityId) => ({ entityId, requests: registration(entityId) })),
      (i, v) => new Date(base + i * 10 + v),
    );
    // Raw items as large as the ledger's: the canonical JSON of the same appends.
    const sample = stampStream(
      "w-sample",
      [...registration("w-sample"), ...[1, 2, 3].map((k) => nextEvent("w-sample", k, true))],
      (v) => new Date(base + v),
    );
    const appended = sample.records.slice(2);
    const canonicalLength = Math.round(
      appended.reduce((n, r) => n + r.canonical.length, 0) / appended.length,
    );

    const phases: Record<string, Phase[]> = {};
    const add = (name: string, phase: Phase) => {
      phases[name] ??= [];
      phases[name].push({ ...phase, counts: shortKeys(phase.counts, h) });
    };
    // Warm the engine and the code paths once before anything is timed.
    await rawPhase(h, rawTable, ["warm-a", "warm-b"], 50, canonicalLength);
    let rawKey = 0;
    for (let r = 0; r < rounds; r++) {
      for (const mode of MODES) {
        const withId = mode === "with eventId";
        const entities = sets.get(`${mode}#${r}`) ?? [];
        const raw = () =>
          rawPhase(
            h,
            rawTable,
            Array.from({ length: perRound }, () => `raw-${rawKey++}`),
            warmKs.length,
            canonicalLength,
          );
        // Alternate the order, so that neither side always runs on a warmer engine.
        if (r % 2 === 0) add("raw", await raw());
        const ledger = storeOnlyLedger(h.engine);
        add(`${mode}, cold`, await appendPhase(h, ledger, entities, [1], withId));
        add(`${mode}, warm`, await appendPhase(h, ledger, entities, warmKs, withId));
        if (r % 2 === 1) add("raw", await raw());
        options.log(`write path: round ${r + 1}/${rounds}, ${mode}`);
      }
      // The writer as deployed, projection on (read model, rows, card, snapshots).
      const full = fullLedger(h.engine);
      const projection = sets.get(`projection#${r}`) ?? [];
      add("projection on, cold", await appendPhase(h, full, projection, [1], true));
      add("projection on, warm", await appendPhase(h, full, projection, warmKs, true));
      options.log(`write path: round ${r + 1}/${rounds}, projection on`);
    }

    const rate = (name: string) => median((phases[name] ?? []).map((p) => p.perSecond));
    const perAppend = (name: string) =>
      median((phases[name] ?? []).map((p) => requestsPerAppend(p)));
    const rawRate = rate("raw");
    const rows: Row[] = [];
    for (const mode of MODES) {
      for (const temp of ["warm", "cold"]) {
        rows.push({
          measure: `appends/s, ${mode}, ${temp} (projector off) vs raw PutItem`,
          value: rate(`${mode}, ${temp}`),
          baseline: rawRate,
          target: "≥ 0.33×",
          met: rate(`${mode}, ${temp}`) >= rawRate / 3,
        });
      }
    }
    for (const mode of MODES) {
      const limit = mode === "with eventId" ? 3 : 2;
      for (const temp of ["cold", "warm"]) {
        const value = perAppend(`${mode}, ${temp}`);
        rows.push({
          measure: `DynamoDB requests per append, ${mode}, ${temp}`,
          value,
          target: `≤ ${limit}`,
          met: value <= limit + 1e-9,
        });
      }
    }
    for (const temp of ["warm", "cold"]) {
      rows.push({
        measure: `appends/s with eventId, projection on, ${temp} vs raw PutItem`,
        value: rate(`projection on, ${temp}`),
        baseline: rawRate,
        ...(temp === "warm"
          ? { target: "≥ 0.3×", met: rate(`projection on, ${temp}`) >= 0.3 * rawRate }
          : {}),
      });
    }
    for (const temp of ["cold", "warm"]) {
      rows.push({
        measure: `DynamoDB requests per append with eventId, projection on, ${temp}`,
        value: perAppend(`projection on, ${temp}`),
      });
    }

    const detailRows = Object.entries(phases).map(([name, list]) => {
      const last = list[list.length - 1] as Phase;
      const ops = perOperation(last.counts, last.appends);
      return [
        name,
        list.length,
        list.reduce((n, p) => n + p.appends, 0),
        round(median(list.map((p) => p.perSecond)), 0),
        list.map((p) => Math.round(p.perSecond)).join(", "),
        round(requestsPerAppend(last), 3),
        Object.entries(ops)
          .map(([op, n]) => `${op} ${n}`)
          .join(", "),
      ];
    });
    return {
      name: "write-path",
      title: `Write path (concurrency ${CONCURRENCY}, ${perRound} entities per phase, ${rounds} rounds)`,
      rows,
      details: [
        grid(
          [
            "phase",
            "rounds",
            "appends",
            "median/s",
            "per round/s",
            "requests/append",
            "by table/operation",
          ],
          detailRows,
        ),
      ],
      notes: [
        "cold: the first append of each entity in a process (the view is read with GetItem); warm: later appends (the view comes from the in-process cache).",
        `raw: conditional PutItem (attribute_not_exists) of items of the same size (canonical JSON of ${canonicalLength} characters) into a table with the events table's keys and indexes, ${warmKs.length} per key, same concurrency; the phases of a round alternate their order.`,
        "projection on: the same appends through a ledger over the real view store, as the writer runs by default: the event, then one BatchWriteItem of its derived items (read model, force and change rows, search rows), and the card when names change.",
      ],
      data: {
        concurrency: CONCURRENCY,
        rounds,
        entitiesPerPhase: perRound,
        canonicalLength,
        phases: Object.fromEntries(
          Object.entries(phases).map(([name, list]) => [
            name,
            list.map((p) => ({
              appends: p.appends,
              perSecond: round(p.perSecond, 1),
              requestsPerAppend: round(requestsPerAppend(p), 3),
              byOperation: perOperation(p.counts, p.appends),
            })),
          ]),
        ),
      },
    };
  } finally {
    await h.close();
  }
}
