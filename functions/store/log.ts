import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { HASH_SIZE, TILE_WIDTH, type Tile, type TileRef, tilePath } from "../domain/merkle.js";

/**
 * The stored Merkle log: its leaves, each event's claim on a leaf index, the tiles of the
 * tree (C2SP tlog-tiles) and its head. Every write is conditional and nothing is ever
 * overwritten except the claim of an event that lost its leaf index to another event
 * (moved, conditionally), the head (advanced, conditionally) and a tile by a wider one of
 * the same index (one item per tile index, whose width only grows): no transactions.
 */

/** A leaf of the log: the event admitted at `index`, by its 32-byte hash in hex. */
export interface LogLeaf {
  index: number;
  entityId: string;
  version: number;
  hash: string;
}

/**
 * An event's claim on a leaf index. A claim is made before the leaf is written, and
 * `confirmed` once the leaf at `leafIndex` holds the event; an unconfirmed claim may
 * point at a leaf that another event took (its sequencer lost the race or stopped), and
 * is then moved to a free index.
 */
export interface LeafClaim {
  entityId: string;
  version: number;
  hash: string;
  leafIndex: number;
  confirmed: boolean;
}

/** The log's head: the largest tree whose tiles are stored and whose checkpoint is published. */
export interface LogHead {
  treeSize: number;
  /** The root hash, lowercase hex. */
  rootHash: string;
}

/** The store of the log. All reads are strongly consistent. */
export interface LogStore {
  /** Creates the event's claim unless it has one; answers the claim that stands. */
  claim(claim: Omit<LeafClaim, "confirmed">): Promise<LeafClaim>;
  /**
   * Moves an unconfirmed claim from leaf `from` to leaf `to`, unless it no longer points
   * at `from` or was confirmed meanwhile; answers the claim that stands.
   */
  moveClaim(entityId: string, version: number, from: number, to: number): Promise<LeafClaim>;
  /** Marks the claim confirmed at `leafIndex` (once the leaf there holds the event). */
  confirmClaim(entityId: string, version: number, leafIndex: number): Promise<void>;
  /** The claims of an entity's events with versions in `[fromVersion, toVersion]`. */
  claims(entityId: string, fromVersion: number, toVersion: number): Promise<LeafClaim[]>;
  /** Writes the leaf unless its index is taken; answers the leaf that stands there. */
  putLeaf(leaf: LogLeaf): Promise<LogLeaf>;
  /** The leaves from `from` on, in order, up to the first free index or `max` of them. */
  readLeaves(from: number, max: number): Promise<LogLeaf[]>;
  /**
   * Stores tiles, one per tile index: a tile replaces the stored one of its index only if
   * it is wider. Tiles are functions of the leaves, which never change, so a partial tile
   * is a prefix of every wider tile of its index and a wider one loses nothing.
   */
  putTiles(tiles: readonly Tile[]): Promise<void>;
  /**
   * Reads tiles, keyed by `tilePath(ref)`, each cut to the width asked for from the stored
   * tile of its index (C2SP tlog-tiles: a partial tile is a prefix of every wider one); a
   * tile whose index is not stored, or is stored narrower, is absent from the answer.
   */
  readTiles(refs: readonly TileRef[]): Promise<Map<string, Uint8Array>>;
  head(): Promise<LogHead | undefined>;
  /** Advances the head to `head` if it is further than the stored one; whether it did. */
  advanceHead(head: LogHead): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------
// Keys of the log's items (in a table keyed by two strings, such as the views table)
// ---------------------------------------------------------------------------------------

/** The key attributes of the table that holds the log. */
export const LOG_TABLE = { partitionKey: "pk", sortKey: "sk" } as const;

function pad(n: number, digits: number): string {
  return String(n).padStart(digits, "0");
}

/**
 * The log's items. Leaves are grouped by the level-0 tile they fall in (one partition of
 * at most 256 items); claims by entity, sorted by version, so that an entity's page of
 * events finds its leaf indexes in one query; tiles by their tlog-tiles path without the
 * width, one item per tile index (its width only grows), so that a proof reads the tiles
 * of any tree size in one batch and cuts each to the width that size asks for.
 */
export const LOG_KEYS = {
  head: { pk: "log#head", sk: "head" },
  leaf: (index: number) => ({
    pk: `log#leaves#${Math.floor(index / TILE_WIDTH)}`,
    sk: pad(index, 16),
  }),
  claim: (entityId: string, version: number) => ({
    pk: `log#claims#${entityId}`,
    sk: pad(version, 12),
  }),
  tile: (ref: Pick<TileRef, "level" | "index">) => ({
    pk: `log#${tilePath({ ...ref, width: TILE_WIDTH })}`,
    sk: "tile",
  }),
} as const;

/** A tile as the views table holds it: one item per tile index, its width only ever grown. */
export function tileItem(tile: Tile): Record<string, unknown> {
  const { level, index, width, hashes } = tile;
  return { ...LOG_KEYS.tile(tile), level, index, width, hashes };
}

// ---------------------------------------------------------------------------------------
// DynamoDB
// ---------------------------------------------------------------------------------------

function conditionFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === "ConditionalCheckFailedException"
  );
}

type Item = Record<string, unknown>;

function claimOf(item: Item): LeafClaim {
  return {
    entityId: item.entityId as string,
    version: item.version as number,
    hash: item.hash as string,
    leafIndex: item.leafIndex as number,
    confirmed: item.confirmed === true,
  };
}

function leafOf(item: Item): LogLeaf {
  return {
    index: item.leafIndex as number,
    entityId: item.entityId as string,
    version: item.version as number,
    hash: item.hash as string,
  };
}

/** The log on a DynamoDB table keyed by `pk` and `sk` (strings). */
export class DynamoLogStore implements LogStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(key: Item): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item;
  }

  private async putNew(item: Item): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  private async standingClaim(entityId: string, version: number): Promise<LeafClaim> {
    const item = await this.get(LOG_KEYS.claim(entityId, version));
    if (item === undefined) throw new Error(`the claim of ${entityId}#${version} vanished`);
    return claimOf(item);
  }

  async claim(claim: Omit<LeafClaim, "confirmed">): Promise<LeafClaim> {
    const key = LOG_KEYS.claim(claim.entityId, claim.version);
    if (await this.putNew({ ...key, ...claim, confirmed: false })) {
      return { ...claim, confirmed: false };
    }
    return this.standingClaim(claim.entityId, claim.version);
  }

  async moveClaim(entityId: string, version: number, from: number, to: number) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: LOG_KEYS.claim(entityId, version),
          UpdateExpression: "SET leafIndex = :to",
          ConditionExpression: "leafIndex = :from AND confirmed = :no",
          ExpressionAttributeValues: { ":to": to, ":from": from, ":no": false },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    return this.standingClaim(entityId, version);
  }

  async confirmClaim(entityId: string, version: number, leafIndex: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: LOG_KEYS.claim(entityId, version),
          UpdateExpression: "SET confirmed = :yes",
          ConditionExpression: "leafIndex = :at",
          ExpressionAttributeValues: { ":yes": true, ":at": leafIndex },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      throw new Error(`the claim of ${entityId}#${version} is not on leaf ${leafIndex}`);
    }
  }

  async claims(entityId: string, fromVersion: number, toVersion: number): Promise<LeafClaim[]> {
    const out: LeafClaim[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": LOG_KEYS.claim(entityId, 0).pk,
            ":from": LOG_KEYS.claim(entityId, fromVersion).sk,
            ":to": LOG_KEYS.claim(entityId, toVersion).sk,
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map(claimOf));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async putLeaf(leaf: LogLeaf): Promise<LogLeaf> {
    const { index, ...rest } = leaf;
    if (await this.putNew({ ...LOG_KEYS.leaf(index), leafIndex: index, ...rest })) return leaf;
    const item = await this.get(LOG_KEYS.leaf(index));
    if (item === undefined) throw new Error(`leaf ${index} vanished`);
    return leafOf(item);
  }

  async readLeaves(from: number, max: number): Promise<LogLeaf[]> {
    const out: LogLeaf[] = [];
    let next = from;
    while (out.length < max) {
      const key = LOG_KEYS.leaf(next);
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND sk >= :from",
          ExpressionAttributeValues: { ":pk": key.pk, ":from": key.sk },
          ConsistentRead: true,
          Limit: Math.min(TILE_WIDTH, max - out.length),
        }),
      );
      for (const item of page.Items ?? []) {
        const leaf = leafOf(item);
        if (leaf.index !== next) return out;
        out.push(leaf);
        next++;
      }
      // A partition ends at a tile boundary; anything short of it is the end of the log.
      if (next % TILE_WIDTH !== 0 || (page.Items ?? []).length === 0) return out;
    }
    return out;
  }

  async putTiles(tiles: readonly Tile[]): Promise<void> {
    await Promise.all(
      tiles.map(async (t) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: tileItem(t),
              // Only ever wider: a sequencer that computed a narrower tile (it ran behind
              // another) must not cut the stored one short.
              ConditionExpression: "attribute_not_exists(pk) OR width < :width",
              ExpressionAttributeValues: { ":width": t.width },
            }),
          );
        } catch (error) {
          if (!conditionFailed(error)) throw error;
        }
      }),
    );
  }

  async readTiles(refs: readonly TileRef[]): Promise<Map<string, Uint8Array>> {
    const stored = new Map<string, Uint8Array>();
    const keyOf = (ref: Pick<TileRef, "level" | "index">) => LOG_KEYS.tile(ref).pk;
    let keys: Item[] = [...new Map(refs.map((r) => [keyOf(r), LOG_KEYS.tile(r)])).values()];
    // One batch for the tiles of any tree size (a proof's plan names fewer than 100).
    for (let round = 0; keys.length > 0 && round < 10; round++) {
      const batch = keys.slice(0, 100);
      const out = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: batch, ConsistentRead: true } },
        }),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) {
        stored.set(item.pk as string, item.hashes as Uint8Array);
      }
      const unprocessed = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      keys = [...unprocessed, ...keys.slice(100)];
    }
    return cutTiles(refs, (ref) => stored.get(keyOf(ref)));
  }

  async head(): Promise<LogHead | undefined> {
    const item = await this.get(LOG_KEYS.head);
    if (item === undefined) return undefined;
    return { treeSize: item.treeSize as number, rootHash: item.rootHash as string };
  }

  async advanceHead(head: LogHead): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...LOG_KEYS.head, treeSize: head.treeSize, rootHash: head.rootHash },
          ConditionExpression: "attribute_not_exists(pk) OR treeSize < :size",
          ExpressionAttributeValues: { ":size": head.treeSize },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}

/** Each tile asked for, cut from the stored tile of its index if that is wide enough. */
function cutTiles(
  refs: readonly TileRef[],
  storedOf: (ref: TileRef) => Uint8Array | undefined,
): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  for (const ref of refs) {
    const hashes = storedOf(ref);
    if (hashes && hashes.length >= ref.width * HASH_SIZE) {
      found.set(tilePath(ref), hashes.subarray(0, ref.width * HASH_SIZE));
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// In memory
// ---------------------------------------------------------------------------------------

/** The log in memory (tests, and `--memory` if the engine is not wanted). */
export class MemoryLogStore implements LogStore {
  private readonly claimed = new Map<string, LeafClaim>();
  private readonly leaves = new Map<number, LogLeaf>();
  private readonly tiles = new Map<string, Uint8Array>();
  private current: LogHead | undefined;

  async claim(claim: Omit<LeafClaim, "confirmed">): Promise<LeafClaim> {
    const key = `${claim.entityId}#${claim.version}`;
    const standing = this.claimed.get(key) ?? { ...claim, confirmed: false };
    this.claimed.set(key, standing);
    return { ...standing };
  }

  async moveClaim(entityId: string, version: number, from: number, to: number) {
    const c = this.claimed.get(`${entityId}#${version}`);
    if (c === undefined) throw new Error(`the claim of ${entityId}#${version} vanished`);
    if (c.leafIndex === from && !c.confirmed) c.leafIndex = to;
    return { ...c };
  }

  async confirmClaim(entityId: string, version: number, leafIndex: number) {
    const c = this.claimed.get(`${entityId}#${version}`);
    if (c?.leafIndex !== leafIndex) {
      throw new Error(`the claim of ${entityId}#${version} is not on leaf ${leafIndex}`);
    }
    c.confirmed = true;
  }

  async claims(entityId: string, fromVersion: number, toVersion: number) {
    return [...this.claimed.values()]
      .filter((c) => c.entityId === entityId && c.version >= fromVersion && c.version <= toVersion)
      .sort((a, b) => a.version - b.version)
      .map((c) => ({ ...c }));
  }

  async putLeaf(leaf: LogLeaf): Promise<LogLeaf> {
    const standing = this.leaves.get(leaf.index) ?? { ...leaf };
    this.leaves.set(leaf.index, standing);
    return { ...standing };
  }

  async readLeaves(from: number, max: number): Promise<LogLeaf[]> {
    const out: LogLeaf[] = [];
    for (let i = from; out.length < max; i++) {
      const leaf = this.leaves.get(i);
      if (leaf === undefined) break;
      out.push({ ...leaf });
    }
    return out;
  }

  async putTiles(tiles: readonly Tile[]): Promise<void> {
    for (const t of tiles) {
      const key = tilePath({ ...t, width: TILE_WIDTH });
      const stored = this.tiles.get(key);
      if (!stored || stored.length < t.hashes.length) this.tiles.set(key, new Uint8Array(t.hashes));
    }
  }

  async readTiles(refs: readonly TileRef[]): Promise<Map<string, Uint8Array>> {
    return cutTiles(refs, (ref) => this.tiles.get(tilePath({ ...ref, width: TILE_WIDTH })));
  }

  async head(): Promise<LogHead | undefined> {
    return this.current && { ...this.current };
  }

  async advanceHead(head: LogHead): Promise<boolean> {
    if (this.current && this.current.treeSize >= head.treeSize) return false;
    this.current = { ...head };
    return true;
  }
}
