import {
  DeleteTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { Ledger } from "../functions/app/ledger.js";
import type { Tile } from "../functions/domain/merkle.js";
import { DynamoEventStore, DynamoItemTable, DynamoViewStore } from "../functions/store/dynamo.js";
import { EVENTS_TABLE, VIEWS_TABLE } from "../functions/store/keys.js";
import { DynamoLogStore, LOG_KEYS } from "../functions/store/log.js";
import { ensureTable, viewsTableInput } from "../functions/store/tables.js";
import { VIEWS_FORMAT } from "../functions/store/views.js";
import { type Engine, scanAll } from "./engine.js";

const FORMAT_KEY = { pk: "format", sk: "views" };
const LOG_FORMAT_KEY = { pk: "format", sk: "log" };
/** The log's layout: 2 keeps one item per tile index (1 kept one per tile width). */
const LOG_FORMAT = 2;

/**
 * Brings a data directory's views to the format this code writes. Views are derived: a
 * table of another format (or of none, written by an earlier version) is dropped and
 * rebuilt from the events, entity by entity. Returns how many entities were rebuilt.
 */
export async function ensureViewsFormat(
  engine: Engine,
  log: (message: string) => void = () => undefined,
): Promise<number> {
  const table = new DynamoItemTable(engine.doc, engine.tables.views);
  const marker = await table.get(FORMAT_KEY);
  if (marker && Number(marker.format) === VIEWS_FORMAT) return 0;
  const entities = await entityIds(engine);
  const stale = marker !== undefined || entities.length > 0;
  if (stale) {
    log(
      `views of format ${marker?.format ?? 1} found: rebuilding them for ${entities.length} entities`,
    );
    // The Merkle log shares the table but is no view: it is kept as it is, never rebuilt,
    // with the marker of its layout.
    const logFormat = await table.get(LOG_FORMAT_KEY);
    const kept = [...(await logItems(engine)), ...(logFormat ? [logFormat] : [])];
    await engine.client.send(new DeleteTableCommand({ TableName: engine.tables.views }));
    // The table may linger while it is deleted: create it anew only once it is gone.
    for (let i = 0; i < 200; i++) {
      try {
        await engine.client.send(new DescribeTableCommand({ TableName: engine.tables.views }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) break;
        throw error;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await ensureTable(engine.client, viewsTableInput(engine.tables.views));
    await table.writeAll(
      kept.map((item) => ({ ...item, pk: String(item.pk), sk: String(item.sk) })),
      [],
    );
    const ledger = new Ledger({
      events: new DynamoEventStore(engine.doc, engine.tables.events),
      views: new DynamoViewStore(engine.doc, engine.tables.views),
      now: () => new Date(),
      newId: () => "rebuild",
    });
    for (const entityId of entities) await ledger.project(entityId);
  }
  await table.writeAll([{ ...FORMAT_KEY, format: VIEWS_FORMAT }], []);
  return stale ? entities.length : 0;
}

/**
 * Brings a data directory's Merkle log to the layout this code reads: a log written with
 * one item per tile width (every partial tile of every run kept) is given one item per
 * tile index, the widest of its widths (every other width is its prefix), and the others
 * are deleted. The log itself (leaves, claims, head, checkpoints) is left as it is.
 * Returns how many tile items were removed.
 */
export async function ensureLogFormat(engine: Engine): Promise<number> {
  const table = new DynamoItemTable(engine.doc, engine.tables.views);
  const marker = await table.get(LOG_FORMAT_KEY);
  if (marker && Number(marker.format) === LOG_FORMAT) return 0;
  const widest = new Map<string, Tile>();
  const older: Record<string, unknown>[] = [];
  for (const item of await logItems(engine, "log#tile/")) {
    if (item.sk === LOG_KEYS.tile({ level: 0, index: 0 }).sk) continue;
    older.push({ pk: item.pk, sk: item.sk });
    const tile = {
      level: Number(item.level),
      index: Number(item.index),
      width: Number(item.width),
      hashes: item.hashes as Uint8Array,
    };
    const known = widest.get(String(item.pk));
    if (!known || known.width < tile.width) widest.set(String(item.pk), tile);
  }
  // The widest first, then the deletions: a crash in between leaves tiles to read.
  await new DynamoLogStore(engine.doc, engine.tables.views).putTiles([...widest.values()]);
  await table.writeAll(
    [],
    older.map((key) => ({ pk: String(key.pk), sk: String(key.sk) })),
  );
  await table.writeAll([{ ...LOG_FORMAT_KEY, format: LOG_FORMAT }], []);
  return older.length;
}

/** The items of the Merkle log in the views table (`log#…` partitions, or some of them). */
function logItems(engine: Engine, prefix = "log#"): Promise<Record<string, unknown>[]> {
  return scanAll(engine, {
    TableName: engine.tables.views,
    FilterExpression: "begins_with(#pk, :log)",
    ExpressionAttributeNames: { "#pk": VIEWS_TABLE.partitionKey },
    ExpressionAttributeValues: { ":log": prefix },
  });
}

/** Every entity with a stream: a scan of the events table, which only the local runtime makes. */
async function entityIds(engine: Engine): Promise<string[]> {
  const items = await scanAll(engine, {
    TableName: engine.tables.events,
    ProjectionExpression: "#pk",
    ExpressionAttributeNames: { "#pk": EVENTS_TABLE.partitionKey },
  });
  return [...new Set(items.map((item) => String(item[EVENTS_TABLE.partitionKey])))].sort();
}
