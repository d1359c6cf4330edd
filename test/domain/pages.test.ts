import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, nextDay, previousDay } from "../../functions/domain/dates.js";
import { decide, stamp } from "../../functions/domain/decide.js";
import { DomainError } from "../../functions/domain/errors.js";
import type { EventBody, IsoDate, Measure } from "../../functions/domain/events.js";
import {
  changedPages,
  detailsOf,
  entityOnPage,
  headOf,
  MAX_PAGE_YEARS,
  type PagedTimeline,
  pageOf,
  pageYears,
  yearOf,
} from "../../functions/domain/pages.js";
import type { EntityState, SanctionRecord } from "../../functions/domain/state.js";
import { evolve, initialState } from "../../functions/domain/state.js";
import { entityOn, sanctionTimeline } from "../../functions/domain/timeline.js";
import { scaledRuns } from "../support/runs.js";
import {
  ACTOR,
  amended,
  command,
  ENTITY,
  imposed,
  lifted,
  registered,
  retracted,
} from "./given.js";

const BASE: IsoDate = "2019-12-20";

type Step =
  | {
      kind: "impose";
      sid: string;
      announce: number;
      lag: number;
      length: number | null;
      /** Undetermined before its start: since this many days before (null: ever), or stated. */
      unknown?: number | null;
    }
  | { kind: "amend"; pick: number; from: number; until?: number | null; measures: Measure[] }
  | { kind: "lift"; pick: number; from: number }
  | { kind: "retract"; pick: number }
  | { kind: "rename"; name: string };

const MEASURES: Measure[][] = [["asset-freeze"], ["export-ban"], ["travel-ban", "asset-freeze"]];

// Days spread over five years, so that spans cross year ends.
const impose: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant("impose" as const),
  sid: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h"),
  announce: fc.integer({ min: 0, max: 1500 }),
  lag: fc.integer({ min: 0, max: 40 }),
  // Mostly months to two years; sometimes a decade or more, longer than pages take.
  length: fc.option(
    fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 700 }), weight: 4 },
      { arbitrary: fc.integer({ min: 3000, max: 6000 }), weight: 1 },
    ),
    { nil: null },
  ),
  unknown: fc.option(fc.option(fc.integer({ min: 1, max: 900 }), { nil: null }), {
    nil: undefined,
  }),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  impose,
  fc.record({
    kind: fc.constant("amend" as const),
    pick: fc.nat(),
    from: fc.integer({ min: 0, max: 300 }),
    until: fc.option(fc.option(fc.integer({ min: 1, max: 400 }), { nil: null }), {
      nil: undefined,
    }),
    measures: fc.constantFrom(...MEASURES),
  }),
  fc.record({
    kind: fc.constant("lift" as const),
    pick: fc.nat(),
    from: fc.integer({ min: -5, max: 900 }),
  }),
  fc.record({ kind: fc.constant("retract" as const), pick: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant("rename" as const), name: fc.constantFrom("VTB", "Bank VTB") }),
);

function bodyOf(s: Step, state: EntityState): EventBody {
  const live = (pick: number) => state.sanctions[pick % Math.max(1, state.sanctions.length)];
  switch (s.kind) {
    case "impose": {
      const announcedOn = addDays(BASE, s.announce);
      const effectiveFrom = addDays(announcedOn, s.lag);
      return imposed({
        sanctionId: s.sid,
        announcedOn,
        effectiveFrom,
        ...(s.length === null ? {} : { effectiveUntil: addDays(effectiveFrom, s.length) }),
        ...(s.unknown === undefined
          ? {}
          : {
              undetermined: {
                ...(s.unknown === null ? {} : { since: addDays(effectiveFrom, -s.unknown) }),
                reason: "listed on or before",
              },
            }),
      });
    }
    case "amend": {
      const target = live(s.pick);
      const from = addDays(target?.effectiveFrom ?? BASE, s.from);
      return amended({
        sanctionId: target?.sanctionId ?? "a",
        effectiveFrom: from,
        measures: s.measures,
        ...(s.until === undefined
          ? {}
          : { effectiveUntil: s.until === null ? null : addDays(from, s.until) }),
      });
    }
    case "lift": {
      const target = live(s.pick);
      return lifted({
        sanctionId: target?.sanctionId ?? "a",
        effectiveFrom: addDays(target?.announcedOn ?? BASE, s.from),
      });
    }
    case "retract":
      return retracted(1 + (s.pick % (state.version + 1)));
    case "rename":
      return { type: "EntityAmended", data: { name: s.name } };
  }
}

/** The states after each accepted step, and the pages kept up to date event by event. */
function run(steps: Step[]) {
  let state = initialState(ENTITY);
  const states: EntityState[] = [];
  const pages = new Map<number, PagedTimeline[]>();
  const append = (body: EventBody, eventId: string) => {
    const decided = decide(command(body, { eventId }), state);
    const { event } = stamp(decided, { entityId: ENTITY, eventId }, state, {
      now: new Date(Date.UTC(2026, 0, 1) + state.version * 1000),
      actor: ACTOR,
    });
    const next = evolve(state, event);
    for (const [year, content] of changedPages(state, next)) pages.set(year, content);
    state = next;
    states.push(state);
  };
  append(registered(), "reg");
  for (const [n, s] of steps.entries()) {
    try {
      append(bodyOf(s, state), `e${n}`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { states, pages };
}

/** Every day where an answer may change, the days around it, and the ends of years. */
function edgeDays(state: EntityState): IsoDate[] {
  const days = new Set<IsoDate>(["2019-12-31", "2020-01-01", "2024-12-31", "2025-01-01"]);
  days.add("2031-06-30");
  for (const s of state.sanctions) {
    const t = sanctionTimeline(s);
    const marks = [
      t.announcedOn,
      t.effectiveFrom,
      t.end,
      t.undetermined?.since ?? null,
      ...t.intervals.map((i) => i.from),
    ];
    for (const d of marks) {
      if (d === null) continue;
      days.add(previousDay(d));
      days.add(d);
      days.add(nextDay(d));
    }
  }
  return [...days].sort();
}

const scenario = fc
  .tuple(fc.array(impose, { minLength: 2, maxLength: 4 }), fc.array(step, { maxLength: 30 }))
  .map(([first, rest]) => run([...first, ...rest]));

describe("the read model of point-in-time answers (head and year pages)", () => {
  it("answers every day exactly as the whole fold does, after every event", () => {
    fc.assert(
      fc.property(scenario, ({ states }) => {
        for (const state of states) {
          const head = headOf(state, 1, {});
          for (const day of edgeDays(state)) {
            expect(
              entityOnPage(state, head, detailsOf(state), pageOf(state, yearOf(day)), day),
            ).toEqual(entityOn(state, day));
          }
        }
      }),
      { numRuns: scaledRuns(150) },
    );
  });

  it("pages kept event by event equal the pages of the final fold", () => {
    fc.assert(
      fc.property(scenario, ({ states, pages }) => {
        const last = states[states.length - 1] as EntityState;
        const years = new Set([...pages.keys()]);
        for (const s of last.sanctions)
          for (const y of pageYears(sanctionTimeline(s))) years.add(y);
        for (const year of years) expect(pages.get(year) ?? []).toEqual(pageOf(last, year));
      }),
      { numRuns: scaledRuns(150) },
    );
  });

  it("the head holds the open-ended sanctions, each page the ended ones that touch its year", () => {
    const { states } = run([
      { kind: "impose", sid: "a", announce: 0, lag: 12, length: null },
      { kind: "impose", sid: "b", announce: 5, lag: 0, length: 400 },
      { kind: "lift", pick: 0, from: 800 },
    ]);
    const state = states[states.length - 1] as EntityState;
    expect(headOf(state, 1, {}).unpaged).toEqual([]);
    // a: 2019-12-20 (announced) to 2022-02-27 (lifted); b: 2019-12-25 to 2021-01-28.
    expect(pageOf(state, 2019).map((t) => t.sanctionId)).toEqual(["a", "b"]);
    expect(pageOf(state, 2021).map((t) => t.sanctionId)).toEqual(["a", "b"]);
    expect(pageOf(state, 2022).map((t) => t.sanctionId)).toEqual(["a"]);
    expect(pageOf(state, 2023)).toEqual([]);
    const before = states[states.length - 2] as EntityState;
    expect(headOf(before, 1, {}).unpaged.map((t) => t.sanctionId)).toEqual(["a"]);
    expect([...changedPages(before, state).keys()]).toEqual([2019, 2020, 2021, 2022]);
  });

  it("no event writes more than twice MAX_PAGE_YEARS pages", () => {
    fc.assert(
      fc.property(scenario, ({ states }) => {
        let before = initialState(ENTITY);
        for (const state of states) {
          expect(changedPages(before, state).size).toBeLessThanOrEqual(2 * MAX_PAGE_YEARS);
          before = state;
        }
      }),
      { numRuns: scaledRuns(100) },
    );
  });

  it("an ended sanction spanning more than MAX_PAGE_YEARS years stays in the head", () => {
    const { states } = run([
      { kind: "impose", sid: "long", announce: 0, lag: 0, length: 365 * MAX_PAGE_YEARS + 30 },
      { kind: "impose", sid: "short", announce: 0, lag: 0, length: 400 },
    ]);
    const state = states[states.length - 1] as EntityState;
    expect(headOf(state, 1, {}).unpaged.map((t) => t.sanctionId)).toEqual(["long"]);
    expect(pageOf(state, 2020).map((t) => t.sanctionId)).toEqual(["short"]);
    expect(pageYears(sanctionTimeline(state.sanctions[0] as SanctionRecord))).toEqual([]);
    expect(
      entityOnPage(state, headOf(state, 1, {}), detailsOf(state), [], "2028-01-01")?.inForce.map(
        (s) => s.sanctionId,
      ),
    ).toEqual(["long"]);
  });

  it("an unregistered entity has no answer", () => {
    expect(
      entityOnPage(
        initialState(ENTITY),
        headOf(initialState(ENTITY), 0, {}),
        detailsOf(initialState(ENTITY)),
        [],
        "2022-01-01",
      ),
    ).toBeUndefined();
  });
});
