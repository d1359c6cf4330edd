import { type Correction, correctionsBetween } from "../domain/corrections.js";
import { dateOf } from "../domain/dates.js";
import type { IsoDate, Measure, Timestamp } from "../domain/events.js";
import { type CloudEvent, cloudEvent, type Notice } from "../domain/notices.js";
import type { DetailsRecord } from "../domain/pages.js";
import type { RecordedRow } from "../domain/projections/notices.js";
import type {
  BoundaryRow,
  BoundaryTerms,
  ForceRow,
  InForceRow,
  NameRow,
  UndeterminedRow,
} from "../domain/rows.js";
import {
  ANY_AUTHORITY,
  boundaryPartition,
  forcePartition,
  indexedWord,
  MIN_QUERY_WORD,
  nameDigest,
  noticePartition,
  ROW_SHARDS,
  recordedPartition,
  wordLength,
  wordPartition,
} from "../domain/rows.js";
import { matchesWords, searchWords } from "../domain/search.js";
import type { SanctionOnDate, UndeterminedOnDate } from "../domain/timeline.js";
import type { RowRange, StoredRow, ViewStore } from "../store/ports.js";
import type { EntitySource } from "./reads.js";
import { decodeToken, encodeToken, InvalidToken } from "./tokens.js";

/** Filters shared by `/sanctions` and `/changes`; each must match exactly. */
export interface SanctionFilters {
  authority?: string;
  measure?: Measure;
  program?: string;
}

export interface Page {
  limit: number;
  nextToken?: string;
}

/** A query that is well formed but cannot be answered as asked. */
export class UnanswerableQuery extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "UnanswerableQuery";
  }
}

const PAGE = 500;
/** The most rows a search reads before it asks for a more precise query. */
const MAX_SEARCH_ROWS = 20_000;

/**
 * The questions across entities, answered from the bitemporal index rows that the
 * projection files: Query work on one partition, never a scan.
 */
export class AuditQueries {
  constructor(private readonly deps: { views: ViewStore; ledger: EntitySource; now: () => Date }) {}

  /** Every entity with a matching sanction in force on `asOf`, as known at `knownAt`. */
  async sanctions(
    query: SanctionFilters & Page & { asOf?: IsoDate; knownAt?: Timestamp },
  ): Promise<{
    asOf: IsoDate;
    knownAt: Timestamp;
    items: {
      entityId: string;
      name: string;
      kind: string;
      sanctions: SanctionOnDate[];
      undetermined: UndeterminedOnDate[];
    }[];
    nextToken?: string;
  }> {
    const now = this.deps.now();
    const asOf = query.asOf ?? dateOf(now);
    const knownAt = query.knownAt ?? now.toISOString();
    const held = heldAt(query.knownAt);
    const after =
      query.nextToken === undefined
        ? undefined
        : stringOf(decodeToken("sanctions", query.nextToken));
    const items: {
      entityId: string;
      sanctions: SanctionOnDate[];
      undetermined: UndeterminedOnDate[];
    }[] = [];
    const listed = (item: (typeof items)[number]) =>
      item.sanctions.length > 0 || item.undetermined.length > 0;
    let current: (typeof items)[number] | undefined;
    let more = false;
    const rows = this.shardedRows(
      (shard) => forcePartition(query.authority ?? ANY_AUTHORITY, shard),
      after === undefined ? {} : { after },
    );
    for await (const row of rows) {
      const data = row.data as ForceRow;
      if (current && current.entityId !== data.entityId) {
        if (listed(current)) {
          if (items.length === query.limit) {
            more = true;
            break;
          }
          items.push(current);
        }
        current = undefined;
      }
      current ??= { entityId: data.entityId, sanctions: [], undetermined: [] };
      if (!held(row) || !inForceOn(data, asOf) || !matches(data, query)) continue;
      if (data.undetermined) current.undetermined.push(undeterminedOf(data));
      else current.sanctions.push(sanctionOf(data));
    }
    if (!more && current && listed(current)) {
      if (items.length === query.limit) more = true;
      else items.push(current);
    }
    const named = await this.named(items, query.knownAt);
    const last = items[items.length - 1];
    return {
      asOf,
      knownAt,
      items: named,
      // `$` sorts after the `#` that ends an entity id in a row key, and before every
      // character an entity id may hold: the next page starts with the next entity.
      ...(more && last ? { nextToken: encodeToken("sanctions", `${last.entityId}$`) } : {}),
    };
  }

  /** What entered into force, changed terms, or left force on each day of `[from, to]`. */
  async changes(
    query: SanctionFilters & Page & { from: IsoDate; to: IsoDate; knownAt?: Timestamp },
  ): Promise<{
    from: IsoDate;
    to: IsoDate;
    knownAt: Timestamp;
    items: {
      entityId: string;
      sanctionId: string;
      authority: string;
      change: "entered" | "amended" | "left" | "undetermined" | "determined";
      on: IsoDate;
    }[];
    nextToken?: string;
  }> {
    if (query.from > query.to) {
      throw new UnanswerableQuery("/to", `to (${query.to}) is before from (${query.from}).`);
    }
    const knownAt = query.knownAt ?? this.deps.now().toISOString();
    const held = heldAt(query.knownAt);
    const after =
      query.nextToken === undefined ? undefined : stringOf(decodeToken("changes", query.nextToken));
    const items: Awaited<ReturnType<AuditQueries["changes"]>>["items"] = [];
    let position: string | undefined;
    let more = false;
    const between: [string, string] = [query.from, `${query.to}#\uffff`];
    // A position from another window (or forged) cannot resume this one.
    if (after !== undefined && (after < between[0] || after > between[1])) {
      throw new InvalidToken();
    }
    const range: RowRange = { between, ...(after === undefined ? {} : { after }) };
    const rows = this.shardedRows(
      (shard) => boundaryPartition(query.authority ?? ANY_AUTHORITY, shard),
      range,
    );
    for await (const row of rows) {
      if (!held(row)) continue;
      const data = row.data as BoundaryRow;
      if (query.program !== undefined && data.program !== query.program) continue;
      const change = changeOf(data, query.measure);
      if (!change) continue;
      if (items.length === query.limit) {
        more = true;
        break;
      }
      items.push({
        entityId: data.entityId,
        sanctionId: data.sanctionId,
        authority: data.authority,
        change,
        on: data.day,
      });
      position = row.sk;
    }
    return {
      from: query.from,
      to: query.to,
      knownAt,
      items,
      ...(more && position ? { nextToken: encodeToken("changes", position) } : {}),
    };
  }

  /**
   * What the ledger says at `to` differently from what it said at `from` about the sanctions
   * it already held at `from`: for each, the maximal ranges of days whose status differs.
   * The entities to compare are those with an event recorded in the window, found in the
   * record-time index (one row per event, by `recordedAt`); each is compared once, at its
   * first event in the window, so the pages follow the order of those first events.
   */
  async corrections(query: Page & { from: Timestamp; to: Timestamp }): Promise<{
    from: Timestamp;
    to: Timestamp;
    items: Correction[];
    nextToken?: string;
  }> {
    const { from, to } = query;
    if (from > to) {
      throw new UnanswerableQuery("/to", `to (${to}) is before from (${from}).`);
    }
    // Sort keys begin with `recordedAt#`: those recorded after `from`, up to `to` included.
    const between: [string, string] = [`${from}#\uffff`, `${to}#\uffff`];
    let resume: { sk: string; skip: number } | undefined;
    if (query.nextToken !== undefined) {
      resume = positionOf(stringOf(decodeToken("corrections", query.nextToken)));
      // A position from another window (or forged) cannot resume this one.
      if (resume.sk < between[0] || resume.sk > between[1]) throw new InvalidToken();
    }
    const items: Correction[] = [];
    let nextToken: string | undefined;
    const seen = new Set<string>();
    const rows = this.shardedRows(recordedPartition, {
      between: [resume?.sk ?? between[0], between[1]],
    });
    // The entities of a batch of rows are compared at once, then answered in row order.
    const compare = async (row: StoredRow): Promise<Correction[] | undefined> => {
      const data = row.data as RecordedRow;
      // Versions have no gaps and `recordedAt` grows along a stream: the entity's first
      // event in the window is the one after its head at `from`.
      const head = await this.deps.ledger.headAt(data.entityId, from);
      if (data.version !== (head?.version ?? 0) + 1) return undefined;
      const events = await this.deps.ledger.streamUpTo(data.entityId, to);
      return correctionsBetween(data.entityId, events, from, to);
    };
    /** Takes a batch's answers in; true once the page is full. */
    const take = (batch: StoredRow[], answers: (Correction[] | undefined)[]): boolean => {
      for (const [i, row] of batch.entries()) {
        let found = answers[i];
        if (found === undefined) continue;
        const skipped = resume !== undefined && row.sk === resume.sk ? resume.skip : 0;
        found = found.slice(skipped);
        const room = query.limit - items.length;
        if (found.length > room) {
          items.push(...found.slice(0, room));
          const skip = skipped + room;
          nextToken = encodeToken("corrections", JSON.stringify([row.sk, skip]));
          return true;
        }
        items.push(...found);
        if (items.length === query.limit) {
          // The next page starts after this entity's row.
          nextToken = encodeToken("corrections", JSON.stringify([`${row.sk}\u0000`, 0]));
          return true;
        }
      }
      return false;
    };
    let batch: StoredRow[] = [];
    let full = false;
    for await (const row of rows) {
      const data = row.data as RecordedRow;
      if (seen.has(data.entityId)) continue;
      seen.add(data.entityId);
      batch.push(row);
      if (batch.length < READS_AT_ONCE) continue;
      full = take(batch, await inParallel(batch, compare));
      batch = [];
      if (full) break;
    }
    if (!full && batch.length > 0) take(batch, await inParallel(batch, compare));
    return { from, to, items, ...(nextToken ? { nextToken } : {}) };
  }

  /**
   * The notices filed after `since` (a cursor this feed gave), in order of their time, as
   * CloudEvents documents; `cursor` is where the next read goes on from.
   */
  async notices(query: { limit: number; since?: string }): Promise<{
    items: CloudEvent[];
    cursor: string;
  }> {
    let after: string | undefined;
    try {
      after = query.since === undefined ? undefined : stringOf(decodeToken("notices", query.since));
    } catch {
      throw new UnanswerableQuery("/since", "since is not a cursor this feed gave.");
    }
    // The cursor of an empty feed: from the start (a key is never empty).
    if (after === "") after = undefined;
    const items: CloudEvent[] = [];
    let position = after;
    for await (const row of this.shardedRows(
      noticePartition,
      after === undefined ? {} : { after },
    )) {
      if (items.length === query.limit) break;
      items.push(cloudEvent(row.data as Notice));
      position = row.sk;
    }
    return { items, cursor: encodeToken("notices", position ?? "") };
  }

  /**
   * The entities' names and kinds, as known at `knownAt` (or now): rows carry none, so that
   * a rename re-files no row. Now, from the entities' cards (one request per hundred); at a
   * moment, from each entity's details record as recorded then, a bounded number at once.
   */
  private async named<T extends { entityId: string }>(
    items: T[],
    knownAt: Timestamp | undefined,
  ): Promise<(T & { name: string; kind: string })[]> {
    const ids = items.map((i) => i.entityId);
    const found = new Map<string, { name: string; kind: string }>();
    if (knownAt === undefined) {
      for (const [id, card] of await this.deps.views.getCards(ids)) found.set(id, card);
    }
    // At a moment, or for an entity whose card is not filed yet: its details record.
    await inParallel(
      ids.filter((id) => !found.has(id)),
      async (id) => {
        const record = await this.deps.views.getRecord<DetailsRecord>(
          "details",
          id,
          knownAt === undefined ? {} : { upTo: knownAt },
        );
        const details = record?.value.details;
        if (details) found.set(id, details);
      },
    );
    return items.map(({ entityId, ...rest }) => {
      const { name, kind } = found.get(entityId) ?? { name: entityId, kind: "other" };
      return { entityId, name, kind, ...rest } as unknown as T & { name: string; kind: string };
    });
  }

  /**
   * Entities whose name or an alias holds every word of `q` as a word prefix. The rows read
   * are those of the names that hold now, filed under the query's longest word; a row is
   * checked against the entity's card, so one a late projector left behind never answers.
   */
  async search(query: Page & { q: string; asOf?: IsoDate }): Promise<{
    items: { entityId: string; name: string; matched: string; inForce?: SanctionOnDate[] }[];
    nextToken?: string;
  }> {
    const words = searchWords(query.q);
    const longest = words.reduce((a, b) => (wordLength(b) > wordLength(a) ? b : a), "");
    if (wordLength(longest) < MIN_QUERY_WORD) {
      throw new UnanswerableQuery(
        "/q",
        `q must hold a word of at least ${MIN_QUERY_WORD} letters or digits.`,
      );
    }
    const after =
      query.nextToken === undefined ? undefined : stringOf(decodeToken("search", query.nextToken));
    const hits = new Map<string, NameRow[]>();
    let read = 0;
    const prefix = indexedWord(longest);
    for await (const row of this.rows(wordPartition(prefix), { beginsWith: prefix })) {
      if (++read > MAX_SEARCH_ROWS) {
        throw new UnanswerableQuery("/q", "q matches too many names; add words or letters.");
      }
      const data = row.data as NameRow;
      if (after !== undefined && data.entityId <= after) continue;
      if (!matchesWords(words, searchWords(data.matched))) continue;
      const seen = hits.get(data.entityId) ?? [];
      if (!seen.some((r) => r.matched === data.matched)) seen.push(data);
      hits.set(data.entityId, seen);
    }
    const cards = await this.deps.views.getCards([...hits.keys()]);
    const sorted = [...hits]
      .flatMap(([entityId, rows]) => {
        // Names the card no longer holds are rows a late projector left behind.
        const card = cards.get(entityId);
        const current = rows.filter((r) => card?.names.includes(nameDigest(r.matched)));
        if (!card || current.length === 0) return [];
        // The entity's own name when it matches, else the shortest alias that does.
        const best =
          current.find((r) => r.matched === card.name) ??
          current.reduce((a, b) => (b.matched.length < a.matched.length ? b : a));
        return [{ entityId, name: card.name, matched: best.matched }];
      })
      .sort((a, b) => (a.entityId < b.entityId ? -1 : 1));
    const page = sorted.slice(0, query.limit);
    const items = await inParallel(page, async (hit) => {
      if (query.asOf === undefined) return hit;
      const state = await this.deps.ledger.state(hit.entityId, { asOf: query.asOf });
      return { ...hit, inForce: state.inForce };
    });
    const last = page[page.length - 1];
    return {
      items,
      ...(sorted.length > page.length && last
        ? { nextToken: encodeToken("search", last.entityId) }
        : {}),
    };
  }

  /**
   * Every row of the shards of a partition in the range, in sort-key order: the shards are
   * read together, page by page, and merged.
   */
  private async *shardedRows(
    pk: (shard: number) => string,
    range: RowRange,
  ): AsyncGenerator<StoredRow> {
    // A page's worth across the shards: each reads its share.
    const shards = Array.from({ length: ROW_SHARDS }, (_, k) =>
      this.rows(pk(k), range, Math.ceil(PAGE / ROW_SHARDS)),
    );
    const heads = await Promise.all(shards.map((s) => s.next()));
    for (;;) {
      let min = -1;
      heads.forEach((head, k) => {
        if (head.done) return;
        const best = heads[min];
        if (min === -1 || (best && !best.done && head.value.sk < best.value.sk)) min = k;
      });
      if (min === -1) return;
      const head = heads[min] as IteratorYieldResult<StoredRow>;
      yield head.value;
      heads[min] = await (shards[min] as AsyncGenerator<StoredRow>).next();
    }
  }

  /** Every row of a partition in the range, page by page. */
  private async *rows(pk: string, range: RowRange, pageSize = PAGE): AsyncGenerator<StoredRow> {
    let position = range.after;
    for (;;) {
      const page = await this.deps.views.queryRows(
        pk,
        { ...range, ...(position === undefined ? {} : { after: position }) },
        pageSize,
      );
      yield* page.rows;
      if (page.next === undefined) return;
      position = page.next;
    }
  }
}

/** Whether a row held at `knownAt`; without it, whether it holds now. */
function heldAt(knownAt: Timestamp | undefined): (row: StoredRow) => boolean {
  if (knownAt === undefined) return (row) => row.recordedUntil === null;
  return (row) =>
    row.recordedFrom !== null &&
    row.recordedFrom <= knownAt &&
    (row.recordedUntil === null || knownAt < row.recordedUntil);
}

function inForceOn(row: ForceRow, day: IsoDate): boolean {
  return row.from <= day && (row.until === null || day < row.until);
}

function matches(row: ForceRow, filters: SanctionFilters): boolean {
  if (filters.program !== undefined && row.program !== filters.program) return false;
  return filters.measure === undefined || row.measures.includes(filters.measure);
}

function undeterminedOf(row: UndeterminedRow): UndeterminedOnDate {
  return {
    sanctionId: row.sanctionId,
    authority: row.authority,
    knownFrom: row.until as IsoDate,
    since: row.undetermined.since,
    reason: row.undetermined.reason,
    program: row.program,
  };
}

function sanctionOf(row: InForceRow): SanctionOnDate {
  return {
    sanctionId: row.sanctionId,
    authority: row.authority,
    program: row.program,
    measures: row.measures,
    scope: row.scope,
    legalBasis: row.legalBasis,
    announcedOn: row.announcedOn,
    effectiveFrom: row.effectiveFrom,
    termsFrom: row.from,
    end: row.end,
  };
}

/** The change on a boundary day, as seen through the measure filter. */
function changeOf(row: BoundaryRow, measure: Measure | undefined) {
  const counts = (t: BoundaryTerms | null): t is BoundaryTerms =>
    t !== null && (measure === undefined || t.measures.includes(measure));
  // Entering force after undetermined days is not "entered": it may have been in force before.
  const u = row.undetermined;
  if (u) return measure === undefined || u.measures.includes(measure) ? u.change : undefined;
  const before = counts(row.before);
  const after = counts(row.after);
  if (!before && after) return "entered" as const;
  if (before && !after) return "left" as const;
  if (before && after && row.before?.digest !== row.after?.digest) return "amended" as const;
  return undefined;
}

/** Reads at once for one answer: enough to overlap, few enough not to flood the table. */
const READS_AT_ONCE = 16;

/** Maps in order, at most `READS_AT_ONCE` calls in flight. */
async function inParallel<T, R>(items: readonly T[], map: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await map(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, items.length) }, worker));
  return out;
}

/** A corrections position: the sort key of the row to resume at, and the items of it already given. */
function positionOf(text: string): { sk: string; skip: number } {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (
      Array.isArray(parsed) &&
      typeof parsed[0] === "string" &&
      Number.isSafeInteger(parsed[1]) &&
      (parsed[1] as number) >= 0
    ) {
      return { sk: parsed[0], skip: parsed[1] as number };
    }
  } catch {
    // not a position of ours
  }
  throw new InvalidToken();
}

function stringOf(position: string | number): string {
  if (typeof position !== "string") throw new InvalidToken();
  return position;
}
