import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  appendTiles,
  consistencyPlan,
  consistencyProof,
  EMPTY_ROOT,
  type Hash,
  hashesFromTiles,
  hashLeaf,
  inclusionPlan,
  inclusionProof,
  parseTilePath,
  rootFromTiles,
  rootOf,
  rootPlan,
  type Tile,
  type TileRef,
  tilePath,
  tilesCreated,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from "../../functions/domain/merkle.js";
import { b64, growTiles, lookupIn, MemoTree, vectorCases } from "./merkle-support.js";

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  wantErr: boolean;
}

describe("known answers: the published RFC 6962/9162 test vectors", () => {
  const inclusion = vectorCases<InclusionCase>("inclusion");
  const consistency = vectorCases<ConsistencyCase>("consistency");

  it("has the 98 cases of each kind", () => {
    expect(inclusion).toHaveLength(98);
    expect(consistency).toHaveLength(98);
  });

  it.each(inclusion)("inclusion %s", (_name, c) => {
    const ok = verifyInclusion(
      b64(c.leafHash),
      c.leafIdx,
      c.treeSize,
      (c.proof ?? []).map(b64),
      b64(c.root),
    );
    expect(ok).toBe(!c.wantErr);
  });

  it.each(consistency)("consistency %s", (_name, c) => {
    const ok = verifyConsistency(
      c.size1,
      c.size2,
      (c.proof ?? []).map(b64),
      b64(c.root1),
      b64(c.root2),
    );
    expect(ok).toBe(!c.wantErr);
  });

  it("hashes the empty tree, leaves and nodes as RFC 6962 §2.1 does", () => {
    expect(toHex(EMPTY_ROOT)).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    // The RFC 6962 reference tree (certificate-transparency-go testdata): leaf "" and the
    // root of the eight leaves used across the Go and C++ test suites.
    expect(toHex(hashLeaf(new Uint8Array()))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
    const leaves = [
      "",
      "00",
      "10",
      "2021",
      "3031",
      "40414243",
      "5051525354555657",
      "606162636465666768696a6b6c6d6e6f",
    ].map((h) => hashLeaf(new Uint8Array(Buffer.from(h, "hex"))));
    expect(toHex(rootOf(leaves))).toBe(
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    );
    expect(toHex(rootOf(leaves.slice(0, 3)))).toBe(
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    );
  });
});

const MAX = 300;
/** Room above MAX: a size with one bit flipped names another tree, up to 1,023 leaves. */
const tree = new MemoTree(1024);

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

/**
 * The root a verifier holds for a tree size: the signed checkpoint of that size. RFC 9162
 * proofs bind the size only through that root (a proof for leaf 0 of 5 leaves also leads
 * to the same root for 7 leaves), so a size with a flipped bit is checked against the
 * root of the tree of that size, as an auditor holding checkpoints would; sizes beyond
 * the tree keep the old root.
 */
function rootForSize(size: number, fallback: Hash): Hash {
  return size <= tree.leaves.length ? tree.root(size) : fallback;
}

describe("the in-memory proofs are the RFC's", () => {
  it("PATH and PROOF over rootOf agree with the memoised subtrees", () => {
    for (const n of [1, 2, 3, 5, 7, 8, 13, 64, 65, 100]) {
      const leaves = tree.leaves.slice(0, n);
      expect(toHex(rootOf(leaves))).toBe(toHex(tree.root(n)));
      for (let i = 0; i < n; i++) {
        expect(inclusionProof(i, leaves).map(toHex)).toEqual(tree.inclusion(i, n).map(toHex));
      }
      for (let m = 1; m <= n; m++) {
        expect(consistencyProof(m, leaves).map(toHex)).toEqual(tree.consistency(m, n).map(toHex));
      }
    }
  });
});

describe("every proof verifies", () => {
  it("inclusion: every leaf of every tree of 1..300 leaves", () => {
    let count = 0;
    for (let n = 1; n <= MAX; n++) {
      const root = tree.root(n);
      for (let i = 0; i < n; i++) {
        if (!verifyInclusion(tree.leaves[i] as Hash, i, n, tree.inclusion(i, n), root)) {
          throw new Error(`leaf ${i} of ${n} does not verify`);
        }
        count++;
      }
    }
    expect(count).toBe((MAX * (MAX + 1)) / 2);
  });

  it("consistency: every 1 ≤ M ≤ N ≤ 300", () => {
    let count = 0;
    for (let n = 1; n <= MAX; n++) {
      const rootN = tree.root(n);
      for (let m = 1; m <= n; m++) {
        if (!verifyConsistency(m, n, tree.consistency(m, n), tree.root(m), rootN)) {
          throw new Error(`${m} → ${n} does not verify`);
        }
        count++;
      }
    }
    expect(count).toBe((MAX * (MAX + 1)) / 2);
  });
});

const sizeAndLeaf = fc
  .integer({ min: 1, max: MAX })
  .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 })));
const sizes = fc
  .integer({ min: 1, max: MAX })
  .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)));
const RUNS = { numRuns: 1500 };

describe("flipping any bit makes an inclusion proof fail", () => {
  it("a bit of the proof", () => {
    fc.assert(
      fc.property(
        sizeAndLeaf.filter(([n]) => n > 1),
        fc.nat(),
        fc.nat(255),
        ([n, i], k, bit) => {
          const proof = tree.inclusion(i, n);
          const at = k % proof.length;
          proof[at] = flipBit(proof[at] as Hash, bit);
          expect(verifyInclusion(tree.leaves[i] as Hash, i, n, proof, tree.root(n))).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it("a bit of the leaf hash or of the root", () => {
    fc.assert(
      fc.property(sizeAndLeaf, fc.nat(255), ([n, i], bit) => {
        const leaf = tree.leaves[i] as Hash;
        const proof = tree.inclusion(i, n);
        expect(verifyInclusion(flipBit(leaf, bit), i, n, proof, tree.root(n))).toBe(false);
        expect(verifyInclusion(leaf, i, n, proof, flipBit(tree.root(n), bit))).toBe(false);
      }),
      RUNS,
    );
  });

  it("a bit of the tree size or of the leaf index", () => {
    fc.assert(
      fc.property(sizeAndLeaf, fc.nat(52), ([n, i], bit) => {
        const leaf = tree.leaves[i] as Hash;
        const proof = tree.inclusion(i, n);
        const m = n ^ (2 ** bit);
        const flipped = bit < 31 ? m : n + (n & (2 ** bit) ? -(2 ** bit) : 2 ** bit);
        expect(verifyInclusion(leaf, i, flipped, proof, rootForSize(flipped, tree.root(n)))).toBe(
          false,
        );
        const j = bit < 31 ? i ^ (2 ** bit) : i + 2 ** bit;
        expect(verifyInclusion(leaf, j, n, proof, tree.root(n))).toBe(false);
      }),
      RUNS,
    );
  });
});

describe("flipping any bit makes a consistency proof fail", () => {
  it("a bit of the proof", () => {
    fc.assert(
      fc.property(
        sizes.filter(([m, n]) => m < n),
        fc.nat(),
        fc.nat(255),
        ([m, n], k, bit) => {
          const proof = tree.consistency(m, n);
          const at = k % proof.length;
          proof[at] = flipBit(proof[at] as Hash, bit);
          expect(verifyConsistency(m, n, proof, tree.root(m), tree.root(n))).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it("a bit of either root", () => {
    fc.assert(
      fc.property(sizes, fc.nat(255), ([m, n], bit) => {
        const proof = tree.consistency(m, n);
        expect(verifyConsistency(m, n, proof, flipBit(tree.root(m), bit), tree.root(n))).toBe(
          false,
        );
        expect(verifyConsistency(m, n, proof, tree.root(m), flipBit(tree.root(n), bit))).toBe(
          false,
        );
      }),
      RUNS,
    );
  });

  it("a bit of either size", () => {
    fc.assert(
      fc.property(sizes, fc.nat(30), ([m, n], bit) => {
        const proof = tree.consistency(m, n);
        const m2 = m ^ (2 ** bit);
        const n2 = n ^ (2 ** bit);
        const ok1 = verifyConsistency(m2, n, proof, rootForSize(m2, tree.root(m)), tree.root(n));
        const ok2 = verifyConsistency(m, n2, proof, tree.root(m), rootForSize(n2, tree.root(n)));
        expect([ok1, ok2]).toEqual([false, false]);
      }),
      RUNS,
    );
  });
});

describe("tiles (C2SP tlog-tiles)", () => {
  it("names tiles as tlog-tiles does", () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe("tile/0/x001/x234/067");
    expect(tilePath({ level: 0, index: 1234, width: 256 })).toBe("tile/0/x001/234");
    expect(tilePath({ level: 0, index: 123, width: 45 })).toBe("tile/0/123.p/45");
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe("tile/2/000.p/1");
    for (const path of ["tile/0/x001/x234/067", "tile/0/123.p/45", "tile/3/000"]) {
      const ref = parseTilePath(path);
      expect(ref && tilePath(ref)).toBe(path);
    }
    for (const bad of ["tile/0/1234", "tile/0/001.p/256", "tile/0/001.p/0", "tile/0/x000/001"]) {
      expect(parseTilePath(bad)).toBeUndefined();
    }
  });

  it("reads exactly the tiles of the sizes the store grew through", () => {
    const big = new MemoTree(1000, 3);
    const store = growTiles(big.leaves, [10, 500, 490]);
    for (const n of [10, 510, 1000]) {
      const reads: TileRef[] = [];
      for (let i = 0; i < n; i += 37) {
        const plan = inclusionPlan(i, n);
        expect(hashesFromTiles(plan, lookupIn(store, reads)).map(toHex)).toEqual(
          big.inclusion(i, n).map(toHex),
        );
      }
      for (let m = 1; m <= n; m += 41) {
        const plan = consistencyPlan(m, n);
        expect(hashesFromTiles(plan, lookupIn(store, reads)).map(toHex)).toEqual(
          big.consistency(m, n).map(toHex),
        );
      }
      expect(toHex(rootFromTiles(rootPlan(n), lookupIn(store, reads)))).toBe(toHex(big.root(n)));
      expect(reads.every((r) => store.has(tilePath(r)))).toBe(true);
    }
  });

  it("appending nothing creates nothing, and tiles cannot grow backwards", () => {
    expect(tilesCreated(300, 300)).toEqual([]);
    expect(appendTiles(0, [], () => undefined)).toEqual([] as Tile[]);
    expect(() => tilesCreated(3, 2)).toThrow(RangeError);
  });
});
