import { EntityNotFound, RuleViolation, VersionConflict } from "./errors.js";
import type {
  AppendCommand,
  EntityAmendedData,
  EventBody,
  EventRetractedData,
  HashedEvent,
  LedgerEvent,
  PublicationImportedData,
  SanctionAmendedData,
  SanctionImposedData,
  SanctionLiftedData,
  Timestamp,
} from "./events.js";
import { seal } from "./hash.js";
import { checkNames } from "./limits.js";
import type { EntityState } from "./state.js";
import { detailsAfter, entityDetails, isRegistered, liveSanction } from "./state.js";
import { timelineOf } from "./timeline.js";

/**
 * Decides whether a command may be appended to the stream whose fold is `state`, in the
 * contract's order: 404, then 409 on `expectedVersion`, then 422. Returns the event body
 * to append, or throws a DomainError.
 */
export function decide(command: AppendCommand, state: EntityState): EventBody {
  if (command.type !== "EntityRegistered" && !isRegistered(state)) {
    throw new EntityNotFound(command.entityId);
  }
  if (command.expectedVersion !== undefined && command.expectedVersion !== state.version) {
    throw new VersionConflict(command.expectedVersion, state.version);
  }
  switch (command.type) {
    case "EntityRegistered":
      if (state.version > 0) {
        throw new RuleViolation(
          `Entity '${state.entityId}' is already registered; use EntityAmended to change it.`,
          "/type",
        );
      }
      checkNames(detailsAfter(state, { version: state.version + 1, data: command.data }), "/data");
      return { type: command.type, data: command.data };
    case "EntityAmended":
      checkEntityAmended(state, command.data);
      checkNames(detailsAfter(state, { version: state.version + 1, data: command.data }), "/data");
      return { type: command.type, data: command.data };
    case "SanctionImposed":
      checkImposed(state, command.data);
      return { type: command.type, data: command.data };
    case "SanctionAmended":
      checkAmended(state, command.data);
      return { type: command.type, data: command.data };
    case "SanctionLifted":
      checkLifted(state, command.data);
      return { type: command.type, data: command.data };
    case "EventRetracted":
      checkRetracted(state, command.data);
      return { type: command.type, data: command.data };
    case "PublicationImported":
      checkPublication(state, command.data);
      return { type: command.type, data: command.data };
  }
}

function checkPublication(state: EntityState, data: PublicationImportedData): void {
  if (entityDetails(state)?.kind !== "list") {
    throw new RuleViolation(
      `Publications are recorded on a list's stream (an entity of kind 'list'); '${state.entityId}' is not one.`,
      "/type",
    );
  }
  const known = state.publications?.find(
    (p) => p.list === data.list && p.publishedOn === data.publishedOn,
  );
  if (known) {
    throw new RuleViolation(
      `The publication of ${data.list} of ${data.publishedOn} is already recorded (version ${known.version}).`,
      "/data/publishedOn",
    );
  }
}

function checkEntityAmended(state: EntityState, data: EntityAmendedData): void {
  const details = entityDetails(state);
  if (!details) return;
  for (const alias of data.aliases?.remove ?? []) {
    if (!details.aliases.includes(alias)) {
      throw new RuleViolation(`'${alias}' is not an alias of the entity.`, "/data/aliases/remove");
    }
  }
}

function checkImposed(state: EntityState, data: SanctionImposedData): void {
  if (liveSanction(state, data.sanctionId)) {
    throw new RuleViolation(
      `Sanction '${data.sanctionId}' is already imposed on this entity; amend it, or retract it first.`,
      "/data/sanctionId",
    );
  }
  if (data.announcedOn > data.effectiveFrom) {
    throw new RuleViolation(
      `announcedOn (${data.announcedOn}) is after effectiveFrom (${data.effectiveFrom}).`,
      "/data/announcedOn",
    );
  }
  if (data.effectiveUntil !== undefined && data.effectiveUntil <= data.effectiveFrom) {
    throw new RuleViolation(
      `effectiveUntil (${data.effectiveUntil}) must be after effectiveFrom (${data.effectiveFrom}).`,
      "/data/effectiveUntil",
    );
  }
  const since = data.undetermined?.since;
  if (since !== undefined && since >= data.effectiveFrom) {
    throw new RuleViolation(
      `undetermined.since (${since}) must be before effectiveFrom (${data.effectiveFrom}).`,
      "/data/undetermined/since",
    );
  }
}

function requireSanction(state: EntityState, sanctionId: string) {
  const sanction = liveSanction(state, sanctionId);
  if (!sanction) {
    throw new RuleViolation(
      `No sanction '${sanctionId}' is imposed on this entity.`,
      "/data/sanctionId",
    );
  }
  return sanction;
}

function checkAmended(state: EntityState, data: SanctionAmendedData): void {
  const sanction = requireSanction(state, data.sanctionId);
  const { end } = timelineOf(sanction);
  if (data.effectiveFrom < sanction.effectiveFrom || (end !== null && data.effectiveFrom >= end)) {
    throw new RuleViolation(
      `effectiveFrom (${data.effectiveFrom}) must lie within the sanction's [${sanction.effectiveFrom}, ${end ?? "open"}).`,
      "/data/effectiveFrom",
    );
  }
  if (
    data.effectiveUntil !== undefined &&
    data.effectiveUntil !== null &&
    data.effectiveUntil <= data.effectiveFrom
  ) {
    throw new RuleViolation(
      `effectiveUntil (${data.effectiveUntil}) must be after the amendment's effectiveFrom (${data.effectiveFrom}).`,
      "/data/effectiveUntil",
    );
  }
}

function checkLifted(state: EntityState, data: SanctionLiftedData): void {
  const sanction = requireSanction(state, data.sanctionId);
  if (sanction.lifting) {
    throw new RuleViolation(
      `Sanction '${data.sanctionId}' is already lifted from ${sanction.lifting.effectiveFrom} (version ${sanction.lifting.version}); retract that lifting to change it.`,
      "/data/sanctionId",
    );
  }
  if (data.effectiveFrom < sanction.announcedOn) {
    throw new RuleViolation(
      `A lifting's effectiveFrom (${data.effectiveFrom}) cannot precede the sanction's announcement (${sanction.announcedOn}).`,
      "/data/effectiveFrom",
    );
  }
}

function checkRetracted(state: EntityState, data: EventRetractedData): void {
  const path = "/data/version";
  const target = state.versions[data.version - 1];
  if (!target) {
    throw new RuleViolation(`There is no version ${data.version} in this stream.`, path);
  }
  if (data.version === 1) {
    throw new RuleViolation("The registration (version 1) cannot be retracted.", path);
  }
  if (target.type === "EventRetracted") {
    throw new RuleViolation(
      `Version ${data.version} is a retraction and cannot be retracted.`,
      path,
    );
  }
  if (target.retractedBy !== undefined) {
    throw new RuleViolation(
      `Version ${data.version} is already retracted (by version ${target.retractedBy}).`,
      path,
    );
  }
  if (target.type === "SanctionImposed") {
    const sanction = state.sanctions.find((s) => s.version === data.version);
    const dependants = [
      ...(sanction?.amendments.map((a) => a.version) ?? []),
      ...(sanction?.lifting ? [sanction.lifting.version] : []),
    ].sort((a, b) => a - b);
    if (dependants.length > 0) {
      throw new RuleViolation(
        `Version ${data.version} is an imposition that live events still refer to (versions ${dependants.join(", ")}); retract those first.`,
        path,
      );
    }
  }
  if (target.type === "EntityAmended")
    checkNames(detailsAfter(state, undefined, data.version), path);
}

/**
 * The moment an event is recorded: `now`, or one millisecond after the head if the clock
 * has not moved on, so that `recordedAt` strictly increases within a stream.
 */
export function recordingTime(state: EntityState, now: Date): Timestamp {
  if (state.headRecordedAt === null) return now.toISOString();
  const after = Date.parse(state.headRecordedAt) + 1;
  return new Date(Math.max(now.getTime(), after)).toISOString();
}

/** Stamps a decided event with its place in the stream, its time, its actor and its hash. */
export function stamp(
  body: EventBody,
  command: Pick<AppendCommand, "entityId" | "eventId" | "source">,
  state: EntityState,
  context: { now: Date; actor: string },
): { event: LedgerEvent; canonical: string } {
  const hashed = {
    entityId: command.entityId,
    version: state.version + 1,
    eventId: command.eventId,
    ...body,
    ...(command.source === undefined ? {} : { source: command.source }),
    recordedAt: recordingTime(state, context.now),
    actor: context.actor,
    prevHash: state.headHash,
  } as HashedEvent;
  return seal(hashed);
}
