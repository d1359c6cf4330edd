/**
 * What an event costs to project: an append to an entity with a long history and to one
 * with the heaviest names the API admits, against an append to a new entity (projection
 * on, as the writer runs); and rebuilding the views of a long stream, against writing the
 * same derived items with raw BatchWriteItem, in the same run on the same engine.
 */
import { randomUUID } from "node:crypto";
import type { AppendRequest } from "../../functions/app/ledger.js";
import { Ledger } from "../../functions/app/ledger.js";
import { NAME_LIMITS } from "../../functions/domain/limits.js";
import type { DerivedWrite, Projected } from "../../functions/domain/projections/index.js";
import { initialProjected, projectEvent } from "../../functions/domain/projections/index.js";
import { eventOf } from "../../functions/domain/verify.js";
import { DynamoItemTable, DynamoViewStore } from "../../functions/store/dynamo.js";
import { ensureTable, viewsTableInput } from "../../functions/store/tables.js";
import { itemsOf } from "../../functions/store/views.js";
import { entityHistory, prng } from "../history.js";
import { startHarness } from "../local.js";
import { median, type Row, round, type Section, since } from "../report.js";
import { eventStore, fullLedger, seedStreams } from "../stores.js";
import type { Options } from "./options.js";

/** The k-th bench append: an imposition, then its amendment, in turn. */
function nextEvent(k: number): AppendRequest {
  const day = `2030-01-${String((k % 28) + 1).padStart(2, "0")}`;
  if (k % 2 === 0) {
    return {
      type: "SanctionImposed",
      data: {
        sanctionId: `p-${k}`,
        authority: "EU",
        measures: ["export-ban"],
        announcedOn: day,
        effectiveFrom: day,
      },
    };
  }
  return {
    type: "SanctionAmended",
    data: { sanctionId: `p-${k - 1}`, effectiveFrom: day, measures: ["export-ban", "import-ban"] },
  };
}

/** The heaviest names the API admits: the most aliases, the most words in all. */
function heaviestAliases(): string[] {
  const next = prng(7);
  const word = () =>
    Array.from({ length: 7 }, () => String.fromCharCode(97 + Math.floor(next() * 26))).join("");
  const perAlias = Math.floor(NAME_LIMITS.wordsPerEntity / (NAME_LIMITS.aliases + 1));
  return Array.from({ length: NAME_LIMITS.aliases }, () =>
    Array.from({ length: perAlias }, word).join(" "),
  );
}

export async function projection(options: Options): Promise<Section> {
  const historyLength = options.quick ? 2_000 : 10_000;
  const samples = options.quick ? 20 : 60;
  const h = await startHarness();
  try {
    options.log(`projection: seeding a ${historyLength}-event history`);
    const start = Date.now() - 3_600_000 - historyLength * 60_000;
    const { events: history } = entityHistory("long-history", historyLength, 3);
    const [seeded] = await seedStreams(
      h.engine,
      [{ entityId: "long-history", requests: history }],
      (_, v) => new Date(start + v * 60_000),
    );
    if (!seeded) throw new Error("seeding failed");

    // Appends, projection on, each entity's appends in turn: the long history, the heaviest
    // names, and new entities (one registration each). Every ledger is warm (its entity
    // appended to once, untimed), as the writer is after its first append.
    const ledger = fullLedger(h.engine);
    await ledger.append(
      "heavy-names",
      {
        type: "EntityRegistered",
        data: { name: "Heavy Names Bank", kind: "organization", aliases: heaviestAliases() },
      },
      "bench",
    );
    const fresh = Array.from({ length: samples }, (_, i) => `fresh-${i}`);
    for (const id of fresh) {
      await ledger.append(id, { type: "EntityRegistered", data: { name: id, kind: "other" } }, "b");
    }
    for (const id of ["long-history", "heavy-names"]) await ledger.append(id, nextEvent(0), "b");
    const times: Record<string, number[]> = { long: [], heavy: [], fresh: [] };
    for (let k = 1; k <= samples; k++) {
      const timed = async (name: string, entityId: string, request: AppendRequest) => {
        const t = performance.now();
        await ledger.append(entityId, request, "bench");
        times[name]?.push(since(t));
      };
      await timed("fresh", fresh[k - 1] as string, nextEvent(0));
      await timed("long", "long-history", nextEvent(k));
      await timed("heavy", "heavy-names", nextEvent(k));
    }
    const fresh50 = median(times.fresh ?? []);
    const long50 = median(times.long ?? []);
    const heavy50 = median(times.heavy ?? []);
    options.log("projection: appends measured");

    // Rebuild: the long stream projected into an empty views table, against raw
    // BatchWriteItem of the same derived items into another.
    const rebuildTable = `${h.engine.tables.views}-rebuild`;
    const rawTable = `${h.engine.tables.views}-raw`;
    await ensureTable(h.engine.client, viewsTableInput(rebuildTable));
    await ensureTable(h.engine.client, viewsTableInput(rawTable));
    const { records } = await eventStore(h.engine).read("long-history");
    const writes: DerivedWrite[] = [];
    let projected: Projected = initialProjected("long-history");
    for (const record of records) {
      const step = projectEvent(projected, eventOf(record));
      writes.push(...step.writes);
      projected = step.after;
    }
    const items = itemsOf(writes);
    const raw = new DynamoItemTable(h.engine.doc, rawTable);
    let t = performance.now();
    await raw.writeAll([...items.parts, ...items.puts], []);
    const rawMs = since(t);
    const rebuilder = new Ledger({
      events: eventStore(h.engine),
      views: new DynamoViewStore(h.engine.doc, rebuildTable),
      now: () => new Date(),
      newId: randomUUID,
    });
    t = performance.now();
    await rebuilder.project("long-history");
    const rebuildMs = since(t);
    options.log("projection: rebuild measured");

    const rows: Row[] = [
      {
        measure: `append to an entity with ${historyLength.toLocaleString("en-US")} events vs to a new entity (p50, projection on)`,
        value: long50,
        baseline: fresh50,
        unit: "ms",
        target: "< 2×",
        met: long50 < 2 * fresh50,
      },
      {
        measure: `append to an entity with ${NAME_LIMITS.aliases} aliases (${NAME_LIMITS.wordsPerEntity} words) vs to a new entity (p50, projection on)`,
        value: heavy50,
        baseline: fresh50,
        unit: "ms",
        target: "< 2×",
        met: heavy50 < 2 * fresh50,
      },
      {
        measure: `rebuild the views of ${historyLength.toLocaleString("en-US")} events vs raw BatchWriteItem of their ${items.puts.length + items.parts.length} derived items`,
        value: rebuildMs / 1000,
        baseline: rawMs / 1000,
        unit: "s",
        target: "≤ 10×",
        met: rebuildMs <= 10 * rawMs,
      },
    ];
    return {
      name: "projection",
      title: "What an event costs to project",
      rows,
      notes: [
        `Appends alternate between a new entity (registered, untimed), the ${historyLength}-event history of bench/history.ts, and an entity registered with the heaviest names the API admits; ${samples} each, one ledger, projection on.`,
        `Rebuild: Ledger.project from an empty views table (every record, row, card and snapshot of the stream), against DynamoItemTable.writeAll (BatchWriteItem, 25 items a request, 4 at once) of the same ${items.puts.length + items.parts.length} items.`,
      ],
      data: {
        historyLength,
        samples,
        appendMs: {
          fresh: round(fresh50, 2),
          long: round(long50, 2),
          heavy: round(heavy50, 2),
        },
        rebuildMs: round(rebuildMs, 0),
        rawBatchMs: round(rawMs, 0),
        derivedItems: items.puts.length + items.parts.length,
      },
    };
  } finally {
    await h.close();
  }
}
