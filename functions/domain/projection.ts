import type { IsoDate, LedgerEvent, Measure } from "./events.js";
import { canonicalJson, sha256Hex } from "./hash.js";
import { searchWords } from "./search.js";
import type { EntityState } from "./state.js";
import { entityDetails } from "./state.js";
import type { Interval, Terms } from "./timeline.js";
import { timelineOf } from "./timeline.js";

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
  measures: readonly Measure[];
  scope: Terms["scope"];
  legalBasis: string | null;
}

/**
 * Terms as a boundary row keeps them: the measures, which filters read, and a digest of
 * the whole terms, which tells an amendment; a scope may be large, and a row holds two.
 */
export interface BoundaryTerms {
  measures: readonly Measure[];
  digest: string;
}

/** A day on which a sanction's terms change: entering force, a change of terms, or leaving. */
export interface BoundaryRow {
  entityId: string;
  sanctionId: string;
  authority: string;
  program: string | null;
  day: IsoDate;
  before: BoundaryTerms | null;
  after: BoundaryTerms | null;
}

/** A digest of terms, the same whatever the order of keys. */
export function termsDigest(terms: Terms): string {
  return sha256Hex(canonicalJson([terms.measures, terms.scope, terms.legalBasis])).slice(0, 32);
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
export type IndexRow = { pk: string; sk: string; key: string } & (
  | { kind: "force"; data: ForceRow }
  | { kind: "boundary"; data: BoundaryRow }
  | { kind: "name"; data: NameRow }
);

export const forcePartition = (authority: string) => `force#${authority}`;
export const boundaryPartition = (authority: string) => `change#${authority}`;
/** Words are filed under their first two characters; a query word needs at least two. */
export const wordPartition = (word: string) => `word#${word.slice(0, 2)}`;
export const MIN_QUERY_WORD = 2;
/**
 * How much of a word a row's sort key holds: DynamoDB caps a sort key at 1,024 bytes, and
 * a prefix this long is selective enough; the row keeps the whole words to match on.
 */
const MAX_INDEXED_WORD = 64;
export const indexedWord = (word: string) => word.slice(0, MAX_INDEXED_WORD);

/** The group of rows that one sanction implies, named by the version of its imposition. */
const sanctionGroup = (imposedAt: number) => `sanction:${imposedAt}`;
const NAMES = "names";

/** The index rows that the state implies. */
export function indexRows(state: EntityState): IndexRow[] {
  return rowsOf(state);
}

/**
 * The groups of rows that an event may change: the names, and the rows of the sanctions it
 * touches (all of them when the entity's name or kind, which every row carries, changes).
 * `before` is the state the event applies to.
 */
export function touchedGroups(before: EntityState, event: LedgerEvent): Set<string> | "all" {
  const all = () => "all" as const;
  switch (event.type) {
    case "EntityRegistered":
      return all();
    case "EntityAmended":
      return event.data.name !== undefined || event.data.kind !== undefined
        ? all()
        : new Set([NAMES]);
    case "SanctionImposed":
      return new Set([sanctionGroup(event.version)]);
    case "SanctionAmended":
    case "SanctionLifted": {
      const s = before.sanctions.find((x) => x.sanctionId === event.data.sanctionId);
      return new Set(s ? [sanctionGroup(s.version)] : []);
    }
    case "EventRetracted": {
      const target = event.data.version;
      const type = before.versions[target - 1]?.type;
      if (type === "SanctionImposed") return new Set([sanctionGroup(target)]);
      const owner = before.sanctions.find(
        (s) => s.amendments.some((a) => a.version === target) || s.lifting?.version === target,
      );
      return owner ? new Set([sanctionGroup(owner.version)]) : all();
    }
  }
}

/** The rows of the state, or only those of some groups. */
export function rowsOf(state: EntityState, groups: Set<string> | "all" = "all"): IndexRow[] {
  const details = entityDetails(state);
  if (!details) return [];
  const rows: IndexRow[] = [];
  const entityId = state.entityId;
  const wanted = (group: string) => groups === "all" || groups.has(group);
  // Events never change, so the versions a row derives from identify what it says: the
  // row's identity is built from them, without serialising its content.
  // Force rows carry the entity's name and kind, and nothing else of its details.
  const detailsKey = JSON.stringify([details.name, details.kind]);
  for (const s of state.sanctions) {
    if (!wanted(sanctionGroup(s.version))) continue;
    const t = timelineOf(s);
    const header = {
      entityId,
      sanctionId: t.sanctionId,
      authority: t.authority,
      program: t.program,
    };
    const endKey = `${t.end}/${t.endBasis.join(",")}`;
    for (const authority of [t.authority, ANY_AUTHORITY]) {
      for (const i of t.intervals) {
        const pk = forcePartition(authority);
        const sk = `${entityId}#${t.sanctionId}#${i.from}`;
        rows.push({
          kind: "force",
          pk,
          sk,
          key: `${pk}|${sk}|${detailsKey}|${i.basis.join(",")}|${i.until}|${endKey}`,
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
      const terms = (x: Interval): BoundaryTerms => ({
        measures: x.measures,
        digest: termsDigest(x),
      });
      const boundary = (
        day: IsoDate,
        before: Interval | undefined,
        after: Interval | undefined,
      ) => {
        const pk = boundaryPartition(authority);
        const sk = `${day}#${entityId}#${t.sanctionId}`;
        rows.push({
          kind: "boundary",
          pk,
          sk,
          key: `${pk}|${sk}|${s.version}|${before?.basis.join(",")}|${after?.basis.join(",")}`,
          data: {
            ...header,
            day,
            before: before ? terms(before) : null,
            after: after ? terms(after) : null,
          },
        });
      };
      t.intervals.forEach((i, n) => {
        const prev = t.intervals[n - 1];
        boundary(i.from, prev && prev.until === i.from ? prev : undefined, i);
        const next = t.intervals[n + 1];
        if (i.until !== null && !(next && next.from === i.until)) boundary(i.until, i, undefined);
      });
    }
  }
  if (!wanted(NAMES)) return rows;
  for (const matched of new Set([details.name, ...details.aliases])) {
    const words = searchWords(matched);
    for (const word of new Set(words)) {
      // A query finds names by its longest word, of at least MIN_QUERY_WORD characters:
      // shorter words are matched from the row of a longer one, never looked up.
      if (word.length < MIN_QUERY_WORD) continue;
      const pk = wordPartition(word);
      const sk = `${indexedWord(word)}#${entityId}`;
      rows.push({
        kind: "name",
        pk,
        sk,
        key: `${pk}|${sk}|${details.name}|${matched}`,
        data: { entityId, name: details.name, matched, words },
      });
    }
  }
  return rows;
}

/**
 * A row's identity: a digest of its key, which names where it is filed and the versions of
 * the events its content derives from (two rows with one key say the same).
 */
export function rowId(row: IndexRow): string {
  return sha256Hex(row.key).slice(0, 24);
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
