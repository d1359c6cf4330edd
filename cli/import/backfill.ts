import type { IsoDate, Source } from "../../functions/domain/events.js";
import { canonicalJson } from "../../functions/domain/hash.js";
import type { EntityState, SanctionRecord } from "../../functions/domain/state.js";
import { entityDetails } from "../../functions/domain/state.js";
import type { HeldEntity, ImportPlan, PlannedEntry, PlannedEvent } from "./diff.js";
import {
  amendmentOf,
  importEventId,
  imposition,
  keyOf,
  lifting,
  registration,
  sanctionIdOf,
} from "./diff.js";
import type { ListName, Publication, PublishedEntry, PublishedSanction } from "./model.js";

/**
 * A backfill: a publication dated on or before the latest one the ledger recorded for its
 * list. The list's history is rebuilt in publication-date order over every publication
 * recorded and this one, and the difference with what the ledger holds is planned as
 * corrections (retractions and the corrected events), recorded now: `knownAt` before the
 * import answers as before.
 *
 * For each entity and program of the list, the publications that hold it form runs of
 * consecutive publications; each run is one sanction:
 *
 * - in force from the run's first publication (undetermined since the publication before
 *   it, or on every earlier day for the list's first), unless the list states its dates;
 * - lifted on the date of the first publication after the run that does not hold it;
 * - named `<list>-<key>` for the first run, `<list>-<key>:<first day>` for a re-listing.
 *
 * So an entry in two publications is in force from the older date, one only in the older is
 * lifted on the newer one's date, and one that first appears in the newer is undetermined
 * between the two: the same history whatever order the publications are imported in.
 */

/** What the ledger holds of one entity: its fold, and the list whose import registered it. */
export interface EntityHistory {
  state: EntityState;
  owner?: ListName;
}

/** The day a re-listed sanction's id names (`…:2020-01-01`), if it names one. */
function relistedOn(sanctionId: string): IsoDate | undefined {
  const day = sanctionId.split(":")[1];
  return day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined;
}

/** The end of a sanction as the importer writes it: its lifting (it sets no other end). */
const endOf = (s: SanctionRecord): IsoDate | null => s.lifting?.effectiveFrom ?? null;

/**
 * Whether a publication of `day` held the sanction: from the day it was listed (announced,
 * or re-listed) until it was lifted.
 */
function heldOn(s: SanctionRecord, day: IsoDate): boolean {
  const relisted = relistedOn(s.sanctionId);
  const from = relisted && relisted > s.announcedOn ? relisted : s.announcedOn;
  const end = endOf(s);
  return from <= day && (end === null || day < end);
}

/** A recorded sanction as a publication would state it: dates only where they were stated. */
function asPublished(key: string, s: SanctionRecord): PublishedSanction {
  return {
    key,
    authority: s.authority as PublishedSanction["authority"],
    program: s.program ?? "",
    measures: [...s.measures],
    ...(s.scope ? { scope: s.scope } : {}),
    ...(s.legalBasis ? { legalBasis: s.legalBasis } : {}),
    ...(s.undetermined ? {} : { announcedOn: s.announcedOn, effectiveFrom: s.effectiveFrom }),
  };
}

/** The imposition data a recorded sanction holds, as the importer would have sent it. */
function recordedData(s: SanctionRecord): Record<string, unknown> {
  return {
    sanctionId: s.sanctionId,
    authority: s.authority,
    ...(s.program !== undefined ? { program: s.program } : {}),
    measures: s.measures,
    ...(s.scope ? { scope: s.scope } : {}),
    announcedOn: s.announcedOn,
    effectiveFrom: s.effectiveFrom,
    ...(s.effectiveUntil !== undefined ? { effectiveUntil: s.effectiveUntil } : {}),
    ...(s.legalBasis ? { legalBasis: s.legalBasis } : {}),
    ...(s.undetermined ? { undetermined: s.undetermined } : {}),
  };
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** One sanction of the rebuilt history: its imposition and, if it ends, the lifting's date. */
interface Target {
  data: Record<string, unknown>;
  lift: IsoDate | null;
}

/**
 * Plans a backfill of `publication`, dated `published`, given the dates of the publications
 * of its list the ledger recorded (`recorded`) and what it holds of every entity of the
 * publication or with a sanction of the list (`histories`; undefined: unknown entity). Pure.
 */
export function planBackfill(
  publication: Publication,
  published: IsoDate,
  recorded: readonly IsoDate[],
  histories: ReadonlyMap<string, EntityHistory | undefined>,
): ImportPlan {
  const { list, title } = publication;
  const dates = [...new Set([...recorded, published])].sort();
  const source: Source = { title, publishedOn: published };
  const byId = new Map(publication.entries.map((e) => [e.entityId, e]));
  const ids = [...new Set([...byId.keys(), ...histories.keys()])].sort();
  const entries: PlannedEntry[] = [];
  let unchanged = 0;
  for (const entityId of ids) {
    const entry = byId.get(entityId);
    const history = histories.get(entityId);
    const ref = entry?.ref ?? entityId.replace(/^[a-z]+-/, "");
    const events = planEntity(list, title, published, dates, entry, history, ref, source);
    if (events.length > 0) entries.push({ entityId, ref, events });
    else if (entry) unchanged++;
  }
  return { list, published, entries, unchanged, coverage: [...recorded], backfill: true };
}

function planEntity(
  list: ListName,
  title: string,
  published: IsoDate,
  dates: readonly IsoDate[],
  entry: PublishedEntry | undefined,
  history: EntityHistory | undefined,
  ref: string,
  source: Source,
): PlannedEvent[] {
  const state = history?.state;
  const details = state && entityDetails(state);
  if (!details && !entry) return [];
  const entityId = (entry?.entityId ?? state?.entityId) as string;
  // Ids name the version the plan was made against: a later backfill never reuses one.
  const at = state?.version ?? 0;
  const id = (change: string) => importEventId(list, published, ref, change);
  const event = (type: PlannedEvent["type"], change: string, data: Record<string, unknown>) => ({
    entityId,
    type,
    eventId: id(change),
    data,
    source,
  });
  const head: PlannedEvent[] = [];
  const retractions: PlannedEvent[] = [];
  const impositions: PlannedEvent[] = [];
  const liftings: PlannedEvent[] = [];

  const ofList = (state?.sanctions ?? []).filter((s) => keyOf(list, s.sanctionId) !== undefined);
  if (!details && entry) {
    head.push(event("EntityRegistered", "register", registration(entry)));
  } else if (details && entry) {
    // The details are those of the latest publication that holds the entity.
    const latestHeld = dates
      .filter((d) => d !== published && ofList.some((s) => heldOn(s, d)))
      .reduce<IsoDate | undefined>((a, d) => (a === undefined || d > a ? d : a), undefined);
    const owns = history?.owner === list;
    if (!owns || latestHeld === undefined || published > latestHeld) {
      const held: HeldEntity = { ...details, open: [], all: [] };
      const amendment = amendmentOf(entry, held, owns);
      if (amendment) head.push(event("EntityAmended", `amend.v${at}`, amendment));
    }
  }

  const keys = new Set<string>();
  for (const s of ofList) keys.add(keyOf(list, s.sanctionId) as string);
  for (const s of entry?.sanctions ?? []) keys.add(s.key);
  for (const key of [...keys].sort()) {
    const current = ofList.filter((s) => keyOf(list, s.sanctionId) === key);
    const inPublication = entry?.sanctions.find((s) => s.key === key);
    const held = dates.map((d) =>
      d === published ? inPublication !== undefined : current.some((s) => heldOn(s, d)),
    );
    const targets: Target[] = [];
    for (let i = 0; i < dates.length; i++) {
      if (!held[i] || (i > 0 && held[i - 1])) continue;
      let j = i;
      while (j + 1 < dates.length && held[j + 1]) j++;
      const run = dates.slice(i, j + 1);
      const first = run[0] as IsoDate;
      const stated = run.includes(published)
        ? inPublication
        : (() => {
            const s = current.find((c) => run.some((d) => heldOn(c, d)));
            return s && asPublished(key, s);
          })();
      if (!stated) continue;
      const base = sanctionIdOf(list, key);
      const sanctionId = targets.length === 0 ? base : `${base}:${first}`;
      targets.push({
        data: imposition(sanctionId, stated, first, title, dates[i - 1]),
        lift: dates[j + 1] ?? null,
      });
    }
    const kept = new Set<SanctionRecord>();
    for (const target of targets) {
      const match = current.find((s) => same(recordedData(s), target.data));
      const sanctionId = target.data.sanctionId as string;
      if (match) {
        kept.add(match);
        if (endOf(match) === target.lift) continue;
        if (match.lifting) {
          retractions.push(retraction(match.lifting.version, "lifting", event));
        }
      } else {
        impositions.push(event("SanctionImposed", `fix.v${at}.impose.${sanctionId}`, target.data));
      }
      if (target.lift !== null) {
        liftings.push(
          event(
            "SanctionLifted",
            `fix.v${at}.lift.${sanctionId}`,
            lifting(sanctionId, target.lift, title),
          ),
        );
      }
    }
    for (const s of current) {
      if (kept.has(s)) continue;
      // An amendment recorded by hand is not the importer's to retract: the ledger then
      // refuses the imposition's retraction, and the summary reports it.
      if (s.lifting) retractions.push(retraction(s.lifting.version, "lifting", event));
      retractions.push(retraction(s.version, "imposition", event));
    }
  }
  return [...head, ...retractions, ...impositions, ...liftings];
}

function retraction(
  version: number,
  what: string,
  event: (
    type: PlannedEvent["type"],
    change: string,
    data: Record<string, unknown>,
  ) => PlannedEvent,
): PlannedEvent {
  return event("EventRetracted", `fix.retract.v${version}`, {
    version,
    reason: `Corrected: the ${what} no longer agrees with the list's publications in date order`,
  });
}
