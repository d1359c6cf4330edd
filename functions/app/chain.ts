import { EntityNotFound } from "../domain/errors.js";
import type { EntityHead } from "../domain/pages.js";
import type { VersionWitness, WitnessedVerification } from "../domain/verify.js";
import { againstWitnesses } from "../domain/verify.js";
import type { LogStore } from "../store/log.js";
import type { EventStore, ViewStore } from "../store/ports.js";

/** What verifying an entity's chain reads: its stream and the witnesses kept apart from it. */
export interface ChainDeps {
  events: EventStore;
  views: ViewStore;
  /** The ledger-wide Merkle log, whose leaves witness every version's hash, if kept. */
  log?: LogStore;
}

/** The hashes the ledger-wide log holds of the entity's versions, if it keeps one. */
async function logged(log: LogStore | undefined, entityId: string): Promise<VersionWitness[]> {
  if (!log) return [];
  const claims = await log.claims(entityId, 1, Number.MAX_SAFE_INTEGER);
  return claims.map((c) => ({ version: c.version, hash: c.hash }));
}

/**
 * Recomputes the entity's hash chain from the stored records, and checks it against the
 * witnesses: the last head the read model filed, and the log's leaves where it keeps one.
 * Apart from the other questions, so that the functions that never verify do not bundle it.
 */
export async function verifyChain(
  deps: ChainDeps,
  entityId: string,
): Promise<WitnessedVerification> {
  // The witnesses first: every event they have seen was stored before they were filed, so
  // the stream read after them holds them all unless someone removed them. Read the other
  // way round, an append landing between the two reads would look like a cut.
  const [witness, leaves] = await Promise.all([
    deps.views.getRecord<EntityHead>("head", entityId),
    logged(deps.log, entityId),
  ]);
  const { records } = await deps.events.read(entityId);
  // A stream emptied of every event is still a broken one if a witness saw it.
  if (records.length === 0 && !witness && leaves.length === 0) {
    throw new EntityNotFound(entityId);
  }
  return againstWitnesses(
    entityId,
    records,
    witness && { version: witness.version, headHash: witness.value.headHash },
    leaves,
  );
}
