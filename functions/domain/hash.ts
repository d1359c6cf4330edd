import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { HashedEvent, LedgerEvent } from "./events.js";

/** RFC 8785 canonical JSON of a value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no canonical JSON form");
  return text;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The hashed part of an event, in the field order of the contract, absent fields omitted. */
export function hashedPart(event: HashedEvent): HashedEvent {
  const { entityId, version, eventId, type, data, source, recordedAt, actor, prevHash } = event;
  return {
    entityId,
    version,
    eventId,
    type,
    data,
    ...(source === undefined ? {} : { source }),
    recordedAt,
    actor,
    prevHash,
  } as HashedEvent;
}

/** Seals an event: its canonical JSON and the SHA-256 that chains it to its predecessor. */
export function seal(event: HashedEvent): { event: LedgerEvent; canonical: string } {
  const canonical = canonicalJson(hashedPart(event));
  return { event: { ...hashedPart(event), hash: sha256Hex(canonical) }, canonical };
}

/** The content that idempotency compares: `{type, data, source}` in canonical form. */
export function contentKey(e: { type: string; data: unknown; source?: unknown }): string {
  return canonicalJson({ type: e.type, data: e.data, source: e.source ?? null });
}
