/**
 * Verification of the ledger-wide log in the browser, trusting nothing but the published key:
 * RFC 9162 inclusion proofs (§2.1.3.2) and C2SP signed notes (ECDSA P-256, signature type
 * 0x02) holding a tlog checkpoint.
 */

const subtle = globalThis.crypto.subtle;

/** A WebCrypto key, named so that Node's types and the DOM's agree. */
type VerifyKey = Awaited<ReturnType<typeof subtle.importKey>>;

/** Bytes backed by an ArrayBuffer, as WebCrypto takes them. */
export type Bytes = Uint8Array<ArrayBuffer>;

export function fromHex(hex: string): Bytes {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Error(`not hex: ${hex.slice(0, 16)}…`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function toHex(bytes: Bytes): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromBase64(text: string): Bytes {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function sha256(...parts: Bytes[]): Promise<Bytes> {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await subtle.digest("SHA-256", all));
}

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 ‖ leaf). */
export function leafHash(leaf: Bytes): Promise<Bytes> {
  return sha256(LEAF, leaf);
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Bytes, right: Bytes): Promise<Bytes> {
  return sha256(NODE, left, right);
}

/** RFC 9162 §2.1.3.2: the root that an inclusion proof leads to, or undefined if malformed. */
export async function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  hash: Bytes,
  path: Bytes[],
): Promise<Bytes | undefined> {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize)) return undefined;
  if (leafIndex < 0 || leafIndex >= treeSize) return undefined;
  // Sizes beyond 2^31 would overflow the 32-bit shifts; divide instead.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = hash;
  for (const p of path) {
    if (p.length !== 32 || sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/** Whether `path` proves that the leaf hashing to `hash` is at `leafIndex` in the tree `root`. */
export async function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  hash: Bytes,
  path: Bytes[],
  root: Bytes,
): Promise<boolean> {
  const computed = await rootFromInclusionProof(leafIndex, treeSize, hash, path);
  return computed !== undefined && equalBytes(computed, root);
}

export function equalBytes(a: Bytes, b: Bytes): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The body of a C2SP tlog checkpoint. */
export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: Bytes;
}

/** A C2SP signed note: its text (what is signed) and its signature lines. */
export interface SignedNote {
  text: string;
  signatures: { name: string; keyId: Bytes; signature: Bytes }[];
}

export function parseSignedNote(note: string): SignedNote {
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new Error("the note has no signature block");
  const text = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
      if (!match?.[1] || !match[2]) throw new Error(`not a signature line: ${line}`);
      const bytes = fromBase64(match[2]);
      if (bytes.length < 5) throw new Error("a signature is too short");
      return { name: match[1], keyId: bytes.slice(0, 4), signature: bytes.slice(4) };
    });
  if (signatures.length === 0) throw new Error("the note has no signature");
  return { text, signatures };
}

export function parseCheckpoint(text: string): CheckpointBody {
  const [origin, size, root] = text.split("\n");
  if (!origin || !size || !root || !/^\d+$/.test(size)) throw new Error("not a tlog checkpoint");
  return { origin, treeSize: Number(size), rootHash: fromBase64(root) };
}

/**
 * The checkpoint signer's key: ECDSA P-256 with SHA-256 (signed-note signature type 0x02),
 * and its key ID, the first four bytes of SHA-256 of its DER SPKI encoding.
 */
export interface NoteKey {
  key: VerifyKey;
  keyId: Bytes;
}

/** The published key (an SPKI PEM block), imported to verify ECDSA P-256 signatures. */
export async function importPublicKey(pem: string): Promise<NoteKey> {
  const match = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  if (!match?.[1]) throw new Error("the published key is not an SPKI PEM block");
  const der = fromBase64(match[1].replace(/\s+/g, ""));
  let key: VerifyKey;
  try {
    key = await subtle.importKey("spki", der, { name: "ECDSA", namedCurve: "P-256" }, false, [
      "verify",
    ]);
  } catch {
    throw new Error("the published key is not an ECDSA P-256 public key");
  }
  return { key, keyId: (await sha256(der)).slice(0, 4) };
}

/** An ASN.1 DER `ECDSA-Sig-Value` as the fixed-size r ‖ s that WebCrypto verifies. */
export function derToRaw(der: Bytes, size: number): Bytes {
  // SEQUENCE { INTEGER r, INTEGER s }: short-form lengths suffice for P-256 and P-384.
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw new Error("not a DER ECDSA signature");
  const out = new Uint8Array(2 * size);
  let at = 2;
  for (let part = 0; part < 2; part++) {
    const length = der[at + 1] ?? 0;
    if (der[at] !== 0x02 || length === 0 || at + 2 + length > der.length)
      throw new Error("not a DER ECDSA signature");
    let value = der.slice(at + 2, at + 2 + length);
    while (value.length > 1 && value[0] === 0) value = value.slice(1);
    if (value.length > size) throw new Error("an ECDSA signature value is too long");
    out.set(value, part * size + size - value.length);
    at += 2 + length;
  }
  if (at !== der.length) throw new Error("not a DER ECDSA signature");
  return out;
}

/**
 * Whether the note is signed by `key` under the name `name`, as signed-note verifies: the
 * signatures of other keys (another name or key ID) are ignored, one of this key that does not
 * verify fails the note, and at least one must verify.
 */
export async function verifyNote(note: SignedNote, key: NoteKey, name: string): Promise<boolean> {
  const message = new TextEncoder().encode(note.text);
  const own = note.signatures.filter((s) => s.name === name && equalBytes(s.keyId, key.keyId));
  if (own.length === 0) return false;
  for (const { signature } of own) {
    let ok = false;
    try {
      ok = await subtle.verify(
        { name: "ECDSA", hash: "SHA-256" },
        key.key,
        derToRaw(signature, 32),
        message,
      );
    } catch {}
    if (!ok) return false;
  }
  return true;
}
