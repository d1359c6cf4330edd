import { createHash, createSign, generateKeyPairSync, sign } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Bytes,
  fromHex,
  importPublicKey,
  leafHash,
  parseCheckpoint,
  parseSignedNote,
  toHex,
  verifyInclusion,
  verifyNote,
} from "../../app/src/merkle.js";

/** RFC 9162 §2.1.1 and §2.1.3.1, straight from their recursive definitions. */
const h = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p);
  return new Uint8Array(hash.digest());
};
const largestPowerOfTwoBelow = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return h(Uint8Array.of(0), leaves[0] as Uint8Array);
  const k = largestPowerOfTwoBelow(leaves.length);
  return h(Uint8Array.of(1), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

const b = (x: Uint8Array) => new Uint8Array(x) as Bytes;

/** The RFC 6962 test leaves used by Certificate Transparency implementations. */
const VECTOR_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(fromHex);

describe("RFC 9162 inclusion proofs", () => {
  it("the reference tree gives the published roots of the RFC 6962 test vectors", () => {
    expect(toHex(b(mth(VECTOR_LEAVES.slice(0, 1))))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
    expect(toHex(b(mth(VECTOR_LEAVES)))).toBe(
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    );
  });

  it("every leaf's proof verifies in every tree of 1 to 70 leaves", async () => {
    const leaves = Array.from({ length: 70 }, (_, i) => h(Uint8Array.of(i)));
    for (let size = 1; size <= 70; size++) {
      const tree = leaves.slice(0, size);
      const root = b(mth(tree));
      for (let m = 0; m < size; m++) {
        const ok = await verifyInclusion(
          m,
          size,
          await leafHash(b(tree[m] as Uint8Array)),
          path(m, tree).map(b),
          root,
        );
        expect(ok, `leaf ${m} of ${size}`).toBe(true);
      }
    }
  });

  it("a flipped bit in the leaf, a proof node or the root, or another index, fails", async () => {
    const leaves = Array.from({ length: 40 }, (_, i) => h(Uint8Array.of(i, 7)));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }).chain((size) =>
          fc.record({
            size: fc.constant(size),
            m: fc.integer({ min: 0, max: size - 1 }),
            target: fc.constantFrom("leaf", "path", "root", "index"),
            bit: fc.integer({ min: 0, max: 255 }),
          }),
        ),
        async ({ size, m, target, bit }) => {
          const tree = leaves.slice(0, size);
          const root = b(mth(tree));
          const proof = path(m, tree).map(b);
          let hash = await leafHash(b(tree[m] as Uint8Array));
          let index = m;
          const flip = (x: Bytes) => {
            const y = new Uint8Array(x);
            y[bit >> 3] = (y[bit >> 3] as number) ^ (1 << (bit & 7));
            return y as Bytes;
          };
          if (target === "leaf") hash = flip(hash);
          if (target === "path") {
            if (proof.length === 0) return;
            proof[bit % proof.length] = flip(proof[bit % proof.length] as Bytes);
          }
          const r = target === "root" ? flip(root) : root;
          if (target === "index") index = (m + 1 + (bit % (size - 1))) % size;
          expect(await verifyInclusion(index, size, hash, proof, r)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an index outside the tree or a proof of the wrong length fails", async () => {
    const tree = [h(Uint8Array.of(1)), h(Uint8Array.of(2)), h(Uint8Array.of(3))];
    const root = b(mth(tree));
    const leaf = await leafHash(b(tree[2] as Uint8Array));
    const proof = path(2, tree).map(b);
    expect(await verifyInclusion(2, 3, leaf, proof, root)).toBe(true);
    expect(await verifyInclusion(3, 3, leaf, proof, root)).toBe(false);
    expect(await verifyInclusion(2, 3, leaf, [...proof, proof[0] as Bytes], root)).toBe(false);
    expect(await verifyInclusion(2, 3, leaf, [], root)).toBe(false);
  });
});

describe("signed checkpoints (C2SP signed-note, tlog-checkpoint)", () => {
  const root = new Uint8Array(32).fill(7);
  const text = `ledger.example/log\n42\n${Buffer.from(root).toString("base64")}\n`;

  it("an Ed25519 note verifies with its key, and not once its text or key changes", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const signature = sign(null, Buffer.from(text), privateKey);
    const line = Buffer.concat([Buffer.from([1, 2, 3, 4]), signature]).toString("base64");
    const note = `${text}\n\u2014 ledger.example/log ${line}\n`;
    const parsed = parseSignedNote(note);
    expect(await verifyNote(parsed, await importPublicKey(pem))).toBe(true);
    expect(parseCheckpoint(parsed.text)).toEqual({
      origin: "ledger.example/log",
      treeSize: 42,
      rootHash: root,
    });
    const forged = parseSignedNote(note.replace("\n42\n", "\n43\n"));
    expect(await verifyNote(forged, await importPublicKey(pem))).toBe(false);
    const other = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" });
    expect(await verifyNote(parsed, await importPublicKey(other.toString()))).toBe(false);
  });

  it("an ECDSA P-256 note with a DER signature (as KMS signs) verifies", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const der = createSign("SHA256").update(text).sign(privateKey);
    const line = Buffer.concat([Buffer.from([9, 9, 9, 9]), der]).toString("base64");
    const note = parseSignedNote(`${text}\n\u2014 ledger.example/log ${line}\n`);
    expect(await verifyNote(note, await importPublicKey(pem))).toBe(true);
  });

  it("a note without signatures, or a body that is not a checkpoint, is refused", () => {
    expect(() => parseSignedNote(text)).toThrow(/signature/);
    expect(() => parseCheckpoint("origin\nnot-a-number\nAAAA\n")).toThrow(/checkpoint/);
  });
});
