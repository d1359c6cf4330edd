import type { $ZodObject } from "zod/v4/core";
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

/** Which function serves a route: the writer appends, the reader answers queries. */
export type RouteTarget = "writer" | "reader";

/**
 * One HTTP route of the API, in API Gateway's resource notation, as a function serves it:
 * what the handlers' dispatch, the CDK API, the local server and the fuzz test derive from.
 * The OpenAPI document derives from it too, with the route's documentation
 * (`route-docs.ts`, under the same operationId), which no function bundles.
 */
export interface RouteSpec {
  readonly method: "GET" | "POST";
  readonly resource: string;
  readonly target: RouteTarget;
  /** The path parameters' schema. */
  readonly path: $ZodObject;
  /** The query parameters' schema (a strict object: an unknown parameter is a 400). */
  readonly query: $ZodObject;
}

/**
 * Every route of the API, keyed by its operationId: the key of its implementation in its
 * function's dispatch, and of its documentation.
 */
export const ROUTE_TABLE = {
  appendEvent: {
    method: "POST",
    resource: "/entities/{entityId}/events",
    target: "writer",
    path: entityPathSchema,
    query: emptyQuerySchema,
  },
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
  appendBatch: {
    method: "POST",
    resource: "/batches",
    target: "writer",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
  listSanctions: {
    method: "GET",
    resource: "/sanctions",
    target: "reader",
    path: noPathSchema,
    query: sanctionsQuerySchema,
  },
  listChanges: {
    method: "GET",
    resource: "/changes",
    target: "reader",
    path: noPathSchema,
    query: changesQuerySchema,
  },
  listCorrections: {
    method: "GET",
    resource: "/corrections",
    target: "reader",
    path: noPathSchema,
    query: correctionsQuerySchema,
  },
  listNotices: {
    method: "GET",
    resource: "/notices",
    target: "reader",
    path: noPathSchema,
    query: noticesQuerySchema,
  },
  searchEntities: {
    method: "GET",
    resource: "/search",
    target: "reader",
    path: noPathSchema,
    query: searchQuerySchema,
  },
  getLatestCheckpoint: {
    method: "GET",
    resource: "/checkpoints/latest",
    target: "reader",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
  getCheckpointKey: {
    method: "GET",
    resource: "/checkpoints/key",
    target: "reader",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
  getConsistencyProof: {
    method: "GET",
    resource: "/checkpoints/consistency",
    target: "reader",
    path: noPathSchema,
    query: consistencyQuerySchema,
  },
  getCheckpoint: {
    method: "GET",
    resource: "/checkpoints/{treeSize}",
    target: "reader",
    path: checkpointPathSchema,
    query: emptyQuerySchema,
  },
  getInclusionProof: {
    method: "GET",
    resource: "/entities/{entityId}/events/{version}/proof",
    target: "reader",
    path: eventPathSchema,
    query: proofQuerySchema,
  },
  getOpenApi: {
    method: "GET",
    resource: "/openapi.json",
    target: "reader",
    path: noPathSchema,
    query: emptyQuerySchema,
  },
} as const satisfies Record<string, RouteSpec>;

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
export const ROUTES: readonly Route[] = Object.entries(ROUTE_TABLE).map(([operationId, route]) => ({
  operationId: operationId as OperationId,
  ...route,
}));
