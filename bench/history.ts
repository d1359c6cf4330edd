/**
 * Deterministic, realistic event histories for the benchmarks: what a compliance team
 * records over years about one entity (impositions by several authorities, amendments of
 * their terms, liftings, re-impositions, changes of names and aliases), and a population
 * of many entities for the cross-entity queries.
 */
import type { AppendRequest } from "../functions/app/ledger.js";
import { addDays } from "../functions/domain/dates.js";
import type { IsoDate, Measure } from "../functions/domain/events.js";

/** A small, fast, seeded PRNG (mulberry32), so that every run writes the same histories. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const AUTHORITIES = ["US-OFAC", "EU", "UK", "JP"] as const;

const MEASURE_SETS: Measure[][] = [
  ["asset-freeze"],
  ["asset-freeze", "travel-ban"],
  ["export-ban"],
  ["export-ban", "import-ban"],
  ["investment-ban"],
  ["financial-messaging-ban"],
  ["transaction-licence-required"],
  ["trade-status-revoked"],
  ["arms-embargo", "export-ban"],
];

const GOODS = ["luxury goods", "semiconductors", "aircraft parts", "crude oil", "steel", "timber"];
const PROGRAMS: Record<string, string[]> = {
  "US-OFAC": ["RUSSIA-EO14024", "UKRAINE-EO13662", "CYBER2", "SDGT"],
  EU: ["EU-RUS-833", "EU-RUS-269"],
  UK: ["UK-RUSSIA"],
  JP: ["JP-FEFTA"],
};

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function otherMeasures(random: () => number, current: readonly Measure[]): Measure[] {
  for (;;) {
    const next = pick(random, MEASURE_SETS);
    if (next.join() !== current.join()) return next;
  }
}

interface LiveSanction {
  sanctionId: string;
  announcedOn: IsoDate;
  effectiveFrom: IsoDate;
  measures: Measure[];
}

/**
 * The first `length` events of one entity's history (version 1 is the registration):
 * about 35 % sanction amendments, 25 % impositions, 25 % liftings and 15 % entity
 * amendments, with between 3 and 15 sanctions in force at any time and one day of valid
 * time passing per event. Valid for `decide`: amendments fall within their sanction's
 * `[effectiveFrom, end)`, liftings after the announcement, alias removals name aliases held.
 */
export function entityHistory(
  entityId: string,
  length: number,
  seed = 1,
  start: IsoDate = "1998-01-05",
): { events: AppendRequest[]; lastDay: IsoDate } {
  const random = prng(seed);
  const events: AppendRequest[] = [
    {
      type: "EntityRegistered",
      data: {
        name: `Federation ${entityId.toUpperCase()}`,
        kind: "country",
        aliases: ["THE FEDERATION"],
        country: "RU",
      },
    },
  ];
  const live: LiveSanction[] = [];
  const aliases = ["THE FEDERATION"];
  let day = start;
  let imposed = 0;
  let renamed = 0;
  while (events.length < length) {
    day = addDays(day, 1);
    const roll = random();
    if (live.length < 3 || (roll < 0.25 && live.length < 15)) {
      const authority = pick(random, AUTHORITIES);
      const measures = pick(random, MEASURE_SETS);
      const effectiveFrom = addDays(day, Math.floor(random() * 30));
      const sanctionId = `${authority.toLowerCase()}-${++imposed}`;
      events.push({
        type: "SanctionImposed",
        data: {
          sanctionId,
          authority,
          program: pick(random, PROGRAMS[authority] ?? ["OTHER"]),
          measures,
          ...(measures.includes("export-ban") ? { scope: { goods: [pick(random, GOODS)] } } : {}),
          announcedOn: day,
          effectiveFrom,
          legalBasis: `Decision ${imposed}/${day.slice(0, 4)}`,
        },
        source: { title: `${authority} press release`, publishedOn: day },
      });
      live.push({ sanctionId, announcedOn: day, effectiveFrom, measures });
    } else if (roll < 0.25) {
      // Too many in force to impose another: lift one instead.
      const index = Math.floor(random() * live.length);
      const lifted = live.splice(index, 1)[0] as LiveSanction;
      events.push({
        type: "SanctionLifted",
        data: { sanctionId: lifted.sanctionId, effectiveFrom: day, reason: "delisted" },
      });
    } else if (roll < 0.6) {
      const target = pick(random, live);
      // The later of the two days (ISO dates sort as strings).
      const effectiveFrom = [target.effectiveFrom, day].sort()[1] as IsoDate;
      target.measures = otherMeasures(random, target.measures);
      events.push({
        type: "SanctionAmended",
        data: {
          sanctionId: target.sanctionId,
          effectiveFrom,
          measures: target.measures,
          ...(random() < 0.3 ? { scope: { note: `amended on ${day}` } } : {}),
        },
      });
    } else if (roll < 0.85) {
      const index = Math.floor(random() * live.length);
      const lifted = live.splice(index, 1)[0] as LiveSanction;
      events.push({
        type: "SanctionLifted",
        data: { sanctionId: lifted.sanctionId, effectiveFrom: day, reason: "delisted" },
      });
    } else {
      const alias = `FEDERATION ALIAS ${events.length}`;
      const remove = aliases.length >= 8 ? aliases.splice(0, 1) : [];
      aliases.push(alias);
      events.push({
        type: "EntityAmended",
        data: {
          aliases: { add: [alias], ...(remove.length > 0 ? { remove } : {}) },
          // Aliases come and go; the name itself changes rarely.
          ...(random() < 0.05 ? { name: `Federation ${entityId.toUpperCase()} ${++renamed}` } : {}),
        },
      });
    }
  }
  return { events, lastDay: day };
}

const SYLLABLES = ["ka", "mo", "ri", "ten", "vol", "gra", "bel", "nor", "ost", "zan", "lu", "pe"];
const SUFFIXES = ["BANK", "TRADING LLC", "SHIPPING", "HOLDINGS", "INDUSTRIES", "GROUP"];

function companyName(random: () => number): string {
  const word = () =>
    Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(random, SYLLABLES)).join("");
  return `${word().toUpperCase()} ${word().toUpperCase()} ${pick(random, SUFFIXES)}`;
}

/** One item of `POST /batches`. */
export type BatchItem = { entityId: string } & AppendRequest;

/**
 * The events of the entities numbered `[from, to)` of a population: each is registered
 * (three in ten with an alias) and sanctioned by one of the authorities, one in five by
 * two (dates spread over 2014–2024); a tenth of the sanctions are amended and a tenth
 * lifted. About 2.4 events per entity, each with its client eventId, so a retried batch
 * writes nothing twice.
 */
export function population(from: number, to: number, seed = 7): BatchItem[][] {
  const entities: BatchItem[][] = [];
  for (let n = from; n < to; n++) {
    const random = prng(seed * 1_000_003 + n);
    const entityId = `x-${String(n).padStart(6, "0")}`;
    const items: BatchItem[] = [
      {
        entityId,
        eventId: `${entityId}.1`,
        type: "EntityRegistered",
        data: {
          name: companyName(random),
          kind: random() < 0.3 ? "person" : "organization",
          ...(random() < 0.3 ? { aliases: [companyName(random)] } : {}),
        },
      },
    ];
    const authorities = [...AUTHORITIES]
      .sort(() => random() - 0.5)
      .slice(0, random() < 0.2 ? 2 : 1);
    for (const authority of authorities) {
      const announcedOn = addDays("2014-01-01", Math.floor(random() * 3650));
      const effectiveFrom = addDays(announcedOn, Math.floor(random() * 20));
      const measures = pick(random, MEASURE_SETS);
      const sanctionId = `${authority.toLowerCase()}-1`;
      items.push({
        entityId,
        eventId: `${entityId}.${items.length + 1}`,
        type: "SanctionImposed",
        data: {
          sanctionId,
          authority,
          program: pick(random, PROGRAMS[authority] ?? ["OTHER"]),
          measures,
          announcedOn,
          effectiveFrom,
        },
      });
      const roll = random();
      if (roll < 0.1) {
        items.push({
          entityId,
          eventId: `${entityId}.${items.length + 1}`,
          type: "SanctionAmended",
          data: {
            sanctionId,
            effectiveFrom: addDays(effectiveFrom, 30 + Math.floor(random() * 300)),
            measures: otherMeasures(random, measures),
          },
        });
      } else if (roll < 0.2) {
        items.push({
          entityId,
          eventId: `${entityId}.${items.length + 1}`,
          type: "SanctionLifted",
          data: {
            sanctionId,
            effectiveFrom: addDays(effectiveFrom, 60 + Math.floor(random() * 900)),
          },
        });
      }
    }
    entities.push(items);
  }
  return entities;
}

/** Groups entities' events into batches of at most `size`, never splitting an entity. */
export function batches(entities: readonly BatchItem[][], size = 100): BatchItem[][] {
  const out: BatchItem[][] = [];
  let current: BatchItem[] = [];
  for (const items of entities) {
    if (current.length + items.length > size) {
      out.push(current);
      current = [];
    }
    current.push(...items);
  }
  if (current.length > 0) out.push(current);
  return out;
}
