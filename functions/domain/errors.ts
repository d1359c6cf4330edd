/** A broken rule of the ledger, raised by the pure domain and mapped to HTTP by the handlers. */
export abstract class DomainError extends Error {
  abstract readonly status: 404 | 409 | 422;
  abstract readonly title: string;
  /** The JSON Pointer of the field at fault, where there is one. */
  readonly path?: string;

  constructor(message: string, path?: string) {
    super(message);
    this.name = new.target.name;
    if (path !== undefined) this.path = path;
  }
}

/** The entity is not in the ledger (at the moment asked about). */
export class EntityNotFound extends DomainError {
  readonly status = 404;
  readonly title = "Entity not found";
  constructor(readonly entityId: string) {
    super(`The ledger knows no entity '${entityId}'.`);
  }
}

/** `expectedVersion` is not the head of the stream. */
export class VersionConflict extends DomainError {
  readonly status = 409;
  readonly title = "Version conflict";
  constructor(
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      expectedVersion === 0
        ? `The entity already exists (version ${currentVersion}); expectedVersion 0 requires a new entity.`
        : `expectedVersion is ${expectedVersion} but the stream is at version ${currentVersion}.`,
      "/expectedVersion",
    );
  }
}

/** An `eventId` already in the stream was sent again with other content. */
export class EventIdConflict extends DomainError {
  readonly status = 409;
  readonly title = "Event id already used";
  constructor(
    readonly eventId: string,
    readonly version: number,
  ) {
    super(
      `eventId '${eventId}' is already in the stream at version ${version} with other content.`,
      "/eventId",
    );
  }
}

/** The event is well formed but breaks a rule of the domain. */
export class RuleViolation extends DomainError {
  readonly status = 422;
  readonly title = "Domain rule violated";
}

/** A checkpoint, a proof or a leaf that the log does not hold (yet): a 404. */
export class NotInLog extends DomainError {
  readonly status = 404;
  readonly title = "Not in the log";
}
