import { type Checkpoint, type NoteVerifier, openCheckpoint } from "./checkpoint.js";
import { GENESIS_HASH, type HashedEvent } from "./events.js";
import { canonicalJson, hashedPart, sha256Hex } from "./hash.js";
import {
  equalHashes,
  fromHex,
  type Hash,
  hashLeaf,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";

/**
 * Offline verification of an entity against signed checkpoints, trusting nothing the
 * server says: only the public key and a checkpoint the auditor saved before. Each check
 * is a pure function of what the server answered, so that an answer can be replayed.
 */

/** An event as `GET /entities/{id}/events` lists it. */
export type ListedEvent = HashedEvent & { readonly hash: string; readonly leafIndex?: number };

/** An inclusion proof as `GET …/proof` answers it. */
export interface InclusionAnswer {
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
}

/** Opens a note with the auditor's key; the origin is the saved checkpoint's. */
export async function openWith(
  note: string,
  origin: string,
  verifier: NoteVerifier,
): Promise<Checkpoint> {
  return openCheckpoint(note, origin, [verifier]);
}

/** The origin line of a note (not verified: the key verifies it). */
export function originOf(note: string): string {
  return note.slice(0, note.indexOf("\n"));
}

/**
 * Whether the latest checkpoint extends the saved one. Two different roots of one size are
 * a fork; a smaller latest tree is a log that went back; otherwise the consistency proof
 * must lead from the saved root to the latest.
 */
export function checkExtends(
  saved: Checkpoint,
  latest: Checkpoint,
  proof: readonly string[] | undefined,
): string | undefined {
  if (latest.treeSize < saved.treeSize) {
    return `the latest checkpoint (${latest.treeSize} leaves) is smaller than the saved one (${saved.treeSize}): the log went back`;
  }
  if (latest.treeSize === saved.treeSize) {
    return equalHashes(saved.rootHash, latest.rootHash)
      ? undefined
      : `FORK: two different checkpoints of ${saved.treeSize} leaves (roots ${toHex(saved.rootHash)} and ${toHex(latest.rootHash)})`;
  }
  const hashes = (proof ?? []).map(fromHex);
  if (hashes.some((h) => h === undefined)) return "the consistency proof is not a list of hashes";
  const ok = verifyConsistency(
    saved.treeSize,
    latest.treeSize,
    hashes as Hash[],
    saved.rootHash,
    latest.rootHash,
  );
  return ok
    ? undefined
    : `the latest checkpoint (${latest.treeSize} leaves) is not consistent with the saved one (${saved.treeSize}): the log was rewritten`;
}

/** Whether a published checkpoint of the saved size is the saved one (else a fork). */
export function checkSameSize(saved: Checkpoint, published: Checkpoint): string | undefined {
  if (published.treeSize !== saved.treeSize || equalHashes(published.rootHash, saved.rootHash)) {
    return undefined;
  }
  return `FORK: the ledger publishes another checkpoint of ${saved.treeSize} leaves than the saved one (roots ${toHex(published.rootHash)} and ${toHex(saved.rootHash)})`;
}

/**
 * The chain of a listed stream, oldest first: each event's hash recomputed over its
 * canonical JSON, versions from 1 without a gap, each chained to the one before and
 * recorded strictly later. Answers the first event that fails and why.
 */
export function firstBrokenEvent(
  entityId: string,
  events: readonly ListedEvent[],
): { version: number; reason: string } | undefined {
  let prevHash = GENESIS_HASH;
  let prevRecordedAt = "";
  for (const [i, e] of events.entries()) {
    const version = i + 1;
    const fail = (reason: string) => ({ version, reason });
    if (e.version !== version) return fail(`the stream holds version ${e.version} here`);
    if (e.entityId !== entityId) return fail(`the event names entity '${e.entityId}'`);
    let recomputed: string;
    try {
      recomputed = sha256Hex(canonicalJson(hashedPart(e)));
    } catch {
      return fail("the event has no canonical JSON");
    }
    if (recomputed !== e.hash) return fail("its hash is not the SHA-256 of its content");
    if (e.prevHash !== prevHash) return fail("its prevHash is not the previous event's hash");
    if (!(e.recordedAt > prevRecordedAt)) return fail("it is not recorded after the previous one");
    prevHash = e.hash;
    prevRecordedAt = e.recordedAt;
  }
  return undefined;
}

/** Whether `proof` proves the event's inclusion in `checkpoint`; the reason if not. */
export function checkInclusion(
  event: ListedEvent,
  proof: InclusionAnswer | undefined,
  checkpoint: Checkpoint,
): string | undefined {
  if (proof === undefined) {
    return `it is not in the latest checkpoint (${checkpoint.treeSize} leaves)`;
  }
  const hash = fromHex(event.hash);
  if (hash === undefined) return "its hash is not 32 bytes of hex";
  const leaf = hashLeaf(hash);
  if (proof.leafHash !== toHex(leaf)) return "the log's leaf is not this event's hash";
  if (proof.treeSize !== checkpoint.treeSize) return "the proof is for another tree size";
  if (event.leafIndex !== undefined && event.leafIndex !== proof.leafIndex) {
    return `the event is listed at leaf ${event.leafIndex}, the proof is for leaf ${proof.leafIndex}`;
  }
  const path = proof.auditPath.map(fromHex);
  if (path.some((h) => h === undefined)) return "the audit path is not a list of hashes";
  return verifyInclusion(
    leaf,
    proof.leafIndex,
    checkpoint.treeSize,
    path as Hash[],
    checkpoint.rootHash,
  )
    ? undefined
    : `its inclusion proof does not lead to the checkpoint's root: the event is not the one the log holds`;
}
