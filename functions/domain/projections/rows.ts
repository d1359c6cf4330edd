import type { IndexRow } from "../rows.js";
import { boundaryRows, diffRows, forceRows, touchedSanctions } from "../rows.js";
import type { EntityState } from "../state.js";
import type { DerivedWrite, Projection, Step } from "./types.js";

/**
 * Rows kept in record time, for the questions across entities as known at any moment: an
 * event closes the rows its change ends (at its `recordedAt`) and opens those it begins,
 * only among the rows of the sanction it touches.
 */
function rowProjection(
  name: string,
  rowsOf: (state: EntityState, only: ReadonlySet<number>) => IndexRow[],
): Projection {
  return {
    name,
    project({ before, after, event }: Step): DerivedWrite[] {
      const touched = touchedSanctions(before.state, event);
      if (touched.size === 0) return [];
      const { opened, closed } = diffRows(rowsOf(before.state, touched), rowsOf(after, touched));
      const writes: DerivedWrite[] = [];
      for (const [id, row] of closed) {
        const from = before.openRows[id];
        if (from !== undefined) {
          writes.push({ type: "close", row, id, from, until: event.recordedAt });
        }
      }
      for (const [id, row] of opened)
        writes.push({ type: "open", row, id, from: event.recordedAt });
      return writes;
    },
  };
}

/** Force rows: the stretches of valid time in which each sanction is in force (`/sanctions`). */
export const forceProjection = rowProjection("force rows", forceRows);

/** Boundary rows: the days on which a sanction enters force, changes terms or leaves (`/changes`). */
export const changeProjection = rowProjection("change rows", boundaryRows);
