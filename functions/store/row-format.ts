import type { Measure, Scope } from "../domain/events.js";
import type { Notice } from "../domain/notices.js";
import type { RecordedRow } from "../domain/projections/notices.js";
import type { BoundaryRow, BoundaryTerms, ForceRow, NameRow } from "../domain/rows.js";
import { sortKeyParts } from "../domain/rows.js";
import type { StoredRow } from "./ports.js";

/**
 * How a row's content is kept in its item. Every item of the views table is internal: it
 * holds only what its key does not, under one-letter names, and leaves out what is null
 * or equal to what it defaults to. What the key holds is read back from it (the sort keys
 * of `functions/domain/rows.ts`, whose fields never hold `#`).
 *
 * - force row (`f`): `a` authority, `p` program, `u` until, `m` measures; a row of days in
 *   force adds `e` effectiveFrom (default: the row's `from`), `n` announcedOn (default:
 *   effectiveFrom), `x` end, `s` scope, `l` legal basis; a row of undetermined days adds `r`
 *   its reason and `w` since (default: null). Entity, sanction and `from` are in the key.
 * - boundary row (`b`): `a`, `p`, `b` the terms before and `t` after (`{m, d}`: measures and
 *   digest), `c` the change of knowledge and `cm` its measures (default: those after).
 *   Day, entity and sanction are in the key.
 * - search row (`n`): the name as the entity holds it; the entity is in the key.
 * - record-time index entry (`r`): nothing; recordedAt, entity and version are the key.
 * - notice (`e`): the notice but its time and id, which are its key, each field under the
 *   name {@link NOTICE_FIELDS} gives it.
 */
export type RowKind = StoredRow["kind"];

/** The one-letter code of each kind of row, the `k` attribute of its item. */
export const ROW_CODES = {
  force: "f",
  boundary: "b",
  name: "n",
  recorded: "r",
  notice: "e",
} as const satisfies Record<RowKind, string>;

const KINDS = new Map<string, RowKind>(
  Object.entries(ROW_CODES).map(([kind, code]) => [code, kind as RowKind]),
);

/** The kind of row an item's `k` names, or undefined for an item that is no row. */
export const rowKindOf = (code: unknown): RowKind | undefined =>
  typeof code === "string" ? KINDS.get(code) : undefined;

type Packed = Record<string, unknown>;

const sameMeasures = (a: readonly Measure[], b: readonly Measure[] | undefined) =>
  b !== undefined && a.length === b.length && a.every((m, i) => m === b[i]);

function packForce(row: ForceRow): Packed {
  const p: Packed = { a: row.authority };
  if (row.program !== null) p.p = row.program;
  if (row.until !== null) p.u = row.until;
  p.m = row.measures;
  if (row.undetermined) {
    p.r = row.undetermined.reason;
    if (row.undetermined.since !== null) p.w = row.undetermined.since;
    return p;
  }
  if (row.effectiveFrom !== row.from) p.e = row.effectiveFrom;
  if (row.announcedOn !== row.effectiveFrom) p.n = row.announcedOn;
  if (row.end !== null) p.x = row.end;
  if (row.scope !== null) p.s = row.scope;
  if (row.legalBasis !== null) p.l = row.legalBasis;
  return p;
}

function unpackForce(sk: string, p: Packed): ForceRow {
  const [entityId, sanctionId, from] = sortKeyParts(sk) as [string, string, string];
  const base = {
    entityId,
    sanctionId,
    authority: p.a as string,
    program: (p.p as string | undefined) ?? null,
    from,
    until: (p.u as string | undefined) ?? null,
    measures: p.m as Measure[],
  };
  if (typeof p.r === "string") {
    return { ...base, undetermined: { reason: p.r, since: (p.w as string | undefined) ?? null } };
  }
  const effectiveFrom = (p.e as string | undefined) ?? from;
  return {
    ...base,
    announcedOn: (p.n as string | undefined) ?? effectiveFrom,
    effectiveFrom,
    end: (p.x as string | undefined) ?? null,
    scope: (p.s as Scope | undefined) ?? null,
    legalBasis: (p.l as string | undefined) ?? null,
  };
}

const packTerms = (t: BoundaryTerms) => ({ m: t.measures, d: t.digest });
const unpackTerms = (t: unknown): BoundaryTerms | null => {
  if (!t) return null;
  const { m, d } = t as { m: Measure[]; d: string };
  return { measures: m, digest: d };
};

function packBoundary(row: BoundaryRow): Packed {
  const p: Packed = { a: row.authority };
  if (row.program !== null) p.p = row.program;
  if (row.before) p.b = packTerms(row.before);
  if (row.after) p.t = packTerms(row.after);
  if (row.undetermined) {
    p.c = row.undetermined.change;
    if (!sameMeasures(row.undetermined.measures, row.after?.measures)) {
      p.cm = row.undetermined.measures;
    }
  }
  return p;
}

function unpackBoundary(sk: string, p: Packed): BoundaryRow {
  const [day, entityId, sanctionId] = sortKeyParts(sk) as [string, string, string];
  const before = unpackTerms(p.b);
  const after = unpackTerms(p.t);
  return {
    entityId,
    sanctionId,
    authority: p.a as string,
    program: (p.p as string | undefined) ?? null,
    day,
    before,
    after,
    ...(typeof p.c === "string"
      ? {
          undetermined: {
            change: p.c as "undetermined" | "determined",
            measures: (p.cm as Measure[] | undefined) ?? after?.measures ?? [],
          },
        }
      : {}),
  };
}

/** The names a notice's fields are kept under, in the notice's order. */
const NOTICE_FIELDS: Record<string, string> = {
  kind: "k",
  entityId: "e",
  sanctionId: "s",
  authority: "a",
  on: "o",
  days: "d",
  before: "b",
  after: "n",
  versions: "v",
};
const NOTICE_NAMES = new Map(Object.entries(NOTICE_FIELDS).map(([name, short]) => [short, name]));

const renamed = (fields: object, names: (name: string) => string | undefined) =>
  Object.fromEntries(Object.entries(fields).map(([name, value]) => [names(name) ?? name, value]));

/** A row's content as its item keeps it (`d`), or undefined when its key says it all. */
export function packRow(kind: RowKind, data: unknown): string | undefined {
  switch (kind) {
    case "force":
      return JSON.stringify(packForce(data as ForceRow));
    case "boundary":
      return JSON.stringify(packBoundary(data as BoundaryRow));
    case "name":
      return (data as NameRow).matched;
    case "recorded":
      return undefined;
    case "notice": {
      const { id: _, time: __, ...rest } = data as Notice;
      return JSON.stringify(renamed(rest, (name) => NOTICE_FIELDS[name]));
    }
  }
}

/** A row's content from its item's sort key and `d`: what {@link packRow} was given. */
export function unpackRow(kind: RowKind, sk: string, packed: unknown): unknown {
  switch (kind) {
    case "force":
      return unpackForce(sk, JSON.parse(String(packed)) as Packed);
    case "boundary":
      return unpackBoundary(sk, JSON.parse(String(packed)) as Packed);
    case "name": {
      const parts = sortKeyParts(sk);
      const row: NameRow = { entityId: parts[parts.length - 2] as string, matched: String(packed) };
      return row;
    }
    case "recorded": {
      const [recordedAt, entityId, version] = sortKeyParts(sk) as [string, string, string];
      const row: RecordedRow = { entityId, version: Number(version), recordedAt };
      return row;
    }
    case "notice": {
      const [time, id] = sortKeyParts(sk) as [string, string];
      const fields = renamed(JSON.parse(String(packed)) as object, (n) => NOTICE_NAMES.get(n));
      const { kind, ...rest } = fields as Omit<Notice, "id" | "time">;
      return { id, kind, time, ...rest };
    }
  }
}
