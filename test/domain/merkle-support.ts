import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import {
  appendTiles,
  consistencyRanges,
  EMPTY_ROOT,
  type Hash,
  hashChildren,
  hashLeaf,
  inclusionRanges,
  partialTiles,
  rangeNodes,
  type TileRef,
  tilePath,
  tilesCreated,
} from "../../functions/domain/merkle.js";

/** The published RFC 6962/9162 test vectors, shipped with the tests (their licence beside them). */
export const VECTORS = fileURLToPath(new URL("../fixtures/merkle-test-vectors", import.meta.url));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

/** Every case of one kind (`inclusion` or `consistency`), named by its file. */
export function vectorCases<T>(kind: "inclusion" | "consistency"): [string, T][] {
  const dir = join(VECTORS, kind);
  return jsonFiles(dir)
    .sort()
    .map((path) => [relative(dir, path), JSON.parse(readFileSync(path, "utf8")) as T]);
}

export function b64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** A tree held in memory whose complete subtrees are computed once. */
export class MemoTree {
  readonly leaves: Hash[];
  private readonly nodes = new Map<string, Hash>();
  constructor(size: number, seed = 0) {
    this.leaves = Array.from({ length: size }, (_, i) =>
      hashLeaf(new Uint8Array(Buffer.from(`leaf ${seed} ${i}`))),
    );
  }
  node(level: number, index: number): Hash {
    if (level === 0) return this.leaves[index] as Hash;
    const key = `${level}/${index}`;
    let h = this.nodes.get(key);
    if (h === undefined) {
      h = hashChildren(this.node(level - 1, 2 * index), this.node(level - 1, 2 * index + 1));
      this.nodes.set(key, h);
    }
    return h;
  }
  private readonly ranges = new Map<string, Hash>();
  range(lo: number, hi: number): Hash {
    const key = `${lo}-${hi}`;
    let h = this.ranges.get(key);
    if (h === undefined) {
      h = this.fold(lo, hi);
      this.ranges.set(key, h);
    }
    return h;
  }
  private fold(lo: number, hi: number): Hash {
    const hashes = rangeNodes({ lo, hi }).map((n) => this.node(n.level, n.index));
    let acc = hashes[hashes.length - 1] as Hash;
    for (let i = hashes.length - 2; i >= 0; i--) acc = hashChildren(hashes[i] as Hash, acc);
    return acc;
  }
  root(size: number): Hash {
    return size === 0 ? EMPTY_ROOT : this.range(0, size);
  }
  inclusion(index: number, size: number): Hash[] {
    return inclusionRanges(index, size).map((r) => this.range(r.lo, r.hi));
  }
  consistency(m: number, n: number): Hash[] {
    return consistencyRanges(m, n).map((r) => this.range(r.lo, r.hi));
  }
}

/** A tile store in memory, keyed by path, grown the way the sequencer grows it. */
export function growTiles(leaves: readonly Hash[], chunks: number[]): Map<string, Uint8Array> {
  const store = new Map<string, Uint8Array>();
  let size = 0;
  for (const chunk of chunks) {
    const next = Math.min(leaves.length, size + chunk);
    const needed = partialTiles(size);
    const created = appendTiles(size, leaves.slice(size, next), (ref) => {
      expect(needed).toContainEqual(ref);
      return store.get(tilePath(ref));
    });
    expect(created.map(({ hashes: _, ...ref }) => ref)).toEqual(tilesCreated(size, next));
    for (const tile of created) store.set(tilePath(tile), tile.hashes);
    size = next;
    if (size === leaves.length) break;
  }
  return store;
}

export function lookupIn(store: Map<string, Uint8Array>, reads?: TileRef[]) {
  return (ref: TileRef) => {
    reads?.push(ref);
    return store.get(tilePath(ref));
  };
}
