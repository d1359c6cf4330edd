import type { HashedEvent, LedgerEvent } from "./events.js";
import { GENESIS_HASH } from "./events.js";
import { canonicalJson, hashedPart, sha256Hex } from "./hash.js";

/** An event as stored: the exact canonical JSON that was hashed, and the indexed attributes. */
export interface SealedRecord {
  version: number;
  eventId: string;
  recordedAt: string;
  hash: string;
  canonical: string;
}

/** The result of recomputing an entity's hash chain. */
export interface Verification {
  valid: boolean;
  version: number;
  headHash: string;
  firstBrokenVersion?: number;
}

/** Reads the event back from its record, trusting only the canonical JSON. */
export function eventOf(record: SealedRecord): LedgerEvent {
  return {
    ...hashedPart(JSON.parse(record.canonical) as HashedEvent),
    hash: record.hash,
  } as LedgerEvent;
}

/**
 * Recomputes the chain of a stream, oldest first: each record must hold canonical JSON
 * whose SHA-256 is its hash, at the next version without a gap, chained to its
 * predecessor's hash, recorded strictly later, and agree with its indexed attributes.
 */
export function verifyChain(entityId: string, records: Iterable<SealedRecord>): Verification {
  let prevHash = GENESIS_HASH;
  let prevRecordedAt = "";
  let version = 0;
  for (const record of records) {
    const expected = version + 1;
    if (!sound(entityId, record, expected, prevHash, prevRecordedAt)) {
      return { valid: false, version, headHash: prevHash, firstBrokenVersion: expected };
    }
    prevHash = record.hash;
    prevRecordedAt = record.recordedAt;
    version = expected;
  }
  return { valid: true, version, headHash: prevHash };
}

function sound(
  entityId: string,
  record: SealedRecord,
  expected: number,
  prevHash: string,
  prevRecordedAt: string,
): boolean {
  if (record.version !== expected) return false;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(record.canonical) as Record<string, unknown>;
    if (canonicalJson(parsed) !== record.canonical) return false;
  } catch {
    return false;
  }
  return (
    sha256Hex(record.canonical) === record.hash &&
    parsed.entityId === entityId &&
    parsed.version === expected &&
    parsed.prevHash === prevHash &&
    parsed.eventId === record.eventId &&
    parsed.recordedAt === record.recordedAt &&
    record.recordedAt > prevRecordedAt
  );
}

/** What the views recorded of the stream's head when they last took an event in. */
export interface Witness {
  version: number;
  headHash: string;
}

/**
 * Checks a sound chain against the head the views recorded, which the chain alone cannot
 * vouch for: a witnessed version missing from the stream is a cut at the head (broken from
 * the first missing version), and a witnessed hash that differs from the stream's at that
 * version is a rewrite at or before it (broken from that version, as far as can be told).
 * Events recorded after the witness are not judged by it.
 */
export function againstWitness(
  chain: Verification,
  records: readonly SealedRecord[],
  witness: Witness | undefined,
): Verification {
  if (!chain.valid || !witness) return chain;
  if (witness.version > chain.version) {
    return { ...chain, valid: false, firstBrokenVersion: chain.version + 1 };
  }
  if (records[witness.version - 1]?.hash === witness.headHash) return chain;
  const sound = witness.version - 1;
  return {
    valid: false,
    version: sound,
    headHash: records[sound - 1]?.hash ?? GENESIS_HASH,
    firstBrokenVersion: witness.version,
  };
}
