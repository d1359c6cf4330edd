import { hash } from "node:crypto";
import { HASH_SIZE, type Hash } from "./merkle.js";

/**
 * Checkpoints of the ledger-wide log: the C2SP `tlog-checkpoint` note text
 * (https://c2sp.org/tlog-checkpoint) signed as a C2SP `signed-note`
 * (https://c2sp.org/signed-note). Parsing is strict (anything the specifications do not
 * allow is refused) and formatting is exact, so a note round-trips byte for byte.
 *
 * **Signature algorithm.** The ledger signs with ECDSA over NIST P-256 and SHA-256,
 * signed-note signature type `0x02` ("ECDSA signatures as implemented by
 * github.com/transparency-dev/witness"; Sigstore's Rekor signs its checkpoints the same
 * way): the signature is the ASN.1 DER `ECDSA-Sig-Value` over SHA-256 of the note text,
 * and the key ID is the first four bytes of SHA-256 of the public key's DER SPKI
 * encoding. Why not Ed25519 (type `0x01`), the note format's native algorithm: AWS KMS
 * does sign with Ed25519 (key spec `ECC_NIST_EDWARDS25519`, algorithm `ED25519_SHA_512`),
 * but moto 5.2.1, the KMS the tests run against, does not, whereas KMS key spec
 * `ECC_NIST_P256` with `ECDSA_SHA_256` (message type `RAW`) runs in both and yields exactly
 * this signature. Ed25519 key IDs are computed here too, to verify notes of other logs.
 */

/** Signature type bytes of signed-note. */
export const SIGNATURE_TYPE = { ed25519: 0x01, ecdsa: 0x02 } as const;

/** The most signatures a note may carry here (the specification asks for at least 16). */
export const MAX_SIGNATURES = 100;

/** A note that does not follow the format, or whose signatures do not verify. */
export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NoteError";
  }
}

/** A checkpoint: the log's origin, its tree size and root hash, and opaque extension lines. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Hash;
  extensions: string[];
}

/** One signature line: `— <name> base64(keyId ‖ signature)`. */
export interface NoteSignature {
  name: string;
  /** The 32-bit key ID, big-endian in the encoding. */
  keyId: number;
  signature: Uint8Array;
}

/** A note split into its text (ending in a newline) and its signatures. */
export interface SignedNote {
  text: string;
  signatures: NoteSignature[];
}

/** Signs note texts with one key. */
export interface NoteSigner {
  name: string;
  keyId: number;
  sign(text: Uint8Array): Promise<Uint8Array>;
}

/** Verifies signatures of one key. */
export interface NoteVerifier {
  name: string;
  keyId: number;
  verify(text: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/** Whether `text` holds an ASCII control character other than a newline. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}
const SPACE_OR_PLUS = /[\p{White_Space}+]/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function sha256(data: Uint8Array): Uint8Array {
  return hash("sha256", data, "buffer");
}

/** Strict standard base64 (RFC 4648 §4, padded); undefined when `text` is not that. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  // Refuses non-zero padding bits, so that one value has exactly one encoding.
  return bytes.toString("base64") === text ? new Uint8Array(bytes) : undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** Whether `name` may be a key name: non-empty, no Unicode space, no plus, no control. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && name.isWellFormed() && !SPACE_OR_PLUS.test(name) && !hasControl(name);
}

function keyIdOf(digest: Uint8Array): number {
  return Buffer.from(digest).readUInt32BE(0);
}

/** The key ID that signed-note recommends: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const input = Buffer.concat([utf8(`${name}\n`), new Uint8Array([type]), publicKey]);
  return keyIdOf(sha256(input));
}

/** The key ID of an Ed25519 key (type 0x01) from its 32-byte public key. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  return keyId(name, SIGNATURE_TYPE.ed25519, publicKey);
}

/** The key ID of an ECDSA key (type 0x02): SHA-256 of its DER SPKI encoding, truncated. */
export function ecdsaKeyId(spkiDer: Uint8Array): number {
  return keyIdOf(sha256(spkiDer));
}

// ---------------------------------------------------------------------------------------
// Checkpoint text
// ---------------------------------------------------------------------------------------

function checkLine(line: string, what: string): void {
  if (line.length === 0) throw new NoteError(`${what} is empty`);
  if (line.includes("\n") || hasControl(line) || !line.isWellFormed()) {
    throw new NoteError(`${what} holds a newline, a control character or broken UTF-16`);
  }
}

/** The checkpoint's note text, exactly: origin, size, base64 root, extensions, newlines. */
export function formatCheckpoint(c: Checkpoint): string {
  checkLine(c.origin, "the origin");
  if (!Number.isSafeInteger(c.treeSize) || c.treeSize < 0) {
    throw new NoteError(`tree size ${c.treeSize} is not a count`);
  }
  if (c.rootHash.length !== HASH_SIZE) throw new NoteError("the root hash is not 32 bytes");
  for (const line of c.extensions) checkLine(line, "an extension line");
  const lines = [c.origin, String(c.treeSize), encodeBase64(c.rootHash), ...c.extensions];
  return `${lines.join("\n")}\n`;
}

/** Parses a checkpoint's note text (not the whole signed note: see `openCheckpoint`). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) throw new NoteError("a checkpoint ends with a newline");
  if (hasControl(text) || !text.isWellFormed()) {
    throw new NoteError("a checkpoint holds a control character or broken UTF-16");
  }
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw new NoteError("a checkpoint has at least three lines");
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (lines.some((line) => line.length === 0)) throw new NoteError("a checkpoint line is empty");
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new NoteError(`tree size '${size}' is not a decimal count without leading zeros`);
  }
  const rootHash = decodeBase64(root);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    throw new NoteError("the root hash is not the base64 of 32 bytes");
  }
  return { origin, treeSize: Number(size), rootHash, extensions };
}

// ---------------------------------------------------------------------------------------
// Signed notes
// ---------------------------------------------------------------------------------------

/** A note: its text, a blank line, and a signature line per signature. */
export function formatNote(note: SignedNote): string {
  checkText(note.text);
  if (note.signatures.length === 0) throw new NoteError("a note has at least one signature");
  const lines = note.signatures.map((s) => {
    if (!isKeyName(s.name)) throw new NoteError(`'${s.name}' is not a key name`);
    if (!Number.isInteger(s.keyId) || s.keyId < 0 || s.keyId > 0xffffffff) {
      throw new NoteError(`key ID ${s.keyId} is not 32 bits`);
    }
    if (s.signature.length === 0) throw new NoteError("a signature is empty");
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyId);
    return `— ${s.name} ${encodeBase64(Buffer.concat([id, s.signature]))}\n`;
  });
  return `${note.text}\n${lines.join("")}`;
}

function checkText(text: string): void {
  if (!text.endsWith("\n")) throw new NoteError("a note's text ends with a newline");
  if (hasControl(text) || !text.isWellFormed()) {
    throw new NoteError("a note holds a control character or broken UTF-16");
  }
}

const SIGNATURE_LINE = /^— (\S+) (\S+)$/u;

/** Splits a note into its text and signatures, refusing anything signed-note does not allow. */
export function parseNote(note: string): SignedNote {
  checkText(note);
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("a note has a blank line before its signatures");
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new NoteError("a note has too many signatures");
  const signatures = lines.map((line) => {
    const m = SIGNATURE_LINE.exec(line);
    if (!m) throw new NoteError(`'${line}' is not a signature line`);
    const [, name, b64] = m as unknown as [string, string, string];
    if (!isKeyName(name)) throw new NoteError(`'${name}' is not a key name`);
    const bytes = decodeBase64(b64);
    if (bytes === undefined || bytes.length < 5) {
      throw new NoteError(`the signature of '${name}' is not base64 of a key ID and a signature`);
    }
    return { name, keyId: keyIdOf(bytes), signature: bytes.subarray(4) };
  });
  return { text, signatures };
}

/** Signs a note text with each signer, in order. */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  checkText(text);
  const message = utf8(text);
  const signatures: NoteSignature[] = [];
  for (const s of signers) {
    signatures.push({ name: s.name, keyId: s.keyId, signature: await s.sign(message) });
  }
  return formatNote({ text, signatures });
}

/**
 * Opens a note as signed-note requires: signatures of unknown keys (name and key ID) are
 * ignored, a known key's signature that fails rejects the whole note, and at least one
 * known key's signature must verify. Returns the text and the signatures that verified.
 */
export async function openNote(
  note: string,
  verifiers: readonly NoteVerifier[],
): Promise<{ text: string; verified: NoteSignature[] }> {
  const { text, signatures } = parseNote(note);
  const message = utf8(text);
  const verified: NoteSignature[] = [];
  for (const sig of signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (v === undefined) continue;
    if (!(await v.verify(message, sig.signature))) {
      throw new NoteError(`the signature of '${sig.name}' does not verify`);
    }
    verified.push(sig);
  }
  if (verified.length === 0) throw new NoteError("no signature of a known key");
  return { text, verified };
}

/** Opens a signed checkpoint: its signatures verify and its text is a checkpoint of `origin`. */
export async function openCheckpoint(
  note: string,
  origin: string,
  verifiers: readonly NoteVerifier[],
): Promise<Checkpoint> {
  const { text } = await openNote(note, verifiers);
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== origin) {
    throw new NoteError(`the checkpoint is of '${checkpoint.origin}', not '${origin}'`);
  }
  return checkpoint;
}

/** Formats and signs a checkpoint. */
export function signCheckpoint(c: Checkpoint, signers: readonly NoteSigner[]): Promise<string> {
  return signNote(formatCheckpoint(c), signers);
}
