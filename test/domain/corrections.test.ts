import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { correctionsBetween, statusRanges } from "../../functions/domain/corrections.js";
import { addDays } from "../../functions/domain/dates.js";
import { decide, stamp } from "../../functions/domain/decide.js";
import { DomainError } from "../../functions/domain/errors.js";
import type { EventBody, IsoDate, LedgerEvent } from "../../functions/domain/events.js";
import { correctionNotices } from "../../functions/domain/notices.js";
import type { EntityState } from "../../functions/domain/state.js";
import { evolve, foldKnownAt, initialState } from "../../functions/domain/state.js";
import { sanctionOn, timelines } from "../../functions/domain/timeline.js";
import { scaledRuns } from "../support/runs.js";
import { ACTOR, command, ENTITY, registered } from "./given.js";

const NUM_RUNS = scaledRuns(200);
const BASE: IsoDate = "2022-03-01";
const SANCTION_IDS = ["a", "b", "c"];
const day = (offset: number): IsoDate => addDays(BASE, offset);
/** Every day the generated dates can reach, and a margin on both sides. */
const DAYS = Array.from({ length: 260 }, (_, i) => day(i - 30));
const FAR = day(400);

type Intent =
  | { kind: "impose"; sid: string; announce: number; lag: number; length: number | null }
  | { kind: "amend"; pick: number; from: number; until: number | null }
  | { kind: "lift"; pick: number; from: number }
  | { kind: "retract"; pick: number };

const intent: fc.Arbitrary<Intent> = fc.oneof(
  fc.record({
    kind: fc.constant("impose" as const),
    sid: fc.constantFrom(...SANCTION_IDS),
    announce: fc.integer({ min: -20, max: 40 }),
    lag: fc.integer({ min: 0, max: 20 }),
    length: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant("amend" as const),
    pick: fc.nat(),
    from: fc.integer({ min: 0, max: 40 }),
    until: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant("lift" as const),
    pick: fc.nat(),
    from: fc.integer({ min: 0, max: 60 }),
  }),
  fc.record({ kind: fc.constant("retract" as const), pick: fc.nat({ max: 40 }) }),
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
          measures: ["asset-freeze"],
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
          effectiveUntil: i.until === null ? null : addDays(from, i.until),
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
  }
}

/** The events `decide` accepts, recorded an hour apart from 2022-03-26 (some of them past days). */
function history(intents: Intent[]): LedgerEvent[] {
  let state = initialState(ENTITY);
  const events: LedgerEvent[] = [];
  let now = Date.parse("2022-03-26T09:00:00.000Z");
  const append = (body: EventBody, eventId: string) => {
    const decided = decide(command(body, { eventId }), state);
    const { event } = stamp(decided, { entityId: ENTITY, eventId }, state, {
      now: new Date(now),
      actor: ACTOR,
    });
    state = evolve(state, event);
    events.push(event);
  };
  append(registered(), "reg");
  for (const [n, i] of intents.entries()) {
    now += 3_600_000;
    try {
      append(bodyOf(i, state), `e${n}`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return events;
}

/** The oracle: a sanction's status on a day, read from the answer of `/entities/{id}`. */
function oracle(state: EntityState, sanctionId: string, d: IsoDate): string {
  const t = timelines(state).find((x) => x.sanctionId === sanctionId);
  const on = t && sanctionOn(t, d);
  return on === undefined ? "none" : on.status === "inForce" ? "in-force" : "pending";
}

/** The days (of DAYS, and FAR for a range open to the right) a range covers. */
function daysIn(range: { from: IsoDate; to: IsoDate | null }): IsoDate[] {
  const days = DAYS.filter((d) => d >= range.from && (range.to === null || d <= range.to));
  return range.to === null ? [...days, FAR] : days;
}

const moments = (events: LedgerEvent[]) =>
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => {
    const at = (n: number) => {
      const e = events[n % events.length] as LedgerEvent;
      // Exactly at an event, or just before it.
      return n % 2 === 0 ? e.recordedAt : new Date(Date.parse(e.recordedAt) - 1).toISOString();
    };
    const [x, y] = [at(a), at(b)].sort();
    return { from: x as string, to: y as string };
  });

describe("the corrections report, on random histories", () => {
  it("covers exactly the days whose status as known at `from` and at `to` differ", () => {
    const scenario = fc
      .array(intent, { minLength: 1, maxLength: 25 })
      .map(history)
      .chain((events) => fc.tuple(fc.constant(events), moments(events)));
    fc.assert(
      fc.property(scenario, ([events, { from, to }]) => {
        const items = correctionsBetween(ENTITY, events, from, to);
        const atFrom = foldKnownAt(ENTITY, events, from);
        const atTo = foldKnownAt(ENTITY, events, to);
        const heldAtFrom = new Set(
          events
            .filter((e) => e.recordedAt <= from && e.type === "SanctionImposed")
            .map((e) => (e.data as { sanctionId: string }).sanctionId),
        );
        for (const sanctionId of SANCTION_IDS) {
          const mine = items.filter((i) => i.sanctionId === sanctionId);
          if (!heldAtFrom.has(sanctionId)) {
            expect(mine).toEqual([]);
            continue;
          }
          const reported = new Map<IsoDate, [string, string]>();
          for (const item of mine) {
            for (const d of daysIn(item.days)) {
              expect(reported.has(d), `${sanctionId} ${d} reported twice`).toBe(false);
              reported.set(d, [item.before, item.after]);
            }
          }
          for (const d of [...DAYS, FAR]) {
            const before = oracle(atFrom, sanctionId, d);
            const after = oracle(atTo, sanctionId, d);
            expect(reported.get(d), `${sanctionId} on ${d}`).toEqual(
              before === after ? undefined : [before, after],
            );
          }
          // Maximal: two items that touch differ in what they say.
          mine.forEach((item, n) => {
            const next = mine[n + 1];
            if (!next || item.days.to === null) return;
            if (addDays(item.days.to, 1) === next.days.from) {
              expect([item.before, item.after]).not.toEqual([next.before, next.after]);
            }
          });
          // The versions named are the window's events about the sanction.
          for (const item of mine) {
            for (const v of item.versions) {
              const e = events[v - 1] as LedgerEvent;
              expect(e.recordedAt > from && e.recordedAt <= to).toBe(true);
            }
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("tells of each event the days up to its recording whose status it changed", () => {
    fc.assert(
      fc.property(fc.array(intent, { minLength: 1, maxLength: 25 }).map(history), (events) => {
        let state = initialState(ENTITY);
        for (const event of events) {
          const after = evolve(state, event);
          const notices = correctionNotices(state, after, event);
          const recordedOn = event.recordedAt.slice(0, 10);
          const told = new Map<IsoDate, [string, string]>();
          for (const n of notices) {
            expect(n.days.to <= recordedOn).toBe(true);
            for (const d of daysIn(n.days)) told.set(`${n.sanctionId}|${d}`, [n.before, n.after]);
          }
          for (const sanctionId of SANCTION_IDS) {
            for (const d of DAYS.filter((x) => x <= recordedOn)) {
              const before = oracle(state, sanctionId, d);
              const now = oracle(after, sanctionId, d);
              expect(told.get(`${sanctionId}|${d}`), `${event.type} ${sanctionId} ${d}`).toEqual(
                before === now ? undefined : [before, now],
              );
            }
          }
          // A rerun gives the same ids.
          expect(correctionNotices(state, after, event).map((n) => n.id)).toEqual(
            notices.map((n) => n.id),
          );
          state = after;
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("finds the ranges of two states on the same sanction, open to the right when they never meet", () => {
    const events = history([
      { kind: "impose", sid: "a", announce: 0, lag: 5, length: null },
      { kind: "lift", pick: 0, from: 10 },
    ]);
    const before = foldKnownAt(ENTITY, events, (events[1] as LedgerEvent).recordedAt);
    const after = foldKnownAt(ENTITY, events, (events[2] as LedgerEvent).recordedAt);
    expect(statusRanges(before, after, "a")).toEqual([
      { from: day(10), to: null, before: "in-force", after: "none" },
    ]);
  });
});
