import { expect } from "vitest";
import type { LedgerEvent } from "../../functions/domain/events.js";
import type {
  EntityCard,
  Projected,
  VersionedRecord,
} from "../../functions/domain/projections/index.js";
import { initialProjected, projectEvent } from "../../functions/domain/projections/index.js";
import { cardOf } from "../../functions/domain/projections/names.js";
import type { IndexRow } from "../../functions/domain/rows.js";
import { indexRows, nameDigest, nameRows, rowId } from "../../functions/domain/rows.js";
import { entityDetails, fold } from "../../functions/domain/state.js";
import { eventOf } from "../../functions/domain/verify.js";
import type { EventStore, StoredRow, ViewStore } from "../../functions/store/ports.js";
import { VIEW_KEYS } from "../../functions/store/views.js";

/** A clean projection of a stream, event by event: what the stored views must match. */
export function replay(stream: readonly LedgerEvent[], entityId: string) {
  const projected: Projected[] = [initialProjected(entityId)];
  const records: VersionedRecord[] = [];
  let card: EntityCard | undefined;
  for (const event of stream) {
    const { after, writes } = projectEvent(projected[projected.length - 1] as Projected, event);
    projected.push(after);
    for (const w of writes) {
      if (w.type === "record") records.push(w.record);
      if (w.type === "card") card = w.card;
    }
  }
  return { projected, records, card };
}

async function allRows(views: ViewStore, pk: string, range = {}): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await views.queryRows(pk, after === undefined ? range : { ...range, after }, 500);
    out.push(...page.rows);
    if (page.next === undefined) return out;
    after = page.next;
  }
}

/** A stored row's id, read back from its sort key. */
function idOf(row: StoredRow): string {
  const parts = row.sk.split("#");
  expect(parts[parts.length - 1]).toBe(row.recordedFrom);
  return parts[parts.length - 2] as string;
}

const sortedIds = (rows: readonly IndexRow[]) => [...new Set(rows.map(rowId))].sort();
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The entity's derived records are those of a clean projection of its stream: the read
 * model's records (head, details, pages, snapshots) as recorded at each event, the rows'
 * record-time history at each event, the search rows of its current names, and its card.
 */
export async function expectProjected(
  events: EventStore,
  views: ViewStore,
  entityId: string,
): Promise<void> {
  const stream = (await events.read(entityId)).records.map(eventOf);
  const clean = replay(stream, entityId);
  const states = clean.projected.map((p) => p.state);
  const last = clean.projected[clean.projected.length - 1] as Projected;
  expect(last.state).toEqual(fold(entityId, stream));

  // Every record version, as the clean projection filed it, read back as of its moment.
  const head = await views.getRecord("head", entityId);
  expect(head?.version, `head of ${entityId} at the stream's head`).toBe(stream.length);
  const latest = new Map<string, number>();
  for (const record of clean.records) latest.set(`${record.kind}#${record.key}`, record.version);
  for (const record of clean.records) {
    const stored = await views.getRecord(record.kind, record.key, { upTo: record.recordedAt });
    const where = `${record.kind} ${record.key} at v${record.version}`;
    // A head filed with others whose write landed in part may be missing for the moments
    // before the next head: readers then find the read model behind the stream's head at
    // that moment and answer from the fold. The latest version of every record, and every
    // version that is there, must be exactly the clean projection's.
    if (
      record.kind === "head" &&
      latest.get(`head#${record.key}`) !== record.version &&
      stored !== undefined &&
      stored.version < record.version
    ) {
      continue;
    }
    expect(stored && { version: stored.version, value: stored.value }, where).toEqual({
      version: record.version,
      value: plain(record.value),
    });
  }

  // Rows kept in record time: at each event's moment, exactly those of the state after it.
  const partitions = new Set(states.flatMap((s) => indexRows(s).map((r) => r.pk)));
  const stored = (await Promise.all([...partitions].map((pk) => allRows(views, pk))))
    .flat()
    .filter((r) => (r.data as { entityId: string }).entityId === entityId);
  for (const r of stored) {
    if (r.recordedUntil !== null) expect(r.recordedUntil > (r.recordedFrom ?? "")).toBe(true);
  }
  const open = stored.filter((r) => r.recordedUntil === null);
  expect(open.map(idOf).sort(), `open rows of ${entityId}`).toEqual(
    sortedIds(indexRows(last.state)),
  );
  for (const r of open) expect(r.recordedFrom).toBe(last.openRows[idOf(r)]);
  stream.forEach((event, k) => {
    const t = event.recordedAt;
    const held = stored.filter(
      (r) => (r.recordedFrom ?? "") <= t && (r.recordedUntil === null || t < r.recordedUntil),
    );
    const rows = indexRows(states[k + 1] as (typeof states)[number]);
    expect(held.map(idOf).sort(), `rows of ${entityId} held at v${k + 1}`).toEqual(sortedIds(rows));
    const byId = new Map(rows.map((r) => [rowId(r), r]));
    for (const h of held) {
      const id = idOf(h);
      const row = byId.get(id) as IndexRow;
      expect(h.pk).toBe(row.pk);
      expect(h.sk).toBe(VIEW_KEYS.row(row, id, h.recordedFrom as string));
      expect(h.kind).toBe(row.kind);
      expect(h.data).toEqual(row.data);
    }
  });

  // The card, and search rows: every current name's, and none that the card would accept
  // besides them (a row a late projector left behind names a name the entity no longer has).
  const card = (await views.getCards([entityId])).get(entityId);
  expect(card, `card of ${entityId}`).toEqual(clean.card && plain(clean.card));
  const current = nameRows(entityId, entityDetails(last.state));
  const everyName = new Set(states.flatMap((s) => nameRows(entityId, entityDetails(s))));
  const wordPartitions = new Set([...everyName].map((r) => r.pk));
  const names = (await Promise.all([...wordPartitions].map((pk) => allRows(views, pk))))
    .flat()
    .filter((r) => (r.data as { entityId: string }).entityId === entityId);
  const storedKeys = new Set(names.map((r) => `${r.pk}|${r.sk}`));
  for (const row of current) {
    expect(storedKeys.has(`${row.pk}|${row.sk}`), `search row ${row.sk}`).toBe(true);
  }
  const currentKeys = new Set(current.map((r) => `${r.pk}|${r.sk}`));
  for (const r of names) {
    if (currentKeys.has(`${r.pk}|${r.sk}`)) continue;
    const matched = (r.data as { matched: string }).matched;
    expect(card?.names.includes(nameDigest(matched)), `stale search row ${r.sk}`).toBe(false);
  }
  expect(cardOf(last.state, card?.version ?? 0)?.names).toEqual(card?.names);
}
