/**
 * Import: events per second importing the 2019 OFAC SDN publication through the HTTP
 * client (cli/import), against raw BatchWriteItem throughput of as many items of the same
 * size on the same engine.
 */
import { fileURLToPath } from "node:url";
import { BatchWriteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { LedgerClient } from "../../cli/client.js";
import { parseOfacCsv } from "../../cli/import/ofac.js";
import { runImport } from "../../cli/import/run.js";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import { ensureTable, eventsTableInput } from "../../functions/store/tables.js";
import { total } from "../counting.js";
import { type Harness, pool, startHarness } from "../local.js";
import { grid, type Row, round, type Section, since } from "../report.js";
import { tableBytes } from "../sizes.js";
import { eventStore } from "../stores.js";
import type { Options } from "./options.js";

const DATA = fileURLToPath(new URL("../../samples/ofac-sdn-2019", import.meta.url));
const PUBLISHED = "2019-01-15";
const QUICK_ENTRIES = 300;
const CONCURRENCY = 4;

/** Conditional PutItem of `count` event-shaped items, `CONCURRENCY` at once. */
async function rawPuts(h: Harness, table: string, count: number, canonicalLength: number) {
  const canonical = "c".repeat(canonicalLength);
  const recordedAt = new Date().toISOString();
  const start = performance.now();
  await pool(
    Array.from({ length: count }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      await h.engine.doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            [EVENTS_TABLE.partitionKey]: `put-${Math.floor(i / 2)}`,
            [EVENTS_TABLE.sortKey]: (i % 2) + 1,
            eventId: `put-${i}`,
            recordedAt,
            type: "SanctionImposed",
            hash: "f".repeat(64),
            canonical,
          },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": EVENTS_TABLE.partitionKey },
        }),
      );
    },
  );
  return count / (since(start) / 1000);
}

/** BatchWriteItem of `count` event-shaped items, 25 a request, `CONCURRENCY` at once. */
async function rawBatches(h: Harness, table: string, count: number, canonicalLength: number) {
  const canonical = "c".repeat(canonicalLength);
  const recordedAt = new Date().toISOString();
  const requests: Record<string, unknown>[][] = [];
  for (let i = 0; i < count; i += 25) {
    requests.push(
      Array.from({ length: Math.min(25, count - i) }, (_, j) => ({
        PutRequest: {
          Item: {
            [EVENTS_TABLE.partitionKey]: `raw-${Math.floor((i + j) / 2)}`,
            [EVENTS_TABLE.sortKey]: ((i + j) % 2) + 1,
            eventId: `raw-${i + j}`,
            recordedAt,
            type: "SanctionImposed",
            hash: "f".repeat(64),
            canonical,
          },
        },
      })),
    );
  }
  const start = performance.now();
  await pool(requests, CONCURRENCY, async (writes) => {
    let pending = writes;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 20) throw new Error("BatchWriteItem: items left unprocessed");
      const out = await h.engine.doc.send(
        new BatchWriteCommand({ RequestItems: { [table]: pending as never } }),
      );
      pending = (out.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
    }
  });
  return count / (since(start) / 1000);
}

export async function importSection(options: Options): Promise<Section> {
  const full = await parseOfacCsv(DATA);
  const publication = options.quick
    ? { ...full, entries: full.entries.slice(0, QUICK_ENTRIES) }
    : full;
  const h = await startHarness();
  try {
    const client = new LedgerClient({ url: h.url });
    let readEnd = performance.now();
    options.log(`import: ${publication.entries.length} entries of ${full.entries.length}`);
    h.counter.reset();
    const start = performance.now();
    const { summary } = await runImport(client, publication, {
      published: PUBLISHED,
      concurrency: CONCURRENCY,
      onProgress: (p) => {
        if (p.phase === "reading") readEnd = performance.now();
      },
    });
    const end = performance.now();
    const counts = h.counter.snapshot();
    const seconds = (end - start) / 1000;
    const writeSeconds = (end - readEnd) / 1000;
    const written = summary.written;
    options.log(`import: ${written} events in ${seconds.toFixed(1)} s`);

    // Raw items as large as the imported ones.
    const store = eventStore(h.engine);
    let chars = 0;
    let records = 0;
    for (const entry of publication.entries.slice(0, 100)) {
      for (const r of (await store.read(entry.entityId)).records) {
        chars += r.canonical.length;
        records++;
      }
    }
    const canonicalLength = Math.round(chars / Math.max(1, records));
    const rawTable = h.engine.tables.events.replace(/-events$/, "-raw");
    await ensureTable(h.engine.client, eventsTableInput(rawTable));
    await rawBatches(h, rawTable, Math.min(500, written), canonicalLength);
    h.counter.reset();
    const rawRate = await rawBatches(h, rawTable, written, canonicalLength);
    const rawCounts = h.counter.snapshot();
    const putTable = h.engine.tables.events.replace(/-events$/, "-puts");
    await ensureTable(h.engine.client, eventsTableInput(putTable));
    const putRate = await rawPuts(h, putTable, written, canonicalLength);

    // What the import left in the tables, as DynamoDB sizes items, against the events' own
    // canonical JSON.
    const eventsStored = await tableBytes(
      h.engine.client,
      h.engine.tables.events,
      ["eventId", "recordedAt"],
      () => "events",
    );
    const viewsStored = await tableBytes(h.engine.client, h.engine.tables.views);
    let ownBytes = 0;
    for (const entry of publication.entries) {
      for (const r of (await store.read(entry.entityId)).records) {
        ownBytes += Buffer.byteLength(r.canonical, "utf8");
      }
    }
    const storedPerEvent = (eventsStored.bytes + viewsStored.bytes) / written;

    // The same import into the local runtime as `npm start` runs it: its Merkle log
    // sequenced, and a checkpoint signed, before each batch answers.
    const logged = await startHarness({ proofs: true });
    let loggedRate: number;
    try {
      const began = performance.now();
      const out = await runImport(new LedgerClient({ url: logged.url }), publication, {
        published: PUBLISHED,
        concurrency: CONCURRENCY,
      });
      loggedRate = out.summary.written / (since(began) / 1000);
    } finally {
      await logged.close();
    }

    const rate = written / seconds;
    const writeRate = written / writeSeconds;
    const all = total(counts);
    const rows: Row[] = [
      {
        measure:
          "import events/s until every view and row is filed vs raw conditional PutItem/s (same concurrency)",
        value: rate,
        baseline: putRate,
        target: "≥ 0.25×",
        met: rate >= 0.25 * putRate,
      },
      {
        measure:
          "bytes stored per event (both tables, as DynamoDB sizes items) vs the event's own bytes",
        value: storedPerEvent,
        baseline: ownBytes / written,
        unit: "B",
        target: "≤ 8×",
        met: storedPerEvent <= 8 * (ownBytes / written),
      },
      {
        measure: "import events/s (whole run: reads, plan, batches) vs raw BatchWriteItem items/s",
        value: rate,
        baseline: rawRate,
      },
      {
        measure: "import events/s in the writing phase vs raw BatchWriteItem items/s",
        value: writeRate,
        baseline: rawRate,
      },
      { measure: "DynamoDB requests per imported event", value: all.requests / written },
      {
        measure:
          "import events/s with the Merkle log sequenced before each batch answers (local runtime as npm start runs it) vs raw conditional PutItem/s",
        value: loggedRate,
        baseline: putRate,
      },
    ];
    const byOp = grid(
      ["table/operation", "requests", "per event"],
      Object.entries(counts).map(([key, t]) => [
        key.replace(h.engine.tables.events, "events").replace(h.engine.tables.views, "views"),
        t.requests,
        round(t.requests / written, 2),
      ]),
    );
    // Where the bytes go: the events, and each kind of derived item by its partition's prefix.
    const byKind = grid(
      ["items (partition)", "items", "per event", "bytes per item", "bytes per event"],
      Object.entries({ ...eventsStored.byKind, ...viewsStored.byKind })
        .sort(([, a], [, b]) => b.bytes - a.bytes)
        .map(([kind, n]) => [
          kind,
          n.items,
          round(n.items / written, 2),
          Math.round(n.bytes / n.items),
          Math.round(n.bytes / written),
        ]),
    );
    return {
      name: "import",
      title: `Import of the 2019 OFAC SDN publication${options.quick ? ` (QUICK: first ${publication.entries.length} of ${full.entries.length} entries)` : ` (${full.entries.length} entries)`}`,
      rows,
      details: [byOp, byKind],
      notes: [
        `${written} events written (${summary.registered} registered, ${summary.imposed} imposed, ${summary.amended} amended, ${summary.lifted} lifted), ${summary.rejected.length} entries rejected by the parser or the ledger, in ${seconds.toFixed(1)} s (reading the ledger first: ${(seconds - writeSeconds).toFixed(1)} s).`,
        `cli/import/run.ts runImport over cli/client.ts LedgerClient to the local server (HTTP), concurrency ${CONCURRENCY}, --published ${PUBLISHED}; every event projected before its batch answers.`,
        `raw: BatchWriteItem of ${written} items of the same size (canonical JSON of ${canonicalLength} characters), 25 a request, ${CONCURRENCY} requests at once, into a table with the events table's keys and indexes (${total(rawCounts).requests} requests).`,
      ],
      data: {
        quick: options.quick,
        entries: publication.entries.length,
        entriesInPublication: full.entries.length,
        written,
        summary: { ...summary, rejected: summary.rejected.length },
        seconds: round(seconds, 2),
        writeSeconds: round(writeSeconds, 2),
        eventsPerSecond: round(rate, 1),
        writeEventsPerSecond: round(writeRate, 1),
        rawItemsPerSecond: round(rawRate, 1),
        rawPutsPerSecond: round(putRate, 1),
        withLogEventsPerSecond: round(loggedRate, 1),
        stored: { events: eventsStored, views: viewsStored, ownBytes },
        canonicalLength,
        requests: counts,
      },
    };
  } finally {
    await h.close();
  }
}
