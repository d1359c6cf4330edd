import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  consistencyPlan,
  type Hash,
  hashesFromTiles,
  inclusionPlan,
  partialTiles,
  rootFromTiles,
  rootPlan,
  type TileRef,
  tilePath,
  toHex,
} from "../../functions/domain/merkle.js";
import { growTiles, MemoTree } from "./merkle-support.js";

describe("tiles of trees with three tile levels", () => {
  it("full tiles hold the leaf hashes and, one level up, the roots of the tiles below", () => {
    const n = 256 * 256 + 300;
    const big = new MemoTree(n, 1);
    const store = growTiles(big.leaves, [1, 255, 1, 70_000]);
    const level1 = store.get("tile/1/000") as Uint8Array;
    expect(toHex(level1.subarray(0, 32))).toBe(toHex(big.node(8, 0)));
    expect(toHex(store.get("tile/2/000.p/1") as Uint8Array)).toBe(toHex(big.node(16, 0)));
    expect(toHex((store.get("tile/0/257.p/44") as Uint8Array).subarray(0, 32))).toBe(
      toHex(big.leaves[256 * 257] as Hash),
    );
    expect(partialTiles(n)).toEqual([
      { level: 0, index: 257, width: 44 },
      { level: 1, index: 1, width: 1 },
      { level: 2, index: 0, width: 1 },
    ]);
  });

  it("roots and proofs read from tiles are the in-memory ones, from a bounded number of tiles", () => {
    const big = new MemoTree(70_000, 2);
    const store = growTiles(big.leaves, [3, 700, 1, 256, 30_000, 39_040]);
    const narrowest = new Map<string, Uint8Array | undefined>();
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 70_000 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.integer({ min: 0, max: n - 1 }),
              fc.integer({ min: 1, max: n }),
            ),
          ),
        ([n, i, m]) => {
          // Every tile the store holds at a size it grew through, or wider: the lookup
          // takes the narrowest stored tile at least as wide as the one asked for.
          const lookup = (ref: TileRef) => {
            const key = tilePath(ref);
            if (!narrowest.has(key)) {
              let w = ref.width;
              while (w <= 256 && !store.has(tilePath({ ...ref, width: w }))) w++;
              narrowest.set(key, store.get(tilePath({ ...ref, width: w })));
            }
            return narrowest.get(key);
          };
          const root = rootPlan(n);
          expect(toHex(rootFromTiles(root, lookup))).toBe(toHex(big.root(n)));
          const incl = inclusionPlan(i, n);
          expect(hashesFromTiles(incl, lookup).map(toHex)).toEqual(big.inclusion(i, n).map(toHex));
          const cons = consistencyPlan(m, n);
          expect(hashesFromTiles(cons, lookup).map(toHex)).toEqual(
            big.consistency(m, n).map(toHex),
          );
          // Three tile levels at 70,000 leaves: at most two tiles of each, plus one.
          expect(incl.tiles.length).toBeLessThanOrEqual(7);
          expect(cons.tiles.length).toBeLessThanOrEqual(7);
          expect(root.tiles.length).toBeLessThanOrEqual(3);
        },
      ),
      { numRuns: 100 },
    );
  });
});
