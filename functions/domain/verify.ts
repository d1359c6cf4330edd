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

/** An event's hash as a record kept apart from the stream holds it (the log's claim). */
export interface VersionWitness {
  version: number;
  hash: string;
}

/** The result of checking a stream against its chain and every witness held of it. */
export interface WitnessedVerification extends Verification {
  /** Witnesses that should exist and do not: each a sentence naming what is missing. */
  missingWitnesses?: string[];
}

/** `[1, 2, 3, 5]` → `1–3, 5`. */
function ranges(versions: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < versions.length; ) {
    let j = i;
    while (j + 1 < versions.length && (versions[j + 1] as number) === (versions[j] as number) + 1)
      j++;
    out.push(i === j ? `${versions[i]}` : `${versions[i]}–${versions[j]}`);
    i = j + 1;
  }
  return out.join(", ");
}

/**
 * Checks a stream against its chain, the head the views last recorded, and the hash of
 * every version the ledger-wide log holds. The first altered version is the earliest that
 * any of them contradicts: the chain's first break, the first version whose hash differs
 * from a witness's, or the first version missing from a stream that a witness saw. A
 * witness that should exist and does not (no head in the views for a stream that has
 * events; a version the log skipped while it holds later ones) is reported, not accepted.
 */
export function againstWitnesses(
  entityId: string,
  records: readonly SealedRecord[],
  head: Witness | undefined,
  logged: readonly VersionWitness[],
): WitnessedVerification {
  const chain = verifyChain(entityId, records);
  const candidates: number[] = [];
  if (chain.firstBrokenVersion !== undefined) candidates.push(chain.firstBrokenVersion);
  const judge = (version: number, hash: string) => {
    const record = records[version - 1];
    if (record === undefined) candidates.push(records.length + 1);
    else if (record.hash !== hash) candidates.push(version);
  };
  if (head) judge(head.version, head.headHash);
  for (const w of logged) judge(w.version, w.hash);

  const missing: string[] = [];
  if (!head && records.length > 0) {
    missing.push("the views hold no record of this stream's head");
  }
  const seen = new Set(logged.map((w) => w.version));
  const lastLogged = Math.max(0, ...seen);
  const skipped: number[] = [];
  for (let v = 1; v < Math.min(lastLogged, records.length + 1); v++) {
    if (!seen.has(v)) skipped.push(v);
  }
  if (skipped.length > 0) {
    missing.push(
      `the log holds no leaf for version ${ranges(skipped)}, though it holds version ${lastLogged}`,
    );
  }
  const extra = missing.length > 0 ? { missingWitnesses: missing } : {};
  if (candidates.length === 0) return { ...chain, ...extra };
  const first = Math.min(...candidates);
  return {
    valid: false,
    version: first - 1,
    headHash: records[first - 2]?.hash ?? GENESIS_HASH,
    firstBrokenVersion: first,
    ...extra,
  };
}
