import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, minEnd, nextDay, previousDay } from "../../functions/domain/dates.js";
import { decide, stamp } from "../../functions/domain/decide.js";
import { DomainError } from "../../functions/domain/errors.js";
import type {
  EventBody,
  IsoDate,
  LedgerEvent,
  Measure,
  Scope,
} from "../../functions/domain/events.js";
import {
  boundaryRows,
  diffRows,
  forceRows,
  indexRows,
  touchedSanctions,
} from "../../functions/domain/rows.js";
import type { EntityState, SanctionRecord } from "../../functions/domain/state.js";
import { evolve, fold, foldKnownAt, initialState } from "../../functions/domain/state.js";
import { sanctionOn, sanctionTimeline } from "../../functions/domain/timeline.js";
import { verifyChain } from "../../functions/domain/verify.js";
import { scaledRuns } from "../support/runs.js";
import { ACTOR, command, ENTITY, registered } from "./given.js";

const NUM_RUNS = scaledRuns(100);
const BASE: IsoDate = "2022-03-01";
const SANCTION_IDS = ["a", "b", "c"] as const;
const day = (offset: number): IsoDate => addDays(BASE, offset);

// ---- random intents, turned into commands against the current state ----------------

type Intent =
  | {
      kind: "impose";
      sid: string;
      announce: number;
      lag: number;
      length: number | null;
      measures: Measure[];
    }
  | {
      kind: "amend";
      /** Picks one of the live sanctions. */
      pick: number;
      /** Days after the live sanction's effectiveFrom (may fall past its end: rejected). */
      from: number;
      measures?: Measure[];
      scope?: Scope | null;
      legalBasis?: string | null;
      /** Days after the amendment's effectiveFrom. */
      until?: number | null;
    }
  | { kind: "lift"; pick: number /** days after announcedOn, from -1 */; from: number }
  | { kind: "retract"; pick: number }
  | { kind: "rename"; name: string };

const sid = fc.constantFrom(...SANCTION_IDS);
const measures = fc.subarray(["asset-freeze", "export-ban", "travel-ban"] as Measure[], {
  minLength: 1,
});
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const impose = fc.record({
  kind: fc.constant("impose" as const),
  sid,
  announce: fc.integer({ min: 0, max: 20 }),
  lag: fc.integer({ min: 0, max: 10 }),
  length: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
  measures,
});
const amend = fc.record(
  {
    kind: fc.constant("amend" as const),
    pick: fc.nat(),
    from: fc.integer({ min: 0, max: 40 }),
    measures: optional(measures),
    scope: optional(
      fc.option(fc.record({ goods: fc.constant<string[]>(["luxury"]) }), { nil: null }),
    ),
    legalBasis: optional(fc.option(fc.constantFrom("A", "B"), { nil: null })),
    until: optional(fc.option(fc.integer({ min: 0, max: 40 }), { nil: null })),
  },
  { requiredKeys: ["kind", "pick", "from"] },
);
const lift = fc.record({
  kind: fc.constant("lift" as const),
  pick: fc.nat(),
  from: fc.integer({ min: -1, max: 50 }),
});
const retract = fc.record({ kind: fc.constant("retract" as const), pick: fc.nat({ max: 50 }) });
const rename = fc.record({
  kind: fc.constant("rename" as const),
  name: fc.constantFrom("VTB", "Bank VTB"),
});

const intent: fc.Arbitrary<Intent> = fc.oneof(
  { arbitrary: impose, weight: 3 },
  { arbitrary: amend, weight: 5 },
  { arbitrary: lift, weight: 2 },
  { arbitrary: retract, weight: 3 },
  { arbitrary: rename, weight: 1 },
);

function bodyOf(i: Intent, state: EntityState): EventBody {
  const live = (pick: number) => state.sanctions[pick % Math.max(1, state.sanctions.length)];
  switch (i.kind) {
    case "impose":
      return {
        type: "SanctionImposed",
        data: {
          sanctionId: i.sid,
          authority: "JP",
          measures: i.measures,
          announcedOn: day(i.announce),
          effectiveFrom: day(i.announce + i.lag),
          ...(i.length === null ? {} : { effectiveUntil: day(i.announce + i.lag + i.length) }),
        },
      };
    case "amend": {
      const target = live(i.pick);
      const from = addDays(target?.effectiveFrom ?? BASE, i.from);
      return {
        type: "SanctionAmended",
        data: {
          sanctionId: target?.sanctionId ?? "a",
          effectiveFrom: from,
          ...(i.measures === undefined ? {} : { measures: i.measures }),
          ...(i.scope === undefined ? {} : { scope: i.scope }),
          ...(i.legalBasis === undefined ? {} : { legalBasis: i.legalBasis }),
          ...(i.until === undefined
            ? {}
            : { effectiveUntil: i.until === null ? null : addDays(from, i.until) }),
        },
      };
    }
    case "lift":
      return {
        type: "SanctionLifted",
        data: {
          sanctionId: live(i.pick)?.sanctionId ?? "a",
          effectiveFrom: addDays(live(i.pick)?.announcedOn ?? BASE, i.from),
        },
      };
    case "retract":
      return {
        type: "EventRetracted",
        data: { version: 1 + (i.pick % (state.version + 1)), reason: "error" },
      };
    case "rename":
      return { type: "EntityAmended", data: { name: i.name } };
  }
}

const step = fc.constantFrom(0, 0, 1, 250, 60_000, -5_000);

interface Run {
  events: LedgerEvent[];
  /** The canonical JSON each event was hashed from (index `v - 1`). */
  canonicals: string[];
  /** The state after each event, evolved one by one (index `v - 1`). */
  states: EntityState[];
  rejected: number;
}

/** Applies the intents that `decide` accepts, on a clock that may stand still or go back. */
function run(intents: { intent: Intent; step: number }[]): Run {
  let now = Date.parse("2022-03-26T09:00:00.000Z");
  let state = initialState(ENTITY);
  const events: LedgerEvent[] = [];
  const states: EntityState[] = [];
  const canonicals: string[] = [];
  let rejected = 0;
  const append = (body: EventBody, eventId: string) => {
    const decided = decide(command(body, { eventId }), state);
    const { event, canonical } = stamp(decided, { entityId: ENTITY, eventId }, state, {
      now: new Date(now),
      actor: ACTOR,
    });
    state = evolve(state, event);
    events.push(event);
    canonicals.push(canonical);
    states.push(state);
  };
  append(registered(), "reg");
  for (const [n, { intent: i, step: ms }] of intents.entries()) {
    now += ms;
    try {
      append(bodyOf(i, state), `e${n}`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      expect(error.status).toBe(422);
      rejected++;
    }
  }
  return { events, canonicals, states, rejected };
}

const scenario = fc
  .array(fc.record({ intent, step }), { minLength: 1, maxLength: 30, size: "medium" })
  .map((intents) => run(intents));

// ---- an independent model of the valid-time rules ------------------------------------

function ordered(s: SanctionRecord) {
  return [...s.amendments].sort((x, y) =>
    x.effectiveFrom === y.effectiveFrom
      ? x.version - y.version
      : x.effectiveFrom < y.effectiveFrom
        ? -1
        : 1,
  );
}

/** The amendments that take effect: each applies to the sanction as it stands. */
function effective(s: SanctionRecord) {
  const lift = s.lifting?.effectiveFrom ?? null;
  let until: IsoDate | null = s.effectiveUntil ?? null;
  const applied = [];
  for (const a of ordered(s)) {
    const end = minEnd(until, lift);
    if (end !== null && a.effectiveFrom >= end) continue;
    applied.push(a);
    if (a.effectiveUntil !== undefined) until = a.effectiveUntil;
  }
  return { applied, end: minEnd(until, lift) };
}

function modelEnd(s: SanctionRecord): IsoDate | null {
  return effective(s).end;
}

function modelTerms(s: SanctionRecord, d: IsoDate) {
  let terms = {
    measures: s.measures,
    scope: s.scope ?? null,
    legalBasis: s.legalBasis ?? null,
  };
  for (const a of effective(s).applied) {
    if (a.effectiveFrom > d) break;
    terms = {
      measures: a.measures ?? terms.measures,
      scope: a.scope !== undefined ? a.scope : terms.scope,
      legalBasis: a.legalBasis !== undefined ? a.legalBasis : terms.legalBasis,
    };
  }
  return terms;
}

function daysOf(s: SanctionRecord): IsoDate[] {
  const dates = [
    s.announcedOn,
    s.effectiveFrom,
    s.effectiveUntil,
    s.lifting?.effectiveFrom,
    ...s.amendments.flatMap((a) => [a.effectiveFrom, a.effectiveUntil ?? undefined]),
  ].filter((d): d is IsoDate => typeof d === "string");
  return [...new Set(dates.flatMap((d) => [previousDay(d), d, nextDay(d)]))].sort();
}

/** The stream without its retractions and the events they retract, renumbered. */
function withoutRetracted(events: LedgerEvent[], state: EntityState): EntityState {
  const kept = events.filter(
    (e) => e.type !== "EventRetracted" && state.versions[e.version - 1]?.retractedBy === undefined,
  );
  let s = initialState(ENTITY);
  for (const [i, e] of kept.entries()) {
    // renumbering keeps the relative order, which is all that (effectiveFrom, version) uses
    s = evolve(s, { ...e, version: i + 1 } as LedgerEvent);
  }
  return s;
}

const withoutVersions = (state: EntityState) =>
  state.sanctions.map((s) => {
    const { endBasis: _, initialTerms, intervals, ...t } = sanctionTimeline(s);
    const { basis: _i, ...initial } = initialTerms;
    return { ...t, initial, intervals: intervals.map(({ basis: _b, ...i }) => i) };
  });

describe("properties over random sequences of valid commands", () => {
  it("the stream is gapless, strictly increasing in recordedAt, and verifies", () => {
    fc.assert(
      fc.property(scenario, ({ events, canonicals }) => {
        expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
        for (let i = 1; i < events.length; i++) {
          expect((events[i]?.recordedAt ?? "") > (events[i - 1]?.recordedAt ?? "")).toBe(true);
        }
        const head = events[events.length - 1];
        const records = events.map((e, i) => ({ ...e, canonical: canonicals[i] ?? "" }));
        expect(verifyChain(ENTITY, records)).toEqual({
          valid: true,
          version: events.length,
          headHash: head?.hash,
        });
        expect(head?.version).toBe(events.length);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("fold over all events equals evolving them one by one", () => {
    fc.assert(
      fc.property(scenario, ({ events, states }) => {
        expect(fold(ENTITY, events)).toEqual(states[states.length - 1]);
        for (let v = 1; v <= events.length; v++) {
          expect(fold(ENTITY, events.slice(0, v))).toEqual(states[v - 1]);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("foldKnownAt(t) equals fold of the prefix recorded at or before t", () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -2_000, max: 2_000_000 }), ({ events }, offset) => {
        const moments = events.flatMap((e) => {
          const ms = Date.parse(e.recordedAt);
          return [ms - 1, ms, ms + 1];
        });
        moments.push(Date.parse("2022-03-26T09:00:00.000Z") + offset);
        for (const ms of moments) {
          const t = new Date(ms).toISOString();
          const prefix = events.filter((e) => e.recordedAt <= t);
          expect(foldKnownAt(ENTITY, events, t)).toEqual(fold(ENTITY, prefix));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("in force, pending and terms on every edge day agree with the contract's definitions", () => {
    fc.assert(
      fc.property(scenario, ({ states }) => {
        const state = states[states.length - 1];
        if (!state) return;
        for (const s of state.sanctions) {
          const t = sanctionTimeline(s);
          const end = modelEnd(s);
          expect(t.end).toBe(end);
          for (const d of daysOf(s)) {
            const inForce = s.effectiveFrom <= d && (end === null || d < end);
            const pendingUntil = minEnd(s.effectiveFrom, end) ?? s.effectiveFrom;
            const pending = s.announcedOn <= d && d < pendingUntil;
            const answer = sanctionOn(t, d);
            expect(answer?.status).toBe(inForce ? "inForce" : pending ? "pending" : undefined);
            if (answer?.status !== "inForce") continue;
            const { measures: m, scope, legalBasis, termsFrom } = answer.sanction;
            expect({ measures: m, scope, legalBasis }).toEqual(modelTerms(s, d));
            // termsFrom is the first day of the stretch of these terms
            expect(termsFrom <= d).toBe(true);
            expect(modelTerms(s, termsFrom)).toEqual(modelTerms(s, d));
            if (termsFrom > s.effectiveFrom) {
              expect(modelTerms(s, previousDay(termsFrom))).not.toEqual(modelTerms(s, d));
            }
            expect(answer.sanction.end).toBe(end);
          }
          // the intervals tile [effectiveFrom, end) without gaps
          const [first] = t.intervals;
          if (first) {
            expect(first.from).toBe(s.effectiveFrom);
            for (let i = 1; i < t.intervals.length; i++) {
              expect(t.intervals[i]?.from).toBe(t.intervals[i - 1]?.until);
            }
            expect(t.intervals[t.intervals.length - 1]?.until).toBe(end);
          } else {
            expect(end !== null && end <= s.effectiveFrom).toBe(true);
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("a retracted event and its retraction count as if they had never been recorded", () => {
    fc.assert(
      fc.property(scenario, ({ events, states }) => {
        const state = states[states.length - 1];
        if (!state) return;
        expect(withoutVersions(withoutRetracted(events, state))).toEqual(withoutVersions(state));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("diffing only the rows an event may touch finds every row it opens or closes", () => {
    fc.assert(
      fc.property(scenario, ({ events, states }) => {
        let before = initialState(ENTITY);
        events.forEach((event, i) => {
          const after = states[i] as EntityState;
          const full = diffRows(indexRows(before), indexRows(after));
          const touched = touchedSanctions(before, event);
          const rowsOf = (state: EntityState) => [
            ...forceRows(state, touched),
            ...boundaryRows(state, touched),
          ];
          const part = diffRows(rowsOf(before), rowsOf(after));
          expect([...part.opened.keys()].sort()).toEqual([...full.opened.keys()].sort());
          expect([...part.closed.keys()].sort()).toEqual([...full.closed.keys()].sort());
          before = after;
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("generates a useful mix: most runs append more than the registration", () => {
    let appended = 0;
    fc.assert(
      fc.property(scenario, ({ events }) => {
        if (events.length > 3) appended++;
      }),
      { numRuns: NUM_RUNS },
    );
    expect(appended).toBeGreaterThan(NUM_RUNS / 4);
  });
});
