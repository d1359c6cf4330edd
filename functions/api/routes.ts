import type { GenericSchema } from "valibot";
import {
  changesQuerySchema,
  checkpointPathSchema,
  consistencyQuerySchema,
  correctionsQuerySchema,
  emptyQuerySchema,
  entityPathSchema,
  eventPathSchema,
  eventsQuerySchema,
  noPathSchema,
  noticesQuerySchema,
  proofQuerySchema,
  sanctionsQuerySchema,
  searchQuerySchema,
  stateQuerySchema,
  timelineQuerySchema,
} from "./schemas.js";

/**
 * Which function serves a route: the writer appends; the reader answers about one entity,
 * the audit function across entities; the proofs function serves what the ledger publishes,
 * the docs function the OpenAPI document.
 */
export type RouteTarget = "writer" | "reader" | "audit" | "proofs" | "docs";

/**
 * One HTTP route of the API, in API Gateway's resource notation, as a function serves it:
 * what the handlers' dispatch, the CDK API, the local server and the fuzz test derive from.
 * The OpenAPI document derives from it too, with the route's documentation
 * (`route-docs.ts`, under the same operationId), which no function bundles.
 */
/** The schema of a route's path or query: an object of named parameters. */
export type ObjectSchema = GenericSchema<Record<string, string>, Record<string, unknown>> & {
  readonly entries: Readonly<Record<string, GenericSchema>>;
};

export interface RouteSpec {
  readonly method: "GET" | "POST";
  readonly resource: string;
  readonly target: RouteTarget;
  /** The path parameters' schema. */
  readonly path: ObjectSchema;
  /** The query parameters' schema (a strict object: an unknown parameter is a 400). */
  readonly query: ObjectSchema;
}

/** The writer's routes: appends, one or a batch. */
export const WRITER_ROUTES = {
  appendEvent: {
    method: "POST",
    resource: "/entities/{entityId}/events",
    target: "writer",
    path: entityPathSchema,
    query: emptyQuerySchema,
  },
  appendBatch: {
    method: "POST",
    resource: "/batches",
    target: "writer",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
} as const satisfies Record<string, RouteSpec>;

/** The reader's routes: questions about one entity (its state, stream, timeline, hash chain). */
export const READER_ROUTES = {
  getEntity: {
    method: "GET",
    resource: "/entities/{entityId}",
    target: "reader",
    path: entityPathSchema,
    query: stateQuerySchema,
  },
  listEntityEvents: {
    method: "GET",
    resource: "/entities/{entityId}/events",
    target: "reader",
    path: entityPathSchema,
    query: eventsQuerySchema,
  },
  getEntityTimeline: {
    method: "GET",
    resource: "/entities/{entityId}/timeline",
    target: "reader",
    path: entityPathSchema,
    query: timelineQuerySchema,
  },
  verifyEntity: {
    method: "GET",
    resource: "/entities/{entityId}/verify",
    target: "reader",
    path: entityPathSchema,
    query: emptyQuerySchema,
  },
} as const satisfies Record<string, RouteSpec>;

/** The audit function's routes: questions across entities (what is in force, what changed, what was corrected, the notices, who a name is). */
export const AUDIT_ROUTES = {
  listSanctions: {
    method: "GET",
    resource: "/sanctions",
    target: "audit",
    path: noPathSchema,
    query: sanctionsQuerySchema,
  },
  listChanges: {
    method: "GET",
    resource: "/changes",
    target: "audit",
    path: noPathSchema,
    query: changesQuerySchema,
  },
  listCorrections: {
    method: "GET",
    resource: "/corrections",
    target: "audit",
    path: noPathSchema,
    query: correctionsQuerySchema,
  },
  listNotices: {
    method: "GET",
    resource: "/notices",
    target: "audit",
    path: noPathSchema,
    query: noticesQuerySchema,
  },
  searchEntities: {
    method: "GET",
    resource: "/search",
    target: "audit",
    path: noPathSchema,
    query: searchQuerySchema,
  },
} as const satisfies Record<string, RouteSpec>;

/** The proofs function's routes: what the ledger publishes (signed checkpoints, their key, inclusion and consistency proofs). */
export const PROOFS_ROUTES = {
  getLatestCheckpoint: {
    method: "GET",
    resource: "/checkpoints/latest",
    target: "proofs",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
  getCheckpointKey: {
    method: "GET",
    resource: "/checkpoints/key",
    target: "proofs",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
  getConsistencyProof: {
    method: "GET",
    resource: "/checkpoints/consistency",
    target: "proofs",
    path: noPathSchema,
    query: consistencyQuerySchema,
  },
  getCheckpoint: {
    method: "GET",
    resource: "/checkpoints/{treeSize}",
    target: "proofs",
    path: checkpointPathSchema,
    query: emptyQuerySchema,
  },
  getInclusionProof: {
    method: "GET",
    resource: "/entities/{entityId}/events/{version}/proof",
    target: "proofs",
    path: eventPathSchema,
    query: proofQuerySchema,
  },
} as const satisfies Record<string, RouteSpec>;

/** The docs function's route: the API's own OpenAPI document. */
export const DOCS_ROUTES = {
  getOpenApi: {
    method: "GET",
    resource: "/openapi.json",
    target: "docs",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
} as const satisfies Record<string, RouteSpec>;

/**
 * Every route of the API, keyed by its operationId: the key of its implementation in its
 * function's dispatch, and of its documentation. A function's handler imports its own table
 * above, so that its bundle holds only the schemas of the routes it serves.
 */
export const ROUTE_TABLE = merged(
  WRITER_ROUTES,
  READER_ROUTES,
  AUDIT_ROUTES,
  PROOFS_ROUTES,
  DOCS_ROUTES,
);

/** The route table. */
export type RouteTable = typeof ROUTE_TABLE;
/** The operationId of a route. */
export type OperationId = keyof RouteTable;

/** A route with its operationId. */
export interface Route extends RouteSpec {
  /** Unique; the key of the route's implementation in its function's dispatch. */
  readonly operationId: OperationId;
}

/** Every route of the API, as a list. */
export const ROUTES: readonly Route[] = listed(ROUTE_TABLE);

/** The tables as one (marked pure: a bundle that uses one table drops the others). */
// @__NO_SIDE_EFFECTS__
function merged<const T extends readonly Record<string, RouteSpec>[]>(...tables: T): Merged<T> {
  return Object.assign({}, ...tables);
}

type Merged<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? H & Merged<R>
  : unknown;

// @__NO_SIDE_EFFECTS__
function listed(table: RouteTable): Route[] {
  return Object.entries(table).map(([operationId, route]) => ({
    operationId: operationId as OperationId,
    ...route,
  }));
}
