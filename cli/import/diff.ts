import { createHash } from "node:crypto";
import { minEnd } from "../../functions/domain/dates.js";
import type { IsoDate, Source } from "../../functions/domain/events.js";
import type { ListName, Publication, PublishedEntry, PublishedSanction } from "./model.js";

/** What the ledger holds of an entity, as the importer reads it. */
export interface HeldEntity {
  name: string;
  kind: string;
  aliases: string[];
  country: string | null;
  /** The entity's open-ended sanctions (not lifted, no end): id and program. */
  open: { sanctionId: string; program: string | null }[];
  /** Ids of every live sanction, lifted or not: an imposition may not reuse one. */
  all: string[];
  /** The list whose import registered the entity, when one did. */
  owner?: ListName;
}

/** One append of the plan: an item of `POST /batches`. */
export interface PlannedEvent {
  entityId: string;
  type:
    | "EntityRegistered"
    | "EntityAmended"
    | "SanctionImposed"
    | "SanctionLifted"
    | "EventRetracted"
    | "PublicationImported";
  eventId: string;
  data: Record<string, unknown>;
  source: Source;
}

/** The changes that bring one entity to what the publication says. */
export interface PlannedEntry {
  entityId: string;
  ref: string;
  events: PlannedEvent[];
}

/** The difference between a publication and what the ledger holds for its list. */
export interface ImportPlan {
  list: ListName;
  published: IsoDate;
  entries: PlannedEntry[];
  /** Published entries that need no change. */
  unchanged: number;
  /**
   * The publications of the list the ledger recorded before this import, oldest first.
   * When `published` is not after the latest, the import is a backfill: the list's history
   * is rebuilt in publication-date order and what changes is recorded as corrections.
   */
  coverage?: IsoDate[];
  backfill?: boolean;
  /** The list stream's events: its registration (first import) and this publication's record. */
  record?: PlannedEntry;
}

/** The id of a list's own stream, which records the publications imported. */
export const listStreamOf = (list: ListName) => `list-${list}`;

/**
 * Why a sanction whose start the publication does not state is undetermined before it: the
 * same words whatever order the publications are imported in.
 */
export function undeterminedReason(title: string, published: IsoDate): string {
  return `Listed on or before ${published}: the ${title} published that day states no listing date`;
}

/** The sanction id a list gives a published sanction; `:<date>` marks a re-listing. */
export function sanctionIdOf(list: ListName, key: string): string {
  return `${list}-${key}`;
}

/** The key of a sanction id of the list, whatever re-listing suffix it has. */
export function keyOf(list: ListName, sanctionId: string): string | undefined {
  if (!sanctionId.startsWith(`${list}-`)) return undefined;
  return sanctionId.slice(list.length + 1).split(":")[0];
}

/** The list whose import wrote an event, read from the event's id (`imp.<list>.…`). */
export function importOwner(eventId: string | undefined): ListName | undefined {
  const owner = /^imp\.([a-z-]+)\./.exec(eventId ?? "")?.[1];
  return owner === "ofac-sdn" || owner === "ofac-cons" || owner === "un" ? owner : undefined;
}

/**
 * A deterministic event id for (list, publication, entry, change): importing the same
 * publication again, or completing an interrupted import, sends the same ids.
 */
export function importEventId(
  list: ListName,
  published: IsoDate,
  ref: string,
  change: string,
): string {
  const id = `imp.${list}.${published}.${ref}.${change}`.replace(/[^A-Za-z0-9._:@/+-]/g, "_");
  if (id.length <= 128) return id;
  const digest = createHash("sha256").update(id).digest("hex").slice(0, 32);
  return `${id.slice(0, 95)}.${digest}`;
}

/**
 * Plans an import: registers new entries, imposes new programs, amends changed names,
 * aliases, kinds and countries, and lifts (from `published`) the sanctions of this list
 * on entries or programs that the publication no longer holds. Pure: `held` is what the
 * ledger holds of every published entry (undefined when unknown) and of every other
 * entity with an open sanction of this list.
 */
export function planImport(
  publication: Publication,
  published: IsoDate,
  held: ReadonlyMap<string, HeldEntity | undefined>,
  /** The latest publication of the list recorded before this one, if any. */
  previous?: IsoDate,
): ImportPlan {
  const { list } = publication;
  const source: Source = { title: publication.title, publishedOn: published };
  const entries: PlannedEntry[] = [];
  let unchanged = 0;
  const publishedIds = new Set<string>();

  for (const entry of publication.entries) {
    publishedIds.add(entry.entityId);
    const current = held.get(entry.entityId);
    const id = (change: string) => importEventId(list, published, entry.ref, change);
    const events: PlannedEvent[] = [];
    const event = (type: PlannedEvent["type"], change: string, data: Record<string, unknown>) =>
      events.push({ entityId: entry.entityId, type, eventId: id(change), data, source });

    if (!current) {
      event("EntityRegistered", "register", registration(entry));
    } else {
      const amendment = amendmentOf(entry, current, current.owner === list);
      if (amendment) event("EntityAmended", "amend", amendment);
    }
    const openKeys = new Map<string, string>();
    for (const s of current?.open ?? []) {
      const key = keyOf(list, s.sanctionId);
      if (key !== undefined) openKeys.set(key, s.sanctionId);
    }
    const publishedKeys = new Set(entry.sanctions.map((s) => s.key));
    for (const sanction of entry.sanctions) {
      if (openKeys.has(sanction.key)) continue;
      const taken = new Set(current?.all ?? []);
      let sanctionId = sanctionIdOf(list, sanction.key);
      if (taken.has(sanctionId)) sanctionId = `${sanctionId}:${published}`;
      event(
        "SanctionImposed",
        `impose.${sanction.key}`,
        imposition(sanctionId, sanction, published, publication.title, previous),
      );
    }
    for (const [key, sanctionId] of openKeys) {
      if (publishedKeys.has(key)) continue;
      event("SanctionLifted", `lift.${key}`, lifting(sanctionId, published, publication.title));
    }
    if (events.length === 0) unchanged++;
    else entries.push({ entityId: entry.entityId, ref: entry.ref, events });
  }

  for (const [entityId, current] of held) {
    if (publishedIds.has(entityId) || !current) continue;
    const ref = entityId.replace(/^[a-z]+-/, "");
    const events: PlannedEvent[] = [];
    for (const s of current.open) {
      const key = keyOf(list, s.sanctionId);
      if (key === undefined) continue;
      events.push({
        entityId,
        type: "SanctionLifted",
        eventId: importEventId(list, published, ref, `lift.${key}`),
        data: lifting(s.sanctionId, published, publication.title),
        source,
      });
    }
    if (events.length > 0) entries.push({ entityId, ref, events });
  }
  return { list, published, entries, unchanged };
}

export function registration(entry: PublishedEntry): Record<string, unknown> {
  return {
    name: entry.name,
    kind: entry.kind,
    ...(entry.aliases.length > 0 ? { aliases: entry.aliases } : {}),
    ...(entry.country ? { country: entry.country } : {}),
    ...(entry.identifiers.length > 0 ? { identifiers: entry.identifiers } : {}),
  };
}

/**
 * What to amend so the entity reads as the entry. An entity on several lists (the SDN and
 * the consolidated list share entry numbers) is described by the list that registered it:
 * another list only adds the aliases it knows, so two lists never amend it back and forth.
 */
export function amendmentOf(
  entry: PublishedEntry,
  current: HeldEntity,
  owns: boolean,
): Record<string, unknown> | undefined {
  if (!owns) {
    const had = new Set([current.name, ...current.aliases]);
    const add = [entry.name, ...entry.aliases].filter(
      (a, i, all) => !had.has(a) && all.indexOf(a) === i,
    );
    return add.length > 0 ? { aliases: { add } } : undefined;
  }
  const data: Record<string, unknown> = {};
  if (entry.name !== current.name) data.name = entry.name;
  if (entry.kind !== current.kind) data.kind = entry.kind;
  if (entry.country !== undefined && entry.country !== current.country)
    data.country = entry.country;
  const had = new Set(current.aliases);
  const has = new Set(entry.aliases);
  const add = entry.aliases.filter((a) => !had.has(a));
  const remove = current.aliases.filter((a) => !has.has(a));
  if (add.length > 0 || remove.length > 0) {
    data.aliases = { ...(add.length > 0 ? { add } : {}), ...(remove.length > 0 ? { remove } : {}) };
  }
  return Object.keys(data).length > 0 ? data : undefined;
}

/**
 * The imposition of a published sanction. Without a stated start it takes effect on the
 * publication's date and is undetermined before it: since the list's previous publication
 * (which did not hold it), or on every earlier day when there is none.
 */
export function imposition(
  sanctionId: string,
  s: PublishedSanction,
  published: IsoDate,
  title: string,
  previous: IsoDate | undefined,
): Record<string, unknown> {
  const effectiveFrom = s.effectiveFrom ?? published;
  const undetermined =
    s.effectiveFrom === undefined
      ? {
          undetermined: {
            ...(previous !== undefined && previous < published ? { since: previous } : {}),
            reason: undeterminedReason(title, published),
          },
        }
      : {};
  // Announced on the stated day, else on publication; never after it takes effect.
  const announcedOn = minEnd(s.announcedOn ?? published, effectiveFrom) ?? effectiveFrom;
  return {
    sanctionId,
    authority: s.authority,
    program: s.program,
    measures: s.measures,
    ...(s.scope ? { scope: s.scope } : {}),
    announcedOn,
    effectiveFrom,
    ...(s.legalBasis ? { legalBasis: s.legalBasis } : {}),
    ...undetermined,
  };
}

export function lifting(
  sanctionId: string,
  published: IsoDate,
  title: string,
): Record<string, unknown> {
  return {
    sanctionId,
    effectiveFrom: published,
    reason: `No longer in the ${title} published on ${published}`,
  };
}
