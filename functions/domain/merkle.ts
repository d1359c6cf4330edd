import { hash } from "node:crypto";

/**
 * The ledger-wide Merkle log: RFC 9162 §2.1 hashing, proofs and their verification, and
 * the C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles) in which the tree is stored,
 * so that any proof or root reads a bounded number of stored tiles.
 *
 * Sizes and indexes are plain numbers: every function checks that they are safe
 * integers, and uses division rather than 32-bit shifts.
 */

/** A SHA-256 hash: 32 bytes. */
export type Hash = Uint8Array;

export const HASH_SIZE = 32;

function sha256(data: Uint8Array): Hash {
  return hash("sha256", data, "buffer");
}

/** Scratch space for a node's preimage; hashing is synchronous, so one buffer serves all. */
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);

/** RFC 9162 §2.1.1: the hash of an empty tree, SHA-256 of nothing. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array());

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 ‖ leaf). */
export function hashLeaf(leaf: Uint8Array): Hash {
  const input = new Uint8Array(1 + leaf.length);
  input.set(leaf, 1);
  return sha256(input);
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function hashChildren(left: Hash, right: Hash): Hash {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError("a child hash is not 32 bytes");
  }
  nodeInput[0] = 0x01;
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function toHex(hash: Uint8Array): string {
  return Buffer.from(hash).toString("hex");
}

/** Lowercase or uppercase hex of exactly 32 bytes to a hash; undefined for anything else. */
export function fromHex(text: string): Hash | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, "hex"));
}

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.floor(Math.log2(n)) === n;
}

// ---------------------------------------------------------------------------------------
// Trees held in memory (the reference the tiled store is tested against)
// ---------------------------------------------------------------------------------------

/** RFC 9162 §2.1.1 MTH over leaf hashes `[lo, hi)` of `leaves` (all of them by default). */
export function rootOf(leaves: readonly Hash[], lo = 0, hi = leaves.length): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo] as Hash;
  const k = splitPoint(n);
  return hashChildren(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi));
}

/** A range `[lo, hi)` of leaves whose MTH is one element of a proof. */
export interface LeafRange {
  lo: number;
  hi: number;
}

function pathRanges(m: number, lo: number, hi: number, out: LeafRange[]): void {
  if (hi - lo <= 1) return;
  const k = splitPoint(hi - lo);
  if (m - lo < k) {
    pathRanges(m, lo, lo + k, out);
    out.push({ lo: lo + k, hi });
  } else {
    pathRanges(m, lo + k, hi, out);
    out.push({ lo, hi: lo + k });
  }
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the leaf ranges whose hashes form the audit path. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!isSize(size) || !isSize(index) || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  }
  const out: LeafRange[] = [];
  pathRanges(index, 0, size, out);
  return out;
}

function subproofRanges(m: number, lo: number, hi: number, b: boolean, out: LeafRange[]): void {
  const n = hi - lo;
  if (m === n) {
    if (!b) out.push({ lo, hi });
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofRanges(m, lo, lo + k, b, out);
    out.push({ lo: lo + k, hi });
  } else {
    subproofRanges(m - k, lo + k, hi, false, out);
    out.push({ lo, hi: lo + k });
  }
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[n]): the leaf ranges whose hashes form the consistency proof
 * from size m to size n (empty when m = n; only 0 < m ≤ n is defined).
 */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  if (!isSize(m) || !isSize(n) || m < 1 || m > n) {
    throw new RangeError(`no consistency proof from ${m} to ${n}`);
  }
  const out: LeafRange[] = [];
  if (m < n) subproofRanges(m, 0, n, true, out);
  return out;
}

/** The audit path of leaf `index` in the tree of all of `leaves`, computed in memory. */
export function inclusionProof(index: number, leaves: readonly Hash[]): Hash[] {
  return inclusionRanges(index, leaves.length).map((r) => rootOf(leaves, r.lo, r.hi));
}

/** The consistency proof from the first `m` of `leaves` to all of them, computed in memory. */
export function consistencyProof(m: number, leaves: readonly Hash[]): Hash[] {
  return consistencyRanges(m, leaves.length).map((r) => rootOf(leaves, r.lo, r.hi));
}

// ---------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2)
// ---------------------------------------------------------------------------------------

function allHashes(hashes: readonly Uint8Array[]): boolean {
  return hashes.every((h) => h.length === HASH_SIZE);
}

/**
 * RFC 9162 §2.1.3.2: the root that an audit path leads to from a leaf hash, or undefined
 * when the path cannot be one for this index and size (wrong length, bad hash sizes).
 */
export function rootFromInclusionProof(
  leafHash: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
): Hash | undefined {
  if (!isSize(index) || !isSize(size) || index >= size) return undefined;
  if (leafHash.length !== HASH_SIZE || !allHashes(proof)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/** RFC 9162 §2.1.3.2: whether `proof` proves leaf `index` of the tree of `size` with `root`. */
export function verifyInclusion(
  leafHash: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  return computed !== undefined && root.length === HASH_SIZE && equalHashes(computed, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` proves that the tree of `size2` with `root2` extends
 * the tree of `size1` with `root1`. Equal sizes need an empty proof and equal roots; an
 * empty old tree has no proof (anything extends it, so nothing is proven) and fails.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 > size2 || size1 === 0) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  if (proof.length === 0) return false;
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE || !allHashes(proof)) {
    return false;
  }
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalHashes(fr, root1) && equalHashes(sr, root2);
}

// ---------------------------------------------------------------------------------------
// Nodes: complete subtrees, the unit the tiles store
// ---------------------------------------------------------------------------------------

/** A complete subtree: leaves `[index·2^level, (index+1)·2^level)`. */
export interface TreeNode {
  level: number;
  index: number;
}

/**
 * The complete subtrees whose hashes, folded from the right, give the MTH of `[lo, hi)`.
 * Defined for the ranges that proofs and roots use: `lo` aligned to a power of two at
 * least `hi - lo`, so the range splits into subtrees of decreasing size.
 */
export function rangeNodes(range: LeafRange): TreeNode[] {
  const nodes: TreeNode[] = [];
  let lo = range.lo;
  let remaining = range.hi - range.lo;
  while (remaining > 0) {
    const size = 2 ** Math.floor(Math.log2(remaining));
    const level = Math.log2(size);
    if (lo % size !== 0) throw new RangeError(`range [${range.lo}, ${range.hi}) is not aligned`);
    nodes.push({ level, index: lo / size });
    lo += size;
    remaining -= size;
  }
  return nodes;
}

/** The hash of a range from the hashes of its `rangeNodes`, folded from the right. */
export function foldRange(nodeHashes: readonly Hash[]): Hash {
  if (nodeHashes.length === 0) return EMPTY_ROOT;
  let acc = nodeHashes[nodeHashes.length - 1] as Hash;
  for (let i = nodeHashes.length - 2; i >= 0; i--) acc = hashChildren(nodeHashes[i] as Hash, acc);
  return acc;
}

// ---------------------------------------------------------------------------------------
// Tiles (C2SP tlog-tiles, height 8)
// ---------------------------------------------------------------------------------------

export const TILE_HEIGHT = 8;
/** The hashes in a full tile: 2^TILE_HEIGHT. */
export const TILE_WIDTH = 256;

/**
 * One tile as a tree of a given size holds it: tile `index` at tile level `level` stores
 * the hashes of the nodes at tree level `8·level` numbered `[index·256, index·256 + width)`.
 * `width` is 256 for a full tile, 1..255 for a partial one.
 */
export interface TileRef {
  level: number;
  index: number;
  width: number;
}

/** A tile with its content: `width` hashes of 32 bytes, concatenated. */
export interface Tile extends TileRef {
  hashes: Uint8Array;
}

/** The tlog-tiles path element of a tile index: 1234067 → `x001/x234/067`. */
export function tileIndexPath(index: number): string {
  if (!isSize(index)) throw new RangeError(`bad tile index ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join("/");
}

/** The tlog-tiles path of a tile: `tile/0/x001/234` or `tile/0/123.p/45`. */
export function tilePath(ref: TileRef): string {
  const base = `tile/${ref.level}/${tileIndexPath(ref.index)}`;
  return ref.width === TILE_WIDTH ? base : `${base}.p/${ref.width}`;
}

/** Parses a tile path back to its reference; undefined for anything that is not one. */
export function parseTilePath(path: string): TileRef | undefined {
  const m =
    /^tile\/(0|[1-9][0-9]{0,2})\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) return undefined;
  const index = Number((m[2] as string).replaceAll("x", "").replaceAll("/", ""));
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (width > TILE_WIDTH - 1 && m[3] !== undefined) return undefined;
  const ref = { level: Number(m[1]), index, width };
  return tilePath(ref) === path ? ref : undefined;
}

/** The number of stored hashes at tile level `level` in a tree of `size` leaves. */
function storedAt(level: number, size: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** The tile that holds stored hash `n` of tile level `level`, as the tree of `size` holds it. */
function tileOf(level: number, n: number, size: number): TileRef {
  const index = Math.floor(n / TILE_WIDTH);
  const width = Math.min(TILE_WIDTH, storedAt(level, size) - index * TILE_WIDTH);
  return { level, index, width };
}

/** Where a node's hash comes from: a tile and the range of its hashes to fold. */
interface NodeSource {
  tile: TileRef;
  /** The first stored hash of the tile that the node covers (relative to the tile). */
  offset: number;
  /** How many stored hashes the node covers: a power of two up to 128... or 1. */
  count: number;
}

function nodeSource(node: TreeNode, size: number): NodeSource {
  if ((node.index + 1) * 2 ** node.level > size) {
    throw new RangeError(`node ${node.level}/${node.index} is not complete at size ${size}`);
  }
  const level = Math.floor(node.level / TILE_HEIGHT);
  const count = 2 ** (node.level - level * TILE_HEIGHT);
  const first = node.index * count;
  const tile = tileOf(level, first, size);
  return { tile, offset: first - tile.index * TILE_WIDTH, count };
}

function sameTile(a: TileRef, b: TileRef): boolean {
  return a.level === b.level && a.index === b.index && a.width === b.width;
}

/** The tiles (each as the tree of `size` holds it) from which the nodes' hashes are read. */
export function tilesForNodes(nodes: readonly TreeNode[], size: number): TileRef[] {
  const tiles: TileRef[] = [];
  for (const node of nodes) {
    const { tile } = nodeSource(node, size);
    if (!tiles.some((t) => sameTile(t, tile))) tiles.push(tile);
  }
  return tiles;
}

/** Reads tiles: the answer to a request for `ref` may hold more hashes than `ref.width`. */
export type TileLookup = (ref: TileRef) => Uint8Array | undefined;

function storedHashes(hashes: Uint8Array, from: number, count: number): Hash[] {
  const out: Hash[] = [];
  for (let i = from; i < from + count; i++) {
    out.push(hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
  return out;
}

/** A node's hash from the tiles that `tilesForNodes` named. */
export function nodeHashFromTiles(node: TreeNode, size: number, lookup: TileLookup): Hash {
  const source = nodeSource(node, size);
  const hashes = lookup(source.tile);
  if (hashes === undefined || hashes.length < (source.offset + source.count) * HASH_SIZE) {
    throw new MissingTile(source.tile);
  }
  return rootOf(storedHashes(hashes, source.offset, source.count));
}

/** A tile that a computation needs is not in the store (or is shorter than needed). */
export class MissingTile extends Error {
  constructor(readonly tile: TileRef) {
    super(`tile ${tilePath(tile)} is missing`);
    this.name = "MissingTile";
  }
}

/** What a computation over the stored tree needs: the ranges to hash and the tiles to read. */
export interface TilePlan {
  size: number;
  ranges: LeafRange[];
  tiles: TileRef[];
}

function planOf(size: number, ranges: LeafRange[]): TilePlan {
  return { size, ranges, tiles: tilesForNodes(ranges.flatMap(rangeNodes), size) };
}

/** The tiles an inclusion proof of leaf `index` in the tree of `size` reads. */
export function inclusionPlan(index: number, size: number): TilePlan {
  return planOf(size, inclusionRanges(index, size));
}

/** The tiles a consistency proof from `m` to `n` reads. */
export function consistencyPlan(m: number, n: number): TilePlan {
  return planOf(n, consistencyRanges(m, n));
}

/** The tiles the root of the tree of `size` is computed from (none for the empty tree). */
export function rootPlan(size: number): TilePlan {
  if (!isSize(size)) throw new RangeError(`bad tree size ${size}`);
  return planOf(size, size === 0 ? [] : [{ lo: 0, hi: size }]);
}

/** The hashes of a plan's ranges, from the tiles it named. */
export function hashesFromTiles(plan: TilePlan, lookup: TileLookup): Hash[] {
  return plan.ranges.map((r) =>
    foldRange(rangeNodes(r).map((n) => nodeHashFromTiles(n, plan.size, lookup))),
  );
}

/** The root of the tree of `plan.size` from the tiles of `rootPlan`. */
export function rootFromTiles(plan: TilePlan, lookup: TileLookup): Hash {
  return plan.size === 0 ? EMPTY_ROOT : (hashesFromTiles(plan, lookup)[0] as Hash);
}

/** The partial tiles of the tree of `size`: what appending to it must read and extend. */
export function partialTiles(size: number): TileRef[] {
  if (!isSize(size)) throw new RangeError(`bad tree size ${size}`);
  const out: TileRef[] = [];
  for (let level = 0; storedAt(level, size) > 0; level++) {
    const width = storedAt(level, size) % TILE_WIDTH;
    if (width > 0)
      out.push({ level, index: Math.floor(storedAt(level, size) / TILE_WIDTH), width });
  }
  return out;
}

/** The tiles that growing the tree from `oldSize` to `newSize` creates, each at `newSize`. */
export function tilesCreated(oldSize: number, newSize: number): TileRef[] {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) {
    throw new RangeError(`cannot grow from ${oldSize} to ${newSize}`);
  }
  const out: TileRef[] = [];
  for (let level = 0; storedAt(level, newSize) > 0; level++) {
    const before = storedAt(level, oldSize);
    const after = storedAt(level, newSize);
    if (after === before) continue;
    for (let n = Math.floor(before / TILE_WIDTH); n * TILE_WIDTH < after; n++) {
      out.push(tileOf(level, n * TILE_WIDTH, newSize));
    }
  }
  return out;
}

/**
 * The tiles that appending `leafHashes` to the tree of `oldSize` creates, with their
 * content. `lookup` answers for the `partialTiles(oldSize)`: the tree's last, partial tiles.
 */
export function appendTiles(
  oldSize: number,
  leafHashes: readonly Hash[],
  lookup: TileLookup,
): Tile[] {
  if (!allHashes(leafHashes)) throw new RangeError("a leaf hash is not 32 bytes");
  const newSize = oldSize + leafHashes.length;
  const created = tilesCreated(oldSize, newSize);
  const tiles: Tile[] = [];
  // The stored hashes of one tile level from the start of the old partial tile on.
  let fresh: Hash[] = [...leafHashes];
  for (let level = 0; fresh.length > 0; level++) {
    const before = storedAt(level, oldSize);
    const start = Math.floor(before / TILE_WIDTH) * TILE_WIDTH;
    let carried: Hash[] = [];
    if (before > start) {
      const ref: TileRef = { level, index: start / TILE_WIDTH, width: before - start };
      const old = lookup(ref);
      if (old === undefined || old.length < ref.width * HASH_SIZE) throw new MissingTile(ref);
      carried = storedHashes(old, 0, ref.width);
    }
    const all = [...carried, ...fresh];
    const next: Hash[] = [];
    for (const ref of created.filter((t) => t.level === level)) {
      const from = ref.index * TILE_WIDTH - start;
      const hashes = all.slice(from, from + ref.width);
      tiles.push({ ...ref, hashes: concat(hashes) });
      if (ref.width === TILE_WIDTH) next.push(rootOf(hashes));
    }
    fresh = next;
  }
  return tiles;
}

function concat(hashes: readonly Hash[]): Uint8Array {
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => {
    out.set(h, i * HASH_SIZE);
  });
  return out;
}
