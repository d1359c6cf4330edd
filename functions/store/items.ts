import type { RowRange } from "./ports.js";

/** An item of the views table: its key and its attributes. */
export interface Item {
  pk: string;
  sk: string;
  [attribute: string]: unknown;
}

/** The key of an item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** How a query of one partition reads it. */
export interface ItemQuery {
  range?: RowRange;
  /** Only sort keys at or before this one. */
  upTo?: string;
  /** Only sort keys strictly before this one. */
  before?: string;
  /** Descending sort-key order (the latest first). */
  latestFirst?: boolean;
  limit?: number;
}

/**
 * The few operations the view store needs of a key-value table, in the manner of
 * Castore's thin adapters: one implementation over DynamoDB, one in memory. Reads are
 * strongly consistent.
 */
export interface ItemTable {
  /**
   * Puts and deletes, unconditional; when it resolves every one is durable. No two may
   * name one key.
   */
  writeAll(puts: readonly Item[], deletes: readonly ItemKey[]): Promise<void>;
  /**
   * Puts the item unless the stored one holds a `version` at least the item's. Returns
   * whether it was written.
   */
  putIfNewer(item: Item & { version: number }): Promise<boolean>;
  get(key: ItemKey): Promise<Item | undefined>;
  getMany(keys: readonly ItemKey[]): Promise<Item[]>;
  /** A page of a partition, and the last sort key read when more may remain. */
  query(pk: string, query: ItemQuery): Promise<{ items: Item[]; last?: string }>;
}

/** Whether an item's sort key matches a query; the reference semantics of `ItemTable.query`. */
export function matchesQuery(sk: string, query: ItemQuery): boolean {
  const { range = {}, upTo, before } = query;
  if (range.after !== undefined && sk <= range.after) return false;
  if (range.between && (sk < range.between[0] || sk > range.between[1])) return false;
  if (range.beginsWith !== undefined && !sk.startsWith(range.beginsWith)) return false;
  if (upTo !== undefined && sk > upTo) return false;
  if (before !== undefined && sk >= before) return false;
  return true;
}
