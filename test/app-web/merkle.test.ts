import { createHash, createSign, generateKeyPairSync } from "node:crypto";
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
import { signCheckpoint } from "../../functions/domain/checkpoint.js";
import { localSigner, spkiPem } from "../../functions/store/signers.js";

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

describe("signed checkpoints (C2SP signed-note, tlog-checkpoint, ECDSA P-256 type 0x02)", () => {
  const origin = "ledger.example/log";
  const rootHash = new Uint8Array(32).fill(7);
  const text = `${origin}\n42\n${Buffer.from(rootHash).toString("base64")}\n`;
  const keyIdOf = (spki: Uint8Array) => createHash("sha256").update(spki).digest().subarray(0, 4);

  it("a note the ledger signs verifies with its published key, and not once its text changes", async () => {
    const signer = await localSigner(origin);
    const note = await signCheckpoint({ origin, treeSize: 42, rootHash, extensions: [] }, [signer]);
    const key = await importPublicKey(spkiPem(signer.spki));
    expect(toHex(key.keyId)).toBe(Buffer.from(keyIdOf(signer.spki)).toString("hex"));
    const parsed = parseSignedNote(note);
    expect(parsed.text).toBe(text);
    expect(await verifyNote(parsed, key, origin)).toBe(true);
    expect(parseCheckpoint(parsed.text)).toEqual({ origin, treeSize: 42, rootHash });
    const forged = parseSignedNote(note.replace("\n42\n", "\n43\n"));
    expect(await verifyNote(forged, key, origin)).toBe(false);
  });

  it("signatures of other keys are ignored; a failing one of the key fails the note", async () => {
    const mine = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const theirs = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const spki = (k: typeof mine) => k.publicKey.export({ type: "spki", format: "der" });
    const line = (k: typeof mine, body: string, name = origin) =>
      `\u2014 ${name} ${Buffer.concat([keyIdOf(spki(k)), createSign("SHA256").update(body).sign(k.privateKey)]).toString("base64")}\n`;
    const key = await importPublicKey(
      mine.publicKey.export({ type: "spki", format: "pem" }).toString(),
    );
    const both = parseSignedNote(`${text}\n${line(theirs, "other text\n")}${line(mine, text)}`);
    expect(await verifyNote(both, key, origin)).toBe(true);
    const onlyTheirs = parseSignedNote(`${text}\n${line(theirs, text)}`);
    expect(await verifyNote(onlyTheirs, key, origin)).toBe(false);
    const badOwn = parseSignedNote(`${text}\n${line(mine, text)}${line(mine, "other\n")}`);
    expect(await verifyNote(badOwn, key, origin)).toBe(false);
    const renamed = parseSignedNote(`${text}\n${line(mine, text, "someone-else")}`);
    expect(await verifyNote(renamed, key, origin)).toBe(false);
  });

  it("a key that is not ECDSA P-256, a note without signatures, or a body that is not a checkpoint, is refused", async () => {
    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" });
    await expect(importPublicKey(ed.toString())).rejects.toThrow(/P-256/);
    await expect(importPublicKey("not a key")).rejects.toThrow(/PEM/);
    expect(() => parseSignedNote(text)).toThrow(/signature/);
    expect(() => parseCheckpoint("origin\nnot-a-number\nAAAA\n")).toThrow(/checkpoint/);
  });
});
