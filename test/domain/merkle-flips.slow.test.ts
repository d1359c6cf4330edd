import { describe, expect, it } from "vitest";
import { type Hash, verifyConsistency, verifyInclusion } from "../../functions/domain/merkle.js";
import { MemoTree } from "./merkle-support.js";

/**
 * Every bit, not a sample: for every tree of up to 16 leaves, every proof with any one bit
 * of any of its hashes, of the leaf, of the roots, of the leaf index or of a size flipped
 * fails. A flipped size is checked against the root of the tree of that size (what a
 * checkpoint of that size would hold), as in the sampled tests.
 */
const MAX = 16;
const tree = new MemoTree(64, 7);

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

function rootFor(size: number): Hash {
  return tree.root(Math.min(size, 64));
}

describe("every one-bit change makes a proof fail", () => {
  it("inclusion", () => {
    let checks = 0;
    for (let n = 1; n <= MAX; n++) {
      const root = tree.root(n);
      for (let i = 0; i < n; i++) {
        const leaf = tree.leaves[i] as Hash;
        const proof = tree.inclusion(i, n);
        const fail = (ok: boolean, what: string) => {
          checks++;
          if (ok) throw new Error(`${what} still verifies (leaf ${i} of ${n})`);
        };
        for (let bit = 0; bit < 256; bit++) {
          fail(verifyInclusion(flip(leaf, bit), i, n, proof, root), `leaf bit ${bit}`);
          fail(verifyInclusion(leaf, i, n, proof, flip(root, bit)), `root bit ${bit}`);
          proof.forEach((p, k) => {
            const forged = proof.map((q, j) => (j === k ? flip(p, bit) : q));
            fail(verifyInclusion(leaf, i, n, forged, root), `proof ${k} bit ${bit}`);
          });
        }
        for (let bit = 0; bit < 7; bit++) {
          const m = n ^ (1 << bit);
          fail(verifyInclusion(leaf, i, m, proof, rootFor(m)), `size bit ${bit}`);
          fail(verifyInclusion(leaf, i ^ (1 << bit), n, proof, root), `index bit ${bit}`);
        }
      }
    }
    expect(checks).toBeGreaterThan(100_000);
  });

  it("consistency", () => {
    let checks = 0;
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistency(m, n);
        const [r1, r2] = [tree.root(m), tree.root(n)];
        const fail = (ok: boolean, what: string) => {
          checks++;
          if (ok) throw new Error(`${what} still verifies (${m} → ${n})`);
        };
        for (let bit = 0; bit < 256; bit++) {
          fail(verifyConsistency(m, n, proof, flip(r1, bit), r2), `root1 bit ${bit}`);
          fail(verifyConsistency(m, n, proof, r1, flip(r2, bit)), `root2 bit ${bit}`);
          proof.forEach((p, k) => {
            const forged = proof.map((q, j) => (j === k ? flip(p, bit) : q));
            fail(verifyConsistency(m, n, forged, r1, r2), `proof ${k} bit ${bit}`);
          });
        }
        for (let bit = 0; bit < 7; bit++) {
          const m2 = m ^ (1 << bit);
          const n2 = n ^ (1 << bit);
          fail(verifyConsistency(m2, n, proof, rootFor(m2), r2), `size1 bit ${bit}`);
          fail(verifyConsistency(m, n2, proof, r1, rootFor(n2)), `size2 bit ${bit}`);
        }
      }
    }
    expect(checks).toBeGreaterThan(100_000);
  });
});
