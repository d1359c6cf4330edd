/**
 * The inclusion of an entity's events in the latest signed checkpoint, verified here against the
 * published key: the note's signature, its body against the JSON, and each event's RFC 9162 proof.
 */
import { ApiError, api } from "./api.js";
import {
  type Bytes,
  equalBytes,
  fromHex,
  importPublicKey,
  leafHash,
  parseCheckpoint,
  parseSignedNote,
  toHex,
  verifyInclusion,
  verifyNote,
} from "./merkle.js";
import type { Checkpoint, InclusionProof, LoggedEvent } from "./types.js";

const PARALLEL_PROOFS = 6;

export type Inclusion =
  | { state: "included"; leafIndex: number }
  | { state: "pending" }
  | { state: "failed"; reason: string };

export type CheckpointResult =
  | { state: "unavailable"; detail: string }
  | { state: "invalid"; detail: string }
  | {
      state: "verified";
      origin: string;
      /** The signing key's ID (hex), to compare with the key obtained through a trusted channel. */
      keyId: string;
      treeSize: number;
      rootHash: string;
      inclusion: Map<number, Inclusion>;
    };

async function inclusionOf(
  entityId: string,
  event: LoggedEvent,
  treeSize: number,
  root: Bytes,
): Promise<Inclusion> {
  if (event.leafIndex !== undefined && event.leafIndex >= treeSize) return { state: "pending" };
  let proof: InclusionProof;
  try {
    proof = await api.proof(entityId, event.version, { treeSize: String(treeSize) });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && event.leafIndex === undefined)
      return { state: "pending" };
    return { state: "failed", reason: error instanceof Error ? error.message : String(error) };
  }
  const expected = await leafHash(fromHex(event.hash));
  if (proof.treeSize !== treeSize) return { state: "failed", reason: "proof for another tree" };
  if (!equalBytes(expected, fromHex(proof.leafHash)))
    return { state: "failed", reason: "the proof's leaf is not this event's hash" };
  if (event.leafIndex !== undefined && event.leafIndex !== proof.leafIndex)
    return { state: "failed", reason: "the proof's leaf index differs from the event's" };
  const ok = await verifyInclusion(
    proof.leafIndex,
    treeSize,
    expected,
    proof.auditPath.map(fromHex),
    root,
  );
  return ok
    ? { state: "included", leafIndex: proof.leafIndex }
    : { state: "failed", reason: "the audit path does not lead to the checkpoint's root" };
}

export async function verifyCheckpoint(
  entityId: string,
  events: LoggedEvent[],
): Promise<CheckpointResult> {
  let checkpoint: Checkpoint;
  let pem: string;
  try {
    checkpoint = await api.latestCheckpoint();
    pem = await api.checkpointKey();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404)
      return { state: "unavailable", detail: error.problem.detail };
    throw error;
  }
  try {
    const note = parseSignedNote(checkpoint.note);
    const body = parseCheckpoint(note.text);
    const key = await importPublicKey(pem);
    // The log signs its checkpoints under its origin as the key name.
    if (!(await verifyNote(note, key, body.origin)))
      return {
        state: "invalid",
        detail: "The checkpoint's signature does not verify with the published key.",
      };
    if (
      body.origin !== checkpoint.origin ||
      body.treeSize !== checkpoint.treeSize ||
      toHex(body.rootHash) !== checkpoint.rootHash
    )
      return { state: "invalid", detail: "The signed note and the checkpoint's fields disagree." };
    const inclusion = new Map<number, Inclusion>();
    // A few proofs at a time: one request per event, without flooding the API.
    for (let at = 0; at < events.length; at += PARALLEL_PROOFS) {
      const batch = events.slice(at, at + PARALLEL_PROOFS);
      const results = await Promise.all(
        batch.map((event) => inclusionOf(entityId, event, body.treeSize, body.rootHash)),
      );
      for (const [i, event] of batch.entries())
        inclusion.set(event.version, results[i] as Inclusion);
    }
    return {
      state: "verified",
      origin: body.origin,
      keyId: toHex(key.keyId),
      treeSize: body.treeSize,
      rootHash: toHex(body.rootHash),
      inclusion,
    };
  } catch (error) {
    return { state: "invalid", detail: error instanceof Error ? error.message : String(error) };
  }
}
