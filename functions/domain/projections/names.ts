import { nameDigest, nameRows } from "../rows.js";
import type { EntityState } from "../state.js";
import { entityDetails } from "../state.js";
import type { DerivedWrite, EntityCard, Projection, Step } from "./types.js";

/** Whether two folds hold the same entity events, and so the same details. */
export function sameDetails(a: EntityState, b: EntityState): boolean {
  if (a.entityEvents === b.entityEvents) return true;
  return (
    a.entityEvents.length === b.entityEvents.length &&
    a.entityEvents.every((e, i) => e.version === b.entityEvents[i]?.version)
  );
}

/** The entity's card in a fold, as of the event at `version`. */
export function cardOf(state: EntityState, version: number): EntityCard | undefined {
  const details = entityDetails(state);
  if (!details) return undefined;
  return {
    entityId: state.entityId,
    version,
    name: details.name,
    kind: details.kind,
    names: [...new Set([details.name, ...details.aliases])].map(nameDigest),
  };
}

/**
 * Search rows, current knowledge only: a changed name files the words it gained and drops
 * those it lost, and the entity's card (its name, kind and current names) moves forward.
 * Names the event did not change are not written.
 */
export const nameProjection: Projection = {
  name: "name rows",
  project({ before, after, event }: Step): DerivedWrite[] {
    if (sameDetails(before.state, after)) return [];
    const old = new Map(
      nameRows(after.entityId, entityDetails(before.state)).map((r) => [`${r.pk}|${r.sk}`, r]),
    );
    const writes: DerivedWrite[] = [];
    for (const row of nameRows(after.entityId, entityDetails(after))) {
      if (!old.delete(`${row.pk}|${row.sk}`)) writes.push({ type: "name", row });
    }
    for (const row of old.values()) writes.push({ type: "unname", pk: row.pk, sk: row.sk });
    const was = cardOf(before.state, before.state.version);
    const now = cardOf(after, event.version);
    const same =
      was &&
      now &&
      was.name === now.name &&
      was.kind === now.kind &&
      was.names.join() === now.names.join();
    if (now && !same) writes.push({ type: "card", card: now });
    return writes;
  },
};
