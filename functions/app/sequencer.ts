import {
  type Checkpoint,
  type NoteSigner,
  parseCheckpoint,
  parseNote,
  signCheckpoint,
} from "../domain/checkpoint.js";
import {
  appendTiles,
  consistencyPlan,
  EMPTY_ROOT,
  equalHashes,
  fromHex,
  type Hash,
  hashesFromTiles,
  hashLeaf,
  inclusionPlan,
  partialTiles,
  rootFromTiles,
  rootPlan,
  type TileLookup,
  type TilePlan,
  type TileRef,
  tilePath,
  toHex,
  verifyConsistency,
} from "../domain/merkle.js";
import type { CheckpointStore } from "../store/checkpoints.js";
import type { LeafClaim, LogHead, LogLeaf, LogStore } from "../store/log.js";

/** An event to admit to the log: its stream position and its hash (lowercase hex). */
export interface EventRef {
  entityId: string;
  version: number;
  hash: string;
}

/** The log cannot go on without breaking a promise: a fork, or an event with two hashes. */
export class LogIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LogIntegrityError";
  }
}

/** What a run of the sequencer left behind. */
export interface SequenceResult {
  /** The head after the run: the largest tree published (by this run or another). */
  head: LogHead;
  /** The notes this run published, oldest first. */
  published: string[];
}

export interface SequencerOptions {
  log: LogStore;
  checkpoints: CheckpointStore;
  signer: NoteSigner;
  /** The checkpoints' origin line, e.g. `sanctions-ledger.example/log`. */
  origin: string;
  /** Leaves folded into one checkpoint at most (a run publishes as many as it needs). */
  maxLeavesPerCheckpoint?: number;
}

/** Claims confirmed at once, in parallel, at the end of a run. */
const CONFIRMATIONS_AT_ONCE = 25;

function sameEvent(leaf: LogLeaf, e: EventRef): boolean {
  return leaf.entityId === e.entityId && leaf.version === e.version;
}

function leafHashOf(leaf: LogLeaf): Hash {
  const bytes = fromHex(leaf.hash);
  if (bytes === undefined) throw new LogIntegrityError(`leaf ${leaf.index} has no 32-byte hash`);
  return hashLeaf(bytes);
}

/**
 * Admits events to the ledger-wide log in one order, then stores the tiles of the grown
 * tree and publishes its signed checkpoint.
 *
 * The order is the leaves': leaf `i` is written once (conditionally) and only when leaves
 * `0..i-1` are written, so the log has no gaps. An event reaches a leaf only through its
 * claim: the claim names a leaf index before the leaf is written, and moves off an index
 * only when another event holds that leaf, which then never changes. So an event is in
 * at most one leaf, whatever sequencers race, stop or run again; and a run over an event
 * returns only once the event is in a leaf, so re-running over the events a stopped run
 * was given leaves none out. Tiles and roots are functions of the leaves, and a checkpoint
 * is signed only after its tree is proven consistent with the last one published: the
 * log cannot fork.
 */
export class Sequencer {
  private readonly maxLeaves: number;

  constructor(private readonly options: SequencerOptions) {
    this.maxLeaves = options.maxLeavesPerCheckpoint ?? 4096;
  }

  /** Admits the events (each once; events already in the log are skipped) and publishes. */
  async sequence(events: readonly EventRef[]): Promise<SequenceResult> {
    // A leaf is forever: nothing malformed may reach one.
    for (const e of events) {
      if (!/^[0-9a-f]{64}$/.test(e.hash) || !Number.isSafeInteger(e.version) || e.version < 1) {
        throw new RangeError(`not an event to sequence: ${JSON.stringify(e)}`);
      }
      if (typeof e.entityId !== "string" || e.entityId.length === 0) {
        throw new RangeError(`not an event to sequence: ${JSON.stringify(e)}`);
      }
    }
    let next: number | undefined;
    const placed: { event: EventRef; at: number }[] = [];
    for (const e of events) {
      next ??= await this.firstFree();
      const admitted = await this.admit(e, next);
      next = admitted.next;
      if (admitted.placed !== undefined) placed.push({ event: e, at: admitted.placed });
    }
    // A leaf holds its event for good, so its claim can no longer move: the claims are
    // confirmed together, after the leaves (a run stopped before leaves its claims
    // unconfirmed, and the next run over those events confirms them).
    for (let i = 0; i < placed.length; i += CONFIRMATIONS_AT_ONCE) {
      await Promise.all(
        placed
          .slice(i, i + CONFIRMATIONS_AT_ONCE)
          .map(({ event, at }) => this.options.log.confirmClaim(event.entityId, event.version, at)),
      );
    }
    return this.publish();
  }

  /** The first free leaf index, as far as this run can tell (a hint: leaves only fill). */
  private async firstFree(): Promise<number> {
    let at = (await this.options.log.head())?.treeSize ?? 0;
    for (;;) {
      const leaves = await this.options.log.readLeaves(at, this.maxLeaves);
      at += leaves.length;
      if (leaves.length < this.maxLeaves) return at;
    }
  }

  /**
   * Puts one event in a leaf; answers the next index worth trying for the next event, and
   * the leaf whose claim is still to confirm, if any.
   */
  private async admit(e: EventRef, next: number): Promise<{ next: number; placed?: number }> {
    const { log } = this.options;
    let claim: LeafClaim = await log.claim({ ...e, leafIndex: next });
    let hint = next;
    for (;;) {
      if (claim.hash !== e.hash) {
        throw new LogIntegrityError(
          `event ${e.entityId}#${e.version} was sequenced with hash ${claim.hash}, not ${e.hash}`,
        );
      }
      if (claim.confirmed) return { next: hint };
      const at = claim.leafIndex;
      const leaf = await log.putLeaf({ index: at, ...e });
      if (sameEvent(leaf, e)) {
        if (leaf.hash !== e.hash) {
          throw new LogIntegrityError(
            `leaf ${at} holds ${e.entityId}#${e.version} with another hash`,
          );
        }
        return { next: Math.max(hint, at + 1), placed: at };
      }
      // Another event holds that leaf for good: move the claim on to a later index.
      hint = Math.max(hint, at + 1);
      claim = await log.moveClaim(e.entityId, e.version, at, hint);
    }
  }

  /**
   * Stores the tiles of the leaves past the head and publishes the checkpoint of the grown
   * tree, as many times as it takes to reach the last leaf. Safe to run at any time, by
   * any number of sequencers at once.
   */
  async publish(): Promise<SequenceResult> {
    const { log } = this.options;
    const published: string[] = [];
    let head = (await log.head()) ?? { treeSize: 0, rootHash: toHex(EMPTY_ROOT) };
    for (;;) {
      const leaves = await log.readLeaves(head.treeSize, this.maxLeaves);
      if (leaves.length === 0) return { head, published };
      const grown = await this.grow(head, leaves);
      published.push(grown.note);
      // Not advanced: another sequencer is further on; go on from there.
      head = (await log.advanceHead(grown.head)) ? grown.head : ((await log.head()) ?? grown.head);
      // Fewer than asked for: the log ended there (leaves added since are their
      // sequencer's to publish).
      if (leaves.length < this.maxLeaves) return { head, published };
    }
  }

  private async grow(head: LogHead, leaves: LogLeaf[]): Promise<{ head: LogHead; note: string }> {
    const { log, checkpoints, signer, origin } = this.options;
    const oldSize = head.treeSize;
    const size = oldSize + leaves.length;
    const old = await log.readTiles(partialTiles(oldSize));
    const created = appendTiles(oldSize, leaves.map(leafHashOf), lookupIn(old));
    await log.putTiles(created);
    // Archived where no table access reaches, before any checkpoint names the tree.
    await checkpoints.putTiles(created);
    const fresh = new Map(created.map((t) => [tilePath(t), t.hashes]));
    const root = rootFromTiles(rootPlan(size), await this.tilesOf(rootPlan(size), fresh));
    if (oldSize > 0) {
      // The last published checkpoint, not the head item, is what an auditor holds.
      const previous = await checkpoints.get(oldSize);
      if (previous === undefined) {
        throw new LogIntegrityError(`the checkpoint of ${oldSize} leaves is not published`);
      }
      const before = parseCheckpoint(parseNote(previous).text);
      const plan = consistencyPlan(oldSize, size);
      const proof = hashesFromTiles(plan, await this.tilesOf(plan, fresh));
      if (!verifyConsistency(oldSize, size, proof, before.rootHash, root)) {
        throw new LogIntegrityError(
          `the tree of ${size} leaves is not consistent with the published checkpoint of ${oldSize}`,
        );
      }
    }
    const checkpoint: Checkpoint = { origin, treeSize: size, rootHash: root, extensions: [] };
    const note = await checkpoints.publish(size, await signCheckpoint(checkpoint, [signer]));
    const standing = parseCheckpoint(parseNote(note).text);
    if (!equalHashes(standing.rootHash, root)) {
      throw new LogIntegrityError(`two different checkpoints of ${size} leaves: a fork`);
    }
    return { head: { treeSize: size, rootHash: toHex(root) }, note };
  }

  private async tilesOf(plan: TilePlan, fresh: Map<string, Uint8Array>): Promise<TileLookup> {
    const missing = plan.tiles.filter((t) => !fresh.has(tilePath(t)));
    const read = missing.length > 0 ? await this.options.log.readTiles(missing) : new Map();
    return (ref) => fresh.get(tilePath(ref)) ?? read.get(tilePath(ref));
  }
}

function lookupIn(tiles: Map<string, Uint8Array>): TileLookup {
  return (ref: TileRef) => tiles.get(tilePath(ref));
}

/**
 * Proofs served from the stored tiles: each reads the tiles its plan names in one batch
 * (a bounded number, whatever the size of the log).
 */
export class LogProofs {
  constructor(private readonly log: LogStore) {}

  private async hashes(plan: TilePlan): Promise<Hash[]> {
    return hashesFromTiles(plan, lookupIn(await this.log.readTiles(plan.tiles)));
  }

  /** The RFC 9162 audit path of leaf `leafIndex` in the tree of `treeSize` leaves. */
  inclusion(leafIndex: number, treeSize: number): Promise<Hash[]> {
    return this.hashes(inclusionPlan(leafIndex, treeSize));
  }

  /** The RFC 9162 consistency proof from the tree of `from` leaves to that of `to`. */
  consistency(from: number, to: number): Promise<Hash[]> {
    return this.hashes(consistencyPlan(from, to));
  }

  /** The root of the tree of `treeSize` leaves. */
  async root(treeSize: number): Promise<Hash> {
    const plan = rootPlan(treeSize);
    return rootFromTiles(plan, lookupIn(await this.log.readTiles(plan.tiles)));
  }

  /** The leaf indexes of an entity's sequenced events with versions in the range. */
  async leafIndexes(
    entityId: string,
    fromVersion: number,
    toVersion: number,
  ): Promise<Map<number, number>> {
    const claims = await this.log.claims(entityId, fromVersion, toVersion);
    return new Map(claims.filter((c) => c.confirmed).map((c) => [c.version, c.leafIndex]));
  }
}
