import type { EntityHead } from "../domain/pages.js";
import type { IndexRow } from "../domain/projection.js";
import type {
  EntityView,
  EventRecord,
  EventStore,
  ReadOptions,
  ReadPage,
  RowRange,
  Snapshot,
  StoredRow,
  StreamHead,
  ViewStore,
  YearPage,
} from "./ports.js";
import { inRange, storedSortKey, VersionTaken } from "./ports.js";

/** An in-process event store, for unit tests of the layers above the store. */
export class MemoryEventStore implements EventStore {
  private readonly streams = new Map<string, EventRecord[]>();

  async append(record: EventRecord): Promise<void> {
    const stream = this.streams.get(record.entityId) ?? [];
    if (stream.some((r) => r.version === record.version)) {
      throw new VersionTaken(record.entityId, record.version);
    }
    stream.push(structuredClone(record));
    stream.sort((a, b) => a.version - b.version);
    this.streams.set(record.entityId, stream);
  }

  async findByEventId(entityId: string, eventId: string): Promise<EventRecord | undefined> {
    const found = this.streams.get(entityId)?.find((r) => r.eventId === eventId);
    return found && structuredClone(found);
  }

  async read(entityId: string, options: ReadOptions = {}): Promise<ReadPage> {
    const after = options.afterVersion ?? 0;
    const knownAt = options.knownAt;
    const matching = (this.streams.get(entityId) ?? []).filter(
      (r) => r.version > after && (knownAt === undefined || r.recordedAt <= knownAt),
    );
    const limit = options.limit ?? matching.length;
    return { records: structuredClone(matching.slice(0, limit)), more: matching.length > limit };
  }

  async head(entityId: string, knownAt?: string): Promise<StreamHead | undefined> {
    const known = (this.streams.get(entityId) ?? []).filter(
      (r) => knownAt === undefined || r.recordedAt <= knownAt,
    );
    const last = known[known.length - 1];
    return last && { version: last.version, recordedAt: last.recordedAt };
  }
}

/** The latest of a list of versions kept by `recordedAt`, at or before `knownAt`. */
function latest<T>(list: Map<string, T> | undefined, knownAt?: string): T | undefined {
  const keys = [...(list?.keys() ?? [])]
    .filter((at) => knownAt === undefined || at <= knownAt)
    .sort();
  const key = keys[keys.length - 1];
  return key === undefined ? undefined : structuredClone(list?.get(key));
}

/** An in-process view store. */
export class MemoryViewStore implements ViewStore {
  private readonly views = new Map<string, EntityView>();
  private readonly rows = new Map<string, Map<string, StoredRow>>();
  private readonly snapshots = new Map<string, Snapshot[]>();
  private readonly heads = new Map<string, Map<string, EntityHead>>();
  private readonly pages = new Map<string, Map<string, YearPage>>();

  async putHead(head: EntityHead): Promise<void> {
    const list = this.heads.get(head.entityId) ?? new Map<string, EntityHead>();
    list.set(head.headRecordedAt ?? "", structuredClone(head));
    this.heads.set(head.entityId, list);
  }

  async getHead(entityId: string, knownAt?: string): Promise<EntityHead | undefined> {
    return latest(this.heads.get(entityId), knownAt);
  }

  async putPage(page: YearPage): Promise<void> {
    const key = `${page.entityId}#${page.year}`;
    const list = this.pages.get(key) ?? new Map<string, YearPage>();
    list.set(page.recordedAt, structuredClone(page));
    this.pages.set(key, list);
  }

  async getPage(entityId: string, year: number, knownAt?: string): Promise<YearPage | undefined> {
    return latest(this.pages.get(`${entityId}#${year}`), knownAt);
  }

  async putSnapshot(snapshot: Snapshot): Promise<void> {
    const list = (this.snapshots.get(snapshot.entityId) ?? []).filter(
      (s) => s.version !== snapshot.version,
    );
    list.push(structuredClone(snapshot));
    list.sort((a, b) => a.version - b.version);
    this.snapshots.set(snapshot.entityId, list);
  }

  async getSnapshot(entityId: string, knownAt: string): Promise<Snapshot | undefined> {
    const held = (this.snapshots.get(entityId) ?? []).filter(
      (s) => (s.state.headRecordedAt ?? "") <= knownAt,
    );
    const last = held[held.length - 1];
    return last && structuredClone(last);
  }

  async openRow(row: IndexRow, id: string, recordedFrom: string): Promise<void> {
    const partition = this.rows.get(row.pk) ?? new Map<string, StoredRow>();
    this.rows.set(row.pk, partition);
    const sk = storedSortKey(row, id, recordedFrom);
    if (partition.has(sk)) return;
    partition.set(sk, {
      pk: row.pk,
      sk,
      kind: row.kind,
      data: structuredClone(row.data),
      recordedFrom,
      recordedUntil: null,
    });
  }

  async closeRow(row: IndexRow, id: string, recordedFrom: string, recordedUntil: string) {
    const stored = this.rows.get(row.pk)?.get(storedSortKey(row, id, recordedFrom));
    if (stored && stored.recordedUntil === null) stored.recordedUntil = recordedUntil;
  }

  async queryRows(pk: string, range: RowRange, limit: number) {
    const keys = [...(this.rows.get(pk)?.keys() ?? [])].sort().filter((sk) => inRange(sk, range));
    const page = keys.slice(0, limit);
    const rows = page.map((sk) => structuredClone(this.rows.get(pk)?.get(sk) as StoredRow));
    const last = page[page.length - 1];
    return keys.length > limit && last !== undefined ? { rows, next: last } : { rows };
  }

  async getEntity(entityId: string): Promise<EntityView | undefined> {
    const view = this.views.get(entityId);
    return view && structuredClone(view);
  }

  async putEntity(view: EntityView): Promise<boolean> {
    const current = this.views.get(view.entityId);
    if (current && current.version >= view.version) return false;
    this.views.set(view.entityId, structuredClone(view));
    return true;
  }
}
