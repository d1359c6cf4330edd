import type { IsoDate, Measure } from "./events.js";
import { canonicalJson, sha256Hex } from "./hash.js";
import { searchWords } from "./search.js";
import type { EntityState } from "./state.js";
import { entityDetails } from "./state.js";
import type { Terms } from "./timeline.js";
import { timelines } from "./timeline.js";

/** Every authority at once: the partition that answers queries without an authority filter. */
export const ANY_AUTHORITY = "*";

/** A stretch of valid time during which a sanction is in force on an entity with fixed terms. */
export interface ForceRow {
  entityId: string;
  name: string;
  kind: string;
  sanctionId: string;
  authority: string;
  program: string | null;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  end: IsoDate | null;
  from: IsoDate;
  until: IsoDate | null;
  measures: Measure[];
  scope: Terms["scope"];
  legalBasis: string | null;
}

/** A day on which a sanction's terms change: entering force, a change of terms, or leaving. */
export interface BoundaryRow {
  entityId: string;
  sanctionId: string;
  authority: string;
  program: string | null;
  day: IsoDate;
  before: Terms | null;
  after: Terms | null;
}

/** A name or alias of an entity, for search. */
export interface NameRow {
  entityId: string;
  name: string;
  matched: string;
  words: string[];
}

/**
 * A row of a cross-entity index: where it is filed (`pk`, and `sk` before the row's id and
 * recording time) and what it says. Rows are derived from an entity's state alone, so the
 * rows of two states can be compared to know which to close and which to open.
 */
export type IndexRow =
  | { kind: "force"; pk: string; sk: string; data: ForceRow }
  | { kind: "boundary"; pk: string; sk: string; data: BoundaryRow }
  | { kind: "name"; pk: string; sk: string; data: NameRow };

export const forcePartition = (authority: string) => `force#${authority}`;
export const boundaryPartition = (authority: string) => `change#${authority}`;
/** Words are filed under their first two characters; a query word needs at least two. */
export const wordPartition = (word: string) => `word#${word.slice(0, 2)}`;
export const MIN_QUERY_WORD = 2;

/** The index rows that the state implies. */
export function indexRows(state: EntityState): IndexRow[] {
  const details = entityDetails(state);
  if (!details) return [];
  const rows: IndexRow[] = [];
  const entityId = state.entityId;
  for (const t of timelines(state)) {
    const header = {
      entityId,
      sanctionId: t.sanctionId,
      authority: t.authority,
      program: t.program,
    };
    for (const authority of [t.authority, ANY_AUTHORITY]) {
      for (const i of t.intervals) {
        rows.push({
          kind: "force",
          pk: forcePartition(authority),
          sk: `${entityId}#${t.sanctionId}#${i.from}`,
          data: {
            ...header,
            name: details.name,
            kind: details.kind,
            announcedOn: t.announcedOn,
            effectiveFrom: t.effectiveFrom,
            end: t.end,
            from: i.from,
            until: i.until,
            measures: i.measures,
            scope: i.scope,
            legalBasis: i.legalBasis,
          },
        });
      }
      t.intervals.forEach((i, n) => {
        const prev = t.intervals[n - 1];
        const terms = (x: Terms): Terms => ({
          measures: x.measures,
          scope: x.scope,
          legalBasis: x.legalBasis,
        });
        const boundary = (day: IsoDate, before: Terms | null, after: Terms | null) =>
          rows.push({
            kind: "boundary",
            pk: boundaryPartition(authority),
            sk: `${day}#${entityId}#${t.sanctionId}`,
            data: { ...header, day, before, after },
          });
        boundary(i.from, prev && prev.until === i.from ? terms(prev) : null, terms(i));
        const next = t.intervals[n + 1];
        if (i.until !== null && !(next && next.from === i.until)) boundary(i.until, terms(i), null);
      });
    }
  }
  for (const matched of new Set([details.name, ...details.aliases])) {
    const words = searchWords(matched);
    for (const word of new Set(words)) {
      // A query finds names by its longest word, of at least MIN_QUERY_WORD characters:
      // shorter words are matched from the row of a longer one, never looked up.
      if (word.length < MIN_QUERY_WORD) continue;
      rows.push({
        kind: "name",
        pk: wordPartition(word),
        sk: `${word}#${entityId}`,
        data: { entityId, name: details.name, matched, words },
      });
    }
  }
  return rows;
}

/** A row's identity: a digest of where it is filed and what it says. */
export function rowId(row: IndexRow): string {
  return sha256Hex(canonicalJson(row)).slice(0, 24);
}

/** The rows to close and to open when an entity's state moves from `before` to `after`. */
export function diffRows(
  before: readonly IndexRow[],
  after: readonly IndexRow[],
): { closed: Map<string, IndexRow>; opened: Map<string, IndexRow> } {
  const byId = (rows: readonly IndexRow[]) => new Map(rows.map((r) => [rowId(r), r]));
  const b = byId(before);
  const a = byId(after);
  const closed = new Map([...b].filter(([id]) => !a.has(id)));
  const opened = new Map([...a].filter(([id]) => !b.has(id)));
  return { closed, opened };
}
