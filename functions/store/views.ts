import { deflateRawSync, inflateRawSync } from "node:zlib";
import type {
  DerivedWrite,
  EntityCard,
  RecordKind,
  VersionedRecord,
} from "../domain/projections/index.js";
import { type IndexRow, sortKeyParts } from "../domain/rows.js";
import type { Item, ItemKey, ItemTable } from "./items.js";
import type { ReadRecord, RecordQuery, RowRange, StoredRow, ViewStore } from "./ports.js";
import { packRow, ROW_CODES, type RowKind, rowKindOf, unpackRow } from "./row-format.js";

/**
 * The layout of the views table: every key the view store files, in one place.
 *
 * - A version of a record: `pk` `<kind>#<key>`, `sk` the `recordedAt` of the event that
 *   made it, `version`; its content as raw DEFLATE (no gzip header: most are a few hundred
 *   bytes) in `blob`, or past what one item holds, in part items under
 *   `<kind>-part#<key>`, `sk` `<version>#<part>`, written before the item.
 * - A row kept in record time: `pk` its partition (`force#…`, `change#…`), `sk`
 *   `<row sk>#<row id>#<recordedFrom>`, `k` its kind, `d` its content as
 *   `./row-format.ts` packs it; when it is closed, a marker item right after it, `sk`
 *   `<…>#<recordedFrom>~`, holds `u` (its `recordedUntil`). Both are written once and never
 *   changed, so a projector that runs late cannot reopen what a faster one closed.
 * - A search row: `pk` `word#<two code points>`, `sk` `<word>#<entityId>#<name digest>`,
 *   `k`, `d` the name; put while the name holds the word, deleted when it stops.
 * - An entity's card: `pk` `card#<entityId>`, `sk` `card`.
 * - An entry, filed once: `pk` `recorded#<shard>`, `sk` `<recordedAt>#<entityId>#<version>`
 *   and `k` only, for each event; `pk` `notice#<shard>`, `sk` `<time>#<notice id>`, `k`,
 *   `d`, for each notice.
 */
export const VIEW_KEYS = {
  record: (kind: RecordKind, key: string) => `${kind}#${key}`,
  recordParts: (kind: RecordKind, key: string) => `${kind}-part#${key}`,
  row: (row: IndexRow, id: string, from: string) => `${row.sk}#${id}#${from}`,
  closeMarker: (row: IndexRow, id: string, from: string) => `${row.sk}#${id}#${from}~`,
  card: (entityId: string) => ({ pk: `card#${entityId}`, sk: "card" }),
} as const;

/**
 * The format of the views table that this code writes. There is no migration between
 * formats: views are derived, and a table of another format is rebuilt from the events.
 */
export const VIEWS_FORMAT = 4;

/** Zero-padded so that the parts of one version sort together and in order. */
const partsOf = (version: number) => `${String(version).padStart(12, "0")}#`;
const partSk = (version: number, i: number) => `${partsOf(version)}${String(i).padStart(4, "0")}`;
/** The most deflated content one item holds; more is split into part items. */
const MAX_INLINE = 300 * 1024;
/** Rows kept in record time: their sort key ends with the moment they were filed. */
const TIMED: ReadonlySet<RowKind> = new Set(["force", "boundary"]);

/** The view store over a key-value table (DynamoDB, or memory in unit tests). */
export class TableViewStore implements ViewStore {
  constructor(private readonly table: ItemTable) {}

  async write(writes: readonly DerivedWrite[]): Promise<void> {
    const { puts, deletes, cards, parts } = itemsOf(writes);
    // Parts before the items that name them: an item never points at missing parts.
    if (parts.length > 0) await this.table.writeAll(parts, []);
    await Promise.all([
      this.table.writeAll(puts, deletes),
      ...cards.map((card) => this.table.putIfNewer({ ...VIEW_KEYS.card(card.entityId), ...card })),
    ]);
  }

  async filed(writes: readonly DerivedWrite[]): Promise<boolean> {
    const present: ItemKey[] = [];
    const absent = new Set<string>();
    const cards = new Map<string, number>();
    for (const w of writes) {
      switch (w.type) {
        case "record":
          present.push({
            pk: VIEW_KEYS.record(w.record.kind, w.record.key),
            sk: w.record.recordedAt,
          });
          break;
        case "open":
          present.push({ pk: w.row.pk, sk: VIEW_KEYS.row(w.row, w.id, w.from) });
          break;
        case "close":
          present.push({ pk: w.row.pk, sk: VIEW_KEYS.closeMarker(w.row, w.id, w.from) });
          break;
        case "name":
          present.push({ pk: w.row.pk, sk: w.row.sk });
          break;
        case "unname":
          absent.add(`${w.pk}\u0000${w.sk}`);
          break;
        case "card":
          cards.set(w.card.entityId, w.card.version);
          present.push(VIEW_KEYS.card(w.card.entityId));
          break;
        case "entry":
          present.push({ pk: w.entry.pk, sk: w.entry.sk });
          break;
      }
    }
    const keys = [
      ...present,
      ...[...absent].map((k) => {
        const [pk, sk] = k.split("\u0000") as [string, string];
        return { pk, sk };
      }),
    ];
    const found = await this.table.getMany(keys);
    const seen = new Map(found.map((item) => [`${item.pk}\u0000${item.sk}`, item]));
    for (const key of present) {
      const item = seen.get(`${key.pk}\u0000${key.sk}`);
      if (!item) return false;
      const version = cards.get(String(item.entityId));
      if (key.sk === "card" && version !== undefined && Number(item.version) < version)
        return false;
    }
    for (const key of absent) if (seen.has(key)) return false;
    return true;
  }

  async getRecord<T>(
    kind: RecordKind,
    key: string,
    query: RecordQuery = {},
  ): Promise<ReadRecord<T> | undefined> {
    const { items } = await this.table.query(VIEW_KEYS.record(kind, key), {
      ...query,
      latestFirst: true,
      limit: 1,
    });
    const item = items[0];
    if (!item) return undefined;
    const version = Number(item.version);
    let blob: Uint8Array;
    if (typeof item.parts === "number") {
      const chunks: Uint8Array[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await this.table.query(VIEW_KEYS.recordParts(kind, key), {
          range: { beginsWith: partsOf(version), ...(after === undefined ? {} : { after }) },
        });
        for (const part of page.items) chunks.push(part.part as Uint8Array);
        if (page.last === undefined) break;
        after = page.last;
      }
      if (chunks.length !== item.parts) {
        throw new Error(
          `${kind} ${key} at version ${version}: ${chunks.length} of ${item.parts} parts`,
        );
      }
      blob = Buffer.concat(chunks);
    } else {
      blob = item.blob as Uint8Array;
    }
    const text = inflateRawSync(blob).toString("utf8");
    return {
      kind,
      key,
      version,
      recordedAt: item.sk,
      value: JSON.parse(text) as T,
      bytes: text.length,
      ...(typeof item.filedFrom === "number" ? { filedFrom: item.filedFrom } : {}),
    };
  }

  async getCards(entityIds: readonly string[]): Promise<Map<string, EntityCard>> {
    const items = await this.table.getMany([...new Set(entityIds)].map(VIEW_KEYS.card));
    return new Map(
      items.map((item) => {
        const { pk: _, sk: __, ...card } = item;
        return [String(card.entityId), card as unknown as EntityCard];
      }),
    );
  }

  async queryRows(
    pk: string,
    range: RowRange,
    limit: number,
  ): Promise<{ rows: StoredRow[]; next?: string }> {
    const { items, last } = await this.table.query(pk, { range, limit });
    const rows: StoredRow[] = [];
    for (const item of items) {
      if (typeof item.u === "string") {
        // The marker of the row just before it; one first in a page belongs to a row that
        // the page before already answered with its close.
        const row = rows[rows.length - 1];
        if (row && item.sk === `${row.sk}~`) row.recordedUntil = item.u;
        continue;
      }
      const kind = rowKindOf(item.k);
      if (kind === undefined) continue;
      rows.push({
        pk: item.pk,
        sk: item.sk,
        kind,
        data: unpackRow(kind, item.sk, item.d),
        recordedFrom: TIMED.has(kind) ? (sortKeyParts(item.sk).at(-1) ?? null) : null,
        recordedUntil: null,
      });
    }
    // A row last in a page may have its marker first in the next: look it up now.
    const tail = rows[rows.length - 1];
    if (last !== undefined && tail && tail.recordedFrom !== null && tail.sk === last) {
      const marker = await this.table.get({ pk, sk: `${tail.sk}~` });
      if (marker) tail.recordedUntil = String(marker.u);
    }
    return last === undefined ? { rows } : { rows, next: last };
  }
}

/**
 * The items that derived writes put and delete, one per key (the last write winning: a
 * batch may not name a key twice), the cards to move forward, and the parts of records too
 * large for one item.
 */
export function itemsOf(writes: readonly DerivedWrite[]): {
  puts: Item[];
  deletes: ItemKey[];
  cards: EntityCard[];
  parts: Item[];
} {
  // One item per key, the last write winning: a batch may not name a key twice.
  const puts = new Map<string, Item>();
  const deletes = new Map<string, ItemKey>();
  const put = (item: Item) => {
    const id = `${item.pk}\u0000${item.sk}`;
    deletes.delete(id);
    puts.set(id, item);
  };
  // One card per entity, the latest: a card only moves forward, so an older one is moot.
  const cards = new Map<string, EntityCard>();
  const parts: Item[] = [];
  for (const w of writes) {
    switch (w.type) {
      case "record":
        put(recordItem(w.record, parts));
        break;
      case "open":
        put(rowItem(w.row.pk, VIEW_KEYS.row(w.row, w.id, w.from), w.row.kind, w.row.data));
        break;
      case "close":
        put({ pk: w.row.pk, sk: VIEW_KEYS.closeMarker(w.row, w.id, w.from), u: w.until });
        break;
      case "name":
        put(rowItem(w.row.pk, w.row.sk, "name", w.row.data));
        break;
      case "unname": {
        const id = `${w.pk}\u0000${w.sk}`;
        puts.delete(id);
        deletes.set(id, { pk: w.pk, sk: w.sk });
        break;
      }
      case "card": {
        const held = cards.get(w.card.entityId);
        if (!held || held.version < w.card.version) cards.set(w.card.entityId, w.card);
        break;
      }
      case "entry":
        put(rowItem(w.entry.pk, w.entry.sk, w.entry.kind, w.entry.data));
        break;
    }
  }
  return {
    puts: [...puts.values()],
    deletes: [...deletes.values()],
    cards: [...cards.values()],
    parts,
  };
}

/** A row's item: its kind's code and, unless its key says it all, its packed content. */
function rowItem(pk: string, sk: string, kind: RowKind, data: unknown): Item {
  const d = packRow(kind, data);
  return { pk, sk, k: ROW_CODES[kind], ...(d === undefined ? {} : { d }) };
}

function recordItem(record: VersionedRecord, parts: Item[]): Item {
  const { kind, key, version, recordedAt, value, filedFrom } = record;
  const blob = deflateRawSync(JSON.stringify(value));
  const item: Item = {
    pk: VIEW_KEYS.record(kind, key),
    sk: recordedAt,
    version,
    ...(filedFrom === undefined ? {} : { filedFrom }),
  };
  if (blob.length <= MAX_INLINE) return { ...item, blob };
  let n = 0;
  for (let at = 0; at < blob.length; at += MAX_INLINE, n++) {
    parts.push({
      pk: VIEW_KEYS.recordParts(kind, key),
      sk: partSk(version, n),
      part: blob.subarray(at, at + MAX_INLINE),
    });
  }
  return { ...item, parts: n };
}
