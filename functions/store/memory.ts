import type { Item, ItemKey, ItemQuery, ItemTable } from "./items.js";
import { matchesQuery } from "./items.js";
import type { EventRecord, EventStore, ReadOptions, ReadPage, StreamHead } from "./ports.js";
import { VersionTaken } from "./ports.js";
import { TableViewStore } from "./views.js";

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

/** The views table's items in memory: the same semantics as DynamoDB's, for unit tests. */
export class MemoryItemTable implements ItemTable {
  private readonly partitions = new Map<string, Map<string, Item>>();

  async writeAll(puts: readonly Item[], deletes: readonly ItemKey[]): Promise<void> {
    for (const item of puts) {
      const partition = this.partitions.get(item.pk) ?? new Map<string, Item>();
      partition.set(item.sk, structuredClone(item));
      this.partitions.set(item.pk, partition);
    }
    for (const key of deletes) this.partitions.get(key.pk)?.delete(key.sk);
  }

  async putIfNewer(item: Item & { version: number }): Promise<boolean> {
    const stored = this.partitions.get(item.pk)?.get(item.sk);
    if (stored && Number(stored.version) >= item.version) return false;
    await this.writeAll([item], []);
    return true;
  }

  async get(key: ItemKey): Promise<Item | undefined> {
    const item = this.partitions.get(key.pk)?.get(key.sk);
    return item && structuredClone(item);
  }

  async getMany(keys: readonly ItemKey[]): Promise<Item[]> {
    const found = await Promise.all(keys.map((k) => this.get(k)));
    return found.filter((i): i is Item => i !== undefined);
  }

  async query(pk: string, query: ItemQuery): Promise<{ items: Item[]; last?: string }> {
    const sks = [...(this.partitions.get(pk)?.keys() ?? [])]
      .filter((sk) => matchesQuery(sk, query))
      .sort();
    if (query.latestFirst) sks.reverse();
    const page = query.limit === undefined ? sks : sks.slice(0, query.limit);
    const items = page.map((sk) => structuredClone(this.partitions.get(pk)?.get(sk) as Item));
    const last = page[page.length - 1];
    return page.length < sks.length && last !== undefined ? { items, last } : { items };
  }
}

/** The view store in memory. */
export class MemoryViewStore extends TableViewStore {
  constructor() {
    super(new MemoryItemTable());
  }
}
