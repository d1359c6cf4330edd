import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { InferOutput } from "valibot";
import type { RouteDocs } from "../api/route-docs.js";
import type { OperationId, RouteTable, RouteTarget } from "../api/routes.js";
import {
  appendEnvelopeSchema,
  entityAmendedSchema,
  entityIdSchema,
  entityRegisteredSchema,
  eventRetractedSchema,
  publicationImportedSchema,
  sanctionAmendedSchema,
  sanctionImposedSchema,
  sanctionLiftedSchema,
} from "../api/schemas.js";
import type { AppendRequest } from "../app/ledger.js";
import type { EventBody, EventType } from "../domain/events.js";
import { illFormedString, invalid, json, Problem, parseQuery, parseWith, respond } from "./http.js";

/** What a route's implementation receives: its path and query parameters, validated. */
export interface Input<K extends OperationId> {
  readonly path: InferOutput<RouteTable[K]["path"]>;
  readonly query: InferOutput<RouteTable[K]["query"]>;
  readonly event: APIGatewayProxyEvent;
}

/** What a route's implementation answers: one of the route's statuses of success and its body. */
export interface Output<K extends OperationId> {
  readonly status: RouteDocs[K]["answers"][number]["status"];
  readonly body: unknown;
  /** The media type of a body that is text, not JSON (the route's answer names it). */
  readonly contentType?: string;
}

/** The 200 answer of a route whose body is JSON: most routes' only success. */
export async function ok(body: Promise<unknown>): Promise<{ status: 200; body: unknown }> {
  return { status: 200, body: await body };
}

/** The implementation of one route. */
type Operation<S, K extends OperationId> = (services: S, input: Input<K>) => Promise<Output<K>>;

/** The implementations of every route a function serves, keyed by operationId. */
export type Operations<S, T extends RouteTarget> = {
  [K in OperationId as RouteTable[K]["target"] extends T ? K : never]: Operation<S, K>;
};

function run<S, K extends OperationId>(
  operations: { [P in K]: Operation<S, P> },
  id: K,
  route: RouteTable[K],
  services: S,
  event: APIGatewayProxyEvent,
): Promise<Output<K>> {
  const input: Input<K> = {
    path: parseWith<RouteTable[K]["path"]>(route.path, event.pathParameters ?? {}, "", "path"),
    query: parseQuery<RouteTable[K]["query"]>(route.query, event),
    event,
  };
  return operations[id](services, input);
}

/**
 * A Lambda handler for the routes of one function's table (`routes.ts`): it finds the route
 * of the request, validates its path and query parameters with the route's schemas, and
 * calls the route's implementation; every failure is answered as problem+json. The table is
 * given, not looked up, so that a function bundles only the schemas of its own routes.
 */
export function dispatcher<S, K extends OperationId>(
  table: { readonly [P in K]: RouteTable[P] },
  services: () => S,
  operations: { [P in K]: Operation<S, P> },
) {
  const served = (Object.keys(operations) as K[]).map((id) => ({ id, route: table[id] }));
  for (const { id, route } of served) {
    if (route === undefined) throw new Error(`${id} is not a route of this function's table`);
  }
  return (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
    respond(async () => {
      const found = served.find(
        ({ route }) => route.method === event.httpMethod && route.resource === event.resource,
      );
      if (!found) {
        throw new Problem(404, "Not found", `No route ${event.httpMethod} ${event.path}.`);
      }
      const { status, body, contentType } = await run(
        operations,
        found.id,
        found.route,
        services(),
        event,
      );
      if (contentType !== undefined) {
        return { statusCode: status, headers: { "content-type": contentType }, body: String(body) };
      }
      return json(status, body);
    });
}

/** Each event type's data, validated against its schema, with its type. */
const BODIES: {
  [T in EventType]: (data: unknown, prefix: string) => Extract<EventBody, { type: T }>;
} = {
  EntityRegistered: (data, at) => ({
    type: "EntityRegistered",
    data: parseWith(entityRegisteredSchema, data, at),
  }),
  EntityAmended: (data, at) => ({
    type: "EntityAmended",
    data: parseWith(entityAmendedSchema, data, at),
  }),
  SanctionImposed: (data, at) => ({
    type: "SanctionImposed",
    data: parseWith(sanctionImposedSchema, data, at),
  }),
  SanctionAmended: (data, at) => ({
    type: "SanctionAmended",
    data: parseWith(sanctionAmendedSchema, data, at),
  }),
  SanctionLifted: (data, at) => ({
    type: "SanctionLifted",
    data: parseWith(sanctionLiftedSchema, data, at),
  }),
  EventRetracted: (data, at) => ({
    type: "EventRetracted",
    data: parseWith(eventRetractedSchema, data, at),
  }),
  PublicationImported: (data, at) => ({
    type: "PublicationImported",
    data: parseWith(publicationImportedSchema, data, at),
  }),
};

/** Validates an append body: the envelope first, then `data` against its type's schema. */
export function parseAppend(body: unknown, prefix = ""): AppendRequest {
  const broken = illFormedString(body);
  if (broken !== undefined) {
    throw invalid([
      {
        path: `${prefix}${broken}`,
        message: "holds an unpaired surrogate: not valid Unicode text",
      },
    ]);
  }
  const { type, data, ...envelope } = parseWith(appendEnvelopeSchema, body, prefix);
  return { ...envelope, ...BODIES[type](data, `${prefix}/data`) };
}

/** One batch item's entity id, validated. */
export function itemEntityId(entityId: unknown): string {
  return parseWith(entityIdSchema, entityId, "/entityId");
}
