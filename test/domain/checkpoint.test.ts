import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Checkpoint,
  decodeBase64,
  ecdsaKeyId,
  ed25519KeyId,
  formatCheckpoint,
  formatNote,
  isKeyName,
  NoteError,
  type NoteSigner,
  type NoteVerifier,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseNote,
  signCheckpoint,
  signNote,
} from "../../functions/domain/checkpoint.js";
import { rootOf } from "../../functions/domain/merkle.js";

/** The example of golang.org/x/mod/sumdb/note (an Ed25519 key, signature type 0x01). */
const PETER = {
  name: "PeterNeumann",
  keyId: 0xc74f20a3,
  publicKey: "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
  privateKey: "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
  text:
    "If you think cryptography is the answer to your problem,\n" +
    "then you don't know what your problem is.\n",
  note:
    "If you think cryptography is the answer to your problem,\n" +
    "then you don't know what your problem is.\n" +
    "\n" +
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
};

function ed25519Keys(publicKey: string, seed: string) {
  const pub = Buffer.from(publicKey, "base64").subarray(1);
  const priv = Buffer.from(seed, "base64").subarray(1);
  const x = pub.toString("base64url");
  return {
    raw: pub,
    publicKey: createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }),
    privateKey: createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", x, d: priv.toString("base64url") },
      format: "jwk",
    }),
  };
}

const peter = ed25519Keys(PETER.publicKey, PETER.privateKey);
const peterSigner: NoteSigner = {
  name: PETER.name,
  keyId: ed25519KeyId(PETER.name, peter.raw),
  sign: async (text) => sign(null, text, peter.privateKey),
};
const peterVerifier: NoteVerifier = {
  name: PETER.name,
  keyId: PETER.keyId,
  verify: (text, sig) => verify(null, text, peter.publicKey, sig),
};

function ecdsaKey(name: string) {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const keyId = ecdsaKeyId(spki);
  const signer: NoteSigner = { name, keyId, sign: async (t) => sign("sha256", t, privateKey) };
  const verifier: NoteVerifier = {
    name,
    keyId,
    verify: (t, s) => verify("sha256", t, publicKey, s),
  };
  return { signer, verifier };
}

describe("signed-note: known answers", () => {
  it("computes the Ed25519 key ID of the Go example and reproduces its note byte for byte", async () => {
    expect(peterSigner.keyId).toBe(PETER.keyId);
    expect(await signNote(PETER.text, [peterSigner])).toBe(PETER.note);
    const opened = await openNote(PETER.note, [peterVerifier]);
    expect(opened.text).toBe(PETER.text);
    expect(opened.verified.map((s) => s.name)).toEqual([PETER.name]);
  });

  it("computes the ECDSA key ID as the truncated SHA-256 of the SPKI (a published key)", () => {
    // The Pixel 6 transparency log's verifier key, as transparency-dev's note tests hold it:
    // key material 0x02 ‖ SPKI, key hash 91c16e30.
    const material = Buffer.from(
      "AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN+4x0Jk1yTwvLFI9A4NDdGZcX0aiWVdWM5XJVy0M4VWD3AvyW5Q6Hs9A0mcDkpUoYgn+KKPNzFC0H3nN3q6JQ8=",
      "base64",
    );
    expect(material[0]).toBe(0x02);
    expect(ecdsaKeyId(material.subarray(1)).toString(16)).toBe("91c16e30");
  });

  it("parses and formats the tlog-checkpoint example exactly", () => {
    const note =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n" +
      "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
    const parsed = parseNote(note);
    expect(formatNote(parsed)).toBe(note);
    const checkpoint = parseCheckpoint(parsed.text);
    expect(checkpoint.origin).toBe("example.com/behind-the-sofa");
    expect(checkpoint.treeSize).toBe(20852163);
    expect(checkpoint.extensions).toEqual([]);
    expect(formatCheckpoint(checkpoint)).toBe(parsed.text);
    expect(parsed.signatures[0]?.keyId.toString(16)).toBe("33de0ae");
  });
});

describe("signed-note: verification", () => {
  it("rejects a note whose text changed, and one signed only by unknown keys", async () => {
    const altered = PETER.note.replace("cryptography", "cryptographY");
    await expect(openNote(altered, [peterVerifier])).rejects.toThrow(/does not verify/);
    const other = ecdsaKey("example.com/other");
    await expect(openNote(PETER.note, [other.verifier])).rejects.toThrow(/no signature/);
    // Same name, other key ID: unknown, ignored; with no known key left, rejected.
    await expect(
      openNote(PETER.note, [{ ...peterVerifier, keyId: PETER.keyId ^ 1 }]),
    ).rejects.toThrow(/no signature/);
  });

  it("ignores signatures of unknown keys beside a known one", async () => {
    const a = ecdsaKey("example.com/a");
    const b = ecdsaKey("example.com/b");
    const note = await signNote("hello\n", [a.signer, b.signer]);
    const opened = await openNote(note, [b.verifier]);
    expect(opened.verified.map((s) => s.name)).toEqual(["example.com/b"]);
  });

  it("signs and opens ECDSA P-256 checkpoints, and refuses another origin", async () => {
    const key = ecdsaKey("ledger.example/log");
    const checkpoint: Checkpoint = {
      origin: "ledger.example/log",
      treeSize: 3,
      rootHash: rootOf([new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)]),
      extensions: [],
    };
    const note = await signCheckpoint(checkpoint, [key.signer]);
    const opened = await openCheckpoint(note, "ledger.example/log", [key.verifier]);
    expect(opened).toEqual({ ...checkpoint, rootHash: expect.any(Uint8Array) });
    expect(Buffer.from(opened.rootHash).equals(Buffer.from(checkpoint.rootHash))).toBe(true);
    await expect(openCheckpoint(note, "other.example/log", [key.verifier])).rejects.toThrow(
      NoteError,
    );
  });

  it("fails on any flipped bit of a signed checkpoint's signature", async () => {
    const key = ecdsaKey("ledger.example/log");
    const note = await signCheckpoint(
      { origin: "ledger.example/log", treeSize: 7, rootHash: new Uint8Array(32), extensions: [] },
      [key.signer],
    );
    const { text, signatures } = parseNote(note);
    const sig = signatures[0] as (typeof signatures)[number];
    await fc.assert(
      fc.asyncProperty(fc.nat(sig.signature.length * 8 - 1), async (bit) => {
        const flipped = new Uint8Array(sig.signature);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        const forged = formatNote({ text, signatures: [{ ...sig, signature: flipped }] });
        await expect(openNote(forged, [key.verifier])).rejects.toThrow(NoteError);
      }),
      { numRuns: 100 },
    );
  });
});

describe("strict parsing", () => {
  const good = "origin.example\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

  it.each([
    ["no final newline", good.slice(0, -1)],
    ["two lines", "origin.example\n5\n"],
    ["an empty origin", `\n${good.slice(good.indexOf("\n") + 1)}`],
    ["a leading zero", good.replace("\n5\n", "\n05\n")],
    ["a negative size", good.replace("\n5\n", "\n-5\n")],
    ["a size beyond 2^53", good.replace("\n5\n", "\n9007199254740993\n")],
    [
      "a root of 31 bytes",
      good.replace("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "A".repeat(40)),
    ],
    ["a root in base64url", good.replace("AAAA", "___A")],
    ["a root with bad padding bits", good.replace("AAA=", "AAB=")],
    ["an empty extension line", `${good}\n`],
    ["a control character", good.replace("origin", "ori\tgin")],
    ["a carriage return", good.replace("\n5\n", "\r\n5\n")],
  ])("refuses a checkpoint with %s", (_what, text) => {
    expect(() => parseCheckpoint(text)).toThrow(NoteError);
  });

  it("keeps extension lines", () => {
    const c = parseCheckpoint(`${good}ext one\next two\n`);
    expect(c.extensions).toEqual(["ext one", "ext two"]);
    expect(formatCheckpoint(c)).toBe(`${good}ext one\next two\n`);
  });

  it.each([
    ["no blank line", "text\n— a AAAAAAA=\n"],
    ["no signature", "text\n\n"],
    ["a hyphen for the em dash", "text\n\n- a AAAAAAA=\n"],
    ["two spaces", "text\n\n—  a AAAAAAA=\n"],
    ["a plus in the name", "text\n\n— a+b AAAAAAA=\n"],
    ["a signature of four bytes", "text\n\n— a AAAAAA==\n"],
    ["bad base64", "text\n\n— a AAAA*AA=\n"],
    ["no final newline", "text\n\n— a AAAAAAA="],
    ["a trailing space", "text\n\n— a AAAAAAA= \n"],
    ["a control character", "te\u0001xt\n\n— a AAAAAAA=\n"],
    ["a lone surrogate", "te\ud800xt\n\n— a AAAAAAA=\n"],
    ["101 signatures", `text\n\n${"— a AAAAAAA=\n".repeat(101)}`],
  ])("refuses a note with %s", (_what, note) => {
    expect(() => parseNote(note)).toThrow(NoteError);
  });

  it("separates the text from the signatures at the last blank line", () => {
    const note = "a\n\nb\n\n— k AAAAAAA=\n";
    expect(parseNote(note).text).toBe("a\n\nb\n");
    expect(formatNote(parseNote(note))).toBe(note);
    expect(parseNote(`text\n\n${"— a AAAAAAA=\n".repeat(16)}`).signatures).toHaveLength(16);
  });

  it("knows key names and strict base64", () => {
    expect(isKeyName("example.com/log")).toBe(true);
    for (const bad of ["", "a b", "a+b", "a\u00a0b", "a\u2003b", "a\nb"]) {
      expect(isKeyName(bad)).toBe(false);
    }
    expect(decodeBase64("AAAA")).toEqual(new Uint8Array(3));
    for (const bad of ["AAA", "AAA=A", "A===", "AB==", "AAAA\n"]) {
      expect(decodeBase64(bad)).toBeUndefined();
    }
  });

  it("formats only what it can parse back", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9./-]{1,40}$/),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.stringMatching(/^[ -~]{1,30}$/), { maxLength: 3 }),
        (origin, treeSize, rootHash, extensions) => {
          const text = formatCheckpoint({ origin, treeSize, rootHash, extensions });
          const back = parseCheckpoint(text);
          expect(formatCheckpoint(back)).toBe(text);
          expect(back.treeSize).toBe(treeSize);
        },
      ),
    );
    expect(() =>
      formatCheckpoint({
        origin: "a\nb",
        treeSize: 1,
        rootHash: new Uint8Array(32),
        extensions: [],
      }),
    ).toThrow(NoteError);
    expect(() =>
      formatNote({
        text: "t\n",
        signatures: [{ name: "a b", keyId: 1, signature: new Uint8Array(1) }],
      }),
    ).toThrow(NoteError);
  });
});
