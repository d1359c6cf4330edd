/**
 * Given/when/then helpers for the domain tests: build sealed streams from event bodies,
 * issue commands against their fold, and read the answers on a day.
 */
import { expect } from "vitest";
import { decide, stamp } from "../../functions/domain/decide.js";
import type { DomainError } from "../../functions/domain/errors.js";
import type {
  AppendCommand,
  EntityAmendedData,
  EntityRegisteredData,
  EventBody,
  IsoDate,
  LedgerEvent,
  SanctionAmendedData,
  SanctionImposedData,
  SanctionLiftedData,
  Source,
} from "../../functions/domain/events.js";
import type { EntityState } from "../../functions/domain/state.js";
import { evolve, fold, initialState } from "../../functions/domain/state.js";
import type { EntityOnDate, SanctionOnDate } from "../../functions/domain/timeline.js";
import { entityOn } from "../../functions/domain/timeline.js";
import type { SealedRecord } from "../../functions/domain/verify.js";

export const ENTITY = "ru-vtb-bank";
export const ACTOR = "test-actor";
/** The moment the first event of a `given` stream is recorded; each next one is a second later. */
export const T0 = Date.parse("2022-03-26T09:00:00.000Z");
export const STEP_MS = 1_000;

/** The `recordedAt` that `given` assigns to version `v`. */
export function recordedAtOf(version: number): string {
  return new Date(T0 + (version - 1) * STEP_MS).toISOString();
}

/** An event body, optionally with the source it was taken from. */
export type GivenBody = EventBody & { source?: Source };

export interface Given {
  entityId: string;
  events: LedgerEvent[];
  /** The exact canonical JSON each event was hashed from, index `v - 1`. */
  canonicals: string[];
  /** The fold of all `events`. */
  state: EntityState;
}

/**
 * Given these events, in this order: sealed with versions 1..n, `recordedAt` one second
 * apart from `T0`, eventIds `e1`..`en`, chained by hash. No rule is checked.
 */
export function given(...bodies: GivenBody[]): Given {
  return givenFor(ENTITY, ...bodies);
}

export function givenFor(entityId: string, ...bodies: GivenBody[]): Given {
  let state = initialState(entityId);
  const events: LedgerEvent[] = [];
  const canonicals: string[] = [];
  for (const [i, body] of bodies.entries()) {
    const { source, ...rest } = body;
    const { event, canonical } = stamp(
      rest as EventBody,
      { entityId, eventId: `e${i + 1}`, ...(source === undefined ? {} : { source }) },
      state,
      { now: new Date(T0 + i * STEP_MS), actor: ACTOR },
    );
    events.push(event);
    canonicals.push(canonical);
    state = evolve(state, event);
  }
  expect(fold(entityId, events)).toEqual(state);
  return { entityId, events, canonicals, state };
}

/** The stored records of a `given` stream, as `verifyChain` reads them. */
export function recordsOf(g: Given): SealedRecord[] {
  return g.events.map((e, i) => ({
    version: e.version,
    eventId: e.eventId,
    recordedAt: e.recordedAt,
    hash: e.hash,
    canonical: g.canonicals[i] ?? "",
  }));
}

/** A command to append `body` to the entity of `g` (or `ENTITY`). */
export function command(
  body: EventBody,
  extra: { entityId?: string; eventId?: string; expectedVersion?: number } = {},
): AppendCommand {
  return {
    ...body,
    entityId: extra.entityId ?? ENTITY,
    eventId: extra.eventId ?? "cmd",
    ...(extra.expectedVersion === undefined ? {} : { expectedVersion: extra.expectedVersion }),
  } as AppendCommand;
}

/** When `body` is decided against the stream `g`: the decided body. */
export function when(
  g: Given,
  body: EventBody,
  extra: { eventId?: string; expectedVersion?: number } = {},
): EventBody {
  return decide(command(body, { ...extra, entityId: g.entityId }), g.state);
}

/** Runs `act`, expects it to throw a DomainError; returns the error. */
export function rejected(act: () => unknown): DomainError {
  try {
    act();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error("expected the command to be rejected, but it was accepted");
}

/** Expects `error` to be an instance of `type` with `status` and `path`. */
export function expectError(
  error: DomainError,
  // biome-ignore lint/suspicious/noExplicitAny: any DomainError constructor
  type: abstract new (...args: any[]) => DomainError,
  status: number,
  path: string | undefined,
): void {
  expect(error).toBeInstanceOf(type);
  expect(error.status).toBe(status);
  expect(error.path).toBe(path);
}

// ---- event bodies -------------------------------------------------------------------

export function registered(data: Partial<EntityRegisteredData> = {}): EventBody {
  return { type: "EntityRegistered", data: { name: "VTB Bank", kind: "organization", ...data } };
}

export function entityAmended(data: EntityAmendedData): EventBody {
  return { type: "EntityAmended", data };
}

export function imposed(
  data: Partial<SanctionImposedData> & Pick<SanctionImposedData, "sanctionId">,
): EventBody {
  return {
    type: "SanctionImposed",
    data: {
      authority: "JP",
      measures: ["asset-freeze"],
      announcedOn: "2022-03-03",
      effectiveFrom: "2022-04-02",
      ...data,
    },
  };
}

export function amended(data: SanctionAmendedData): EventBody {
  return { type: "SanctionAmended", data };
}

export function lifted(data: SanctionLiftedData): EventBody {
  return { type: "SanctionLifted", data };
}

export function retracted(version: number, reason = "recorded in error"): EventBody {
  return { type: "EventRetracted", data: { version, reason } };
}

// ---- reading on a day ------------------------------------------------------------------

export type Status = "inForce" | "pending" | "none";

/** The entity on `day`, which must be registered. */
export function on(state: EntityState, day: IsoDate): EntityOnDate {
  const answer = entityOn(state, day);
  if (!answer) throw new Error(`entity ${state.entityId} is not registered`);
  return answer;
}

/** Whether `sanctionId` is in force, pending, or neither on `day`. */
export function statusOn(state: EntityState, sanctionId: string, day: IsoDate): Status {
  const answer = on(state, day);
  if (answer.inForce.some((s) => s.sanctionId === sanctionId)) return "inForce";
  if (answer.pending.some((s) => s.sanctionId === sanctionId)) return "pending";
  return "none";
}

/** The sanction as reported on `day` (in force or pending); fails if it is neither. */
export function sanctionOnDay(
  state: EntityState,
  sanctionId: string,
  day: IsoDate,
): SanctionOnDate {
  const answer = on(state, day);
  const found = [...answer.inForce, ...answer.pending].find((s) => s.sanctionId === sanctionId);
  if (!found) throw new Error(`sanction ${sanctionId} is neither in force nor pending on ${day}`);
  return found;
}
