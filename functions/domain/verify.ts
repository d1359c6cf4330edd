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
