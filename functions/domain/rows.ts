import type { IsoDate, LedgerEvent, Measure } from "./events.js";
import { canonicalJson, sha256Hex } from "./hash.js";
import { searchWords } from "./search.js";
import {
  type EntityDetails,
  type EntityState,
  type SanctionRecord,
  sanctionConcerned,
} from "./state.js";
import type { Interval, Terms } from "./timeline.js";
import { timelineOf } from "./timeline.js";

/** Every authority at once: the partition that answers queries without an authority filter. */
export const ANY_AUTHORITY = "*";

/** What every force row says: where and when it is filed, and the measures filters read. */
interface ForceRowBase {
  entityId: string;
  sanctionId: string;
  authority: string;
  program: string | null;
  from: IsoDate;
  until: IsoDate | null;
  measures: readonly Measure[];
}

/**
 * A stretch of valid time during which a sanction is in force on an entity with fixed
 * terms. It names the entity but carries none of its details: a rename re-files no row.
 */
export interface InForceRow extends ForceRowBase {
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  end: IsoDate | null;
  scope: Terms["scope"];
  legalBasis: string | null;
  undetermined?: undefined;
}

/**
 * The row of the days `[from, until)` on which a sanction's status is not known (its start
 * is not stated; `from` is {@link EVER} when unknown on every earlier day): what the
 * `undetermined` list of `/sanctions` names, with the measures it takes effect with, which
 * the measure filter reads.
 */
export interface UndeterminedRow extends ForceRowBase {
  undetermined: { reason: string; since: IsoDate | null };
}

/** A row of `/sanctions`: days in force, or days whose status is not known. */
export type ForceRow = InForceRow | UndeterminedRow;

/** The `from` of a row of days that reach back without limit. */
export const EVER: IsoDate = "0000-01-01";

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
  /**
   * Set on the days a sanction's status stops (`undetermined`) or starts again (`determined`)
   * being known, with the measures it takes effect with.
   */
  undetermined?: { change: "undetermined" | "determined"; measures: readonly Measure[] };
}

/** A digest of terms, the same whatever the order of keys. */
export function termsDigest(terms: Terms): string {
  return sha256Hex(canonicalJson([terms.measures, terms.scope, terms.legalBasis])).slice(0, 16);
}

/**
 * A row kept in record time: where it is filed (`pk`, and `sk` before the row's id and
 * recording time) and what it says. Its `key` names where it is filed and the versions of
 * the events its content derives from, so two rows with one key say the same.
 */
export type IndexRow = { pk: string; sk: string; key: string } & (
  | { kind: "force"; data: ForceRow }
  | { kind: "boundary"; data: BoundaryRow }
);

/** A name or alias of an entity as search files it: one row per distinct word. */
export interface NameRow {
  entityId: string;
  /** The name or alias, as the entity holds it. */
  matched: string;
}

/** A search row: current knowledge only, put when a name gains the word, deleted when it loses it. */
export interface NameIndexRow {
  pk: string;
  sk: string;
  data: NameRow;
}

/**
 * Each authority's rows are spread over this many partitions by entity, so that a bulk
 * import of one list is not bounded by one partition key's write ceiling (see
 * docs/storage.md); a query reads the shards together and merges them in sort-key order.
 */
export const ROW_SHARDS = 8;
/** The shard of an entity's rows: a digest of its id, the same for every row it has. */
export const shardOf = (entityId: string) =>
  Number.parseInt(sha256Hex(entityId).slice(0, 8), 16) % ROW_SHARDS;
export const forcePartition = (authority: string, shard: number) => `force#${authority}#${shard}`;
export const boundaryPartition = (authority: string, shard: number) =>
  `change#${authority}#${shard}`;
/** The index of events by record time: one row per event, for the corrections report. */
export const recordedPartition = (shard: number) => `recorded#${shard}`;
/** Where notices are filed, by the entity's shard, in order of their time. */
export const noticePartition = (shard: number) => `notice#${shard}`;
/** An event's row in the record-time index: its versions padded so that they sort. */
export const recordedSortKey = (recordedAt: string, entityId: string, version: number) =>
  `${recordedAt}#${entityId}#${String(version).padStart(12, "0")}`;
/** A force row's sort key, before its row id and recording time. */
export const forceSortKey = (entityId: string, sanctionId: string, from: IsoDate) =>
  `${entityId}#${sanctionId}#${from}`;
/** A boundary row's sort key, before its row id and recording time. */
export const boundarySortKey = (day: IsoDate, entityId: string, sanctionId: string) =>
  `${day}#${entityId}#${sanctionId}`;
/**
 * The fields of a sort key built here: ids, dates, timestamps, words and digests never
 * hold `#` (ids match `^[A-Za-z0-9][A-Za-z0-9._:-]*$`, words are letters and digits), so a
 * stored row's data need not repeat them.
 */
export const sortKeyParts = (sk: string) => sk.split("#");
/** The first `n` code points of a word: keys never split a surrogate pair. */
const codePoints = (word: string, n: number) => Array.from(word).slice(0, n).join("");
/** Words are filed under their first two code points; a query word needs at least two. */
export const wordPartition = (word: string) => `word#${codePoints(word, 2)}`;
export const MIN_QUERY_WORD = 2;
/** The length of a word in code points, as `MIN_QUERY_WORD` counts it. */
export const wordLength = (word: string) => Array.from(word).length;
/**
 * How much of a word a row's sort key holds: DynamoDB caps a sort key at 1,024 bytes, and
 * a prefix this long is selective enough; matching reads the whole name.
 */
const MAX_INDEXED_WORD = 64;
export const indexedWord = (word: string) => codePoints(word, MAX_INDEXED_WORD);

/** A short digest of a name: identifies it in a row key and in an entity's card. */
export const nameDigest = (name: string) => sha256Hex(name).slice(0, 16);

/**
 * The sanctions whose rows an event may change, by the version of their imposition. Rows
 * carry nothing of the entity's details, so entity events change none.
 */
export function touchedSanctions(before: EntityState, event: LedgerEvent): Set<number> {
  const concerned = sanctionConcerned(before, event);
  return new Set(concerned ? [concerned.version] : []);
}

function sanctionsOf(state: EntityState, only?: ReadonlySet<number>): SanctionRecord[] {
  return only ? state.sanctions.filter((s) => only.has(s.version)) : state.sanctions;
}

/** The force rows of the state's sanctions (or of some of them): one per interval and partition. */
export function forceRows(state: EntityState, only?: ReadonlySet<number>): IndexRow[] {
  const rows: IndexRow[] = [];
  const entityId = state.entityId;
  for (const s of sanctionsOf(state, only)) {
    const t = timelineOf(s);
    const endKey = `${t.end}/${t.endBasis.join(",")}`;
    const common = { entityId, sanctionId: t.sanctionId, authority: t.authority };
    for (const authority of [t.authority, ANY_AUTHORITY]) {
      const pk = forcePartition(authority, shardOf(entityId));
      /** A row of `data`; `what` (the versions read) keys what it says. */
      const row = (data: ForceRow, what: string): IndexRow => {
        const sk = forceSortKey(entityId, t.sanctionId, data.from);
        // Events never change, so the versions a row derives from identify what it says.
        return { kind: "force", pk, sk, key: `${pk}|${sk}|${s.version}|${what}`, data };
      };
      for (const i of t.intervals) {
        const data: InForceRow = {
          ...common,
          program: t.program,
          announcedOn: t.announcedOn,
          effectiveFrom: t.effectiveFrom,
          end: t.end,
          from: i.from,
          until: i.until,
          measures: i.measures,
          scope: i.scope,
          legalBasis: i.legalBasis,
        };
        rows.push(row(data, `${i.basis.join(",")}|${i.until}|${endKey}`));
      }
      const u = t.undetermined;
      if (u) {
        // What the `undetermined` list names: the measures it takes effect with (set by the
        // versions of its initial terms) and the day its status is known from.
        const data: UndeterminedRow = {
          ...common,
          program: t.program,
          from: u.since ?? EVER,
          until: u.until,
          measures: t.initialTerms.measures,
          undetermined: { reason: u.reason, since: u.since },
        };
        rows.push(row(data, `undetermined|${t.initialTerms.basis.join(",")}|${u.until}`));
      }
    }
  }
  return rows;
}

/** The boundary rows of the state's sanctions (or of some): each day their terms change. */
export function boundaryRows(state: EntityState, only?: ReadonlySet<number>): IndexRow[] {
  const rows: IndexRow[] = [];
  const entityId = state.entityId;
  const terms = (x: Interval): BoundaryTerms => ({ measures: x.measures, digest: termsDigest(x) });
  for (const s of sanctionsOf(state, only)) {
    const t = timelineOf(s);
    for (const authority of [t.authority, ANY_AUTHORITY]) {
      const pk = boundaryPartition(authority, shardOf(entityId));
      const u = t.undetermined;
      const boundary = (
        day: IsoDate,
        before?: Interval,
        after?: Interval,
        change?: "undetermined" | "determined",
      ) => {
        const sk = boundarySortKey(day, entityId, t.sanctionId);
        // The measures of a change of knowledge are those it takes effect with.
        const marked = change
          ? `|${change}|${t.endBasis.join(",")}|${t.initialTerms.basis.join(",")}`
          : "";
        rows.push({
          kind: "boundary",
          pk,
          sk,
          key: `${pk}|${sk}|${s.version}|${before?.basis.join(",")}|${after?.basis.join(",")}${marked}`,
          data: {
            entityId,
            sanctionId: t.sanctionId,
            authority: t.authority,
            program: t.program,
            day,
            before: before ? terms(before) : null,
            after: after ? terms(after) : null,
            ...(change ? { undetermined: { change, measures: t.initialTerms.measures } } : {}),
          },
        });
      };
      if (u?.since) boundary(u.since, undefined, undefined, "undetermined");
      const first = t.intervals[0];
      if (u && !(first && first.from === u.until)) {
        boundary(u.until, undefined, undefined, "determined");
      }
      t.intervals.forEach((i, n) => {
        const prev = t.intervals[n - 1];
        const known = n === 0 && u?.until === i.from ? "determined" : undefined;
        boundary(i.from, prev && prev.until === i.from ? prev : undefined, i, known);
        const next = t.intervals[n + 1];
        if (i.until !== null && !(next && next.from === i.until)) boundary(i.until, i, undefined);
      });
    }
  }
  return rows;
}

/** Every row kept in record time that the state implies. */
export function indexRows(state: EntityState): IndexRow[] {
  return [...forceRows(state), ...boundaryRows(state)];
}

/** The search rows of an entity's names: one per distinct word of each name or alias. */
export function nameRows(entityId: string, details: EntityDetails | undefined): NameIndexRow[] {
  if (!details) return [];
  const rows: NameIndexRow[] = [];
  for (const matched of new Set([details.name, ...details.aliases])) {
    const digest = nameDigest(matched);
    for (const word of new Set(searchWords(matched))) {
      // A query finds names by its longest word, of at least MIN_QUERY_WORD code points:
      // shorter words are matched from the row of a longer one, never looked up.
      if (wordLength(word) < MIN_QUERY_WORD) continue;
      rows.push({
        pk: wordPartition(word),
        sk: `${indexedWord(word)}#${entityId}#${digest}`,
        data: { entityId, matched },
      });
    }
  }
  return rows;
}

/**
 * A row's identity: a digest of its key, which names where it is filed and the versions of
 * the events its content derives from.
 */
export function rowId(row: IndexRow): string {
  return sha256Hex(row.key).slice(0, 16);
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
