import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { z } from "zod";
import { openApiDocument } from "../api/openapi.js";
import {
  changesQuerySchema,
  eventsQuerySchema,
  openapiQuerySchema,
  sanctionsQuerySchema,
  searchQuerySchema,
  stateQuerySchema,
  timelineQuerySchema,
  verifyQuerySchema,
} from "../api/schemas.js";
import { normalizeTimestamp } from "../domain/dates.js";
import { json, Problem, parseWith, queryOf, respond } from "./http.js";
import { apiHandler } from "./observability.js";
import { entityIdOf } from "./requests.js";
import { type Services, servicesFromEnv } from "./wiring.js";

type Route = (services: Services, event: APIGatewayProxyEvent) => Promise<unknown>;

/** The validated query parameters, with `knownAt` in the ledger's canonical form. */
function query<S extends z.ZodType>(schema: S, event: APIGatewayProxyEvent): z.output<S> {
  const parsed = parseWith(schema, queryOf(event), "", "query") as { knownAt?: string };
  return (
    parsed.knownAt === undefined
      ? parsed
      : { ...parsed, knownAt: normalizeTimestamp(parsed.knownAt) }
  ) as z.output<S>;
}

const routes: Record<string, Route> = {
  "/entities/{entityId}": ({ ledger }, event) =>
    ledger.state(entityIdOf(event), query(stateQuerySchema, event)),
  "/entities/{entityId}/events": ({ ledger }, event) =>
    ledger.events(entityIdOf(event), query(eventsQuerySchema, event)),
  "/entities/{entityId}/timeline": ({ ledger }, event) =>
    ledger.timeline(entityIdOf(event), query(timelineQuerySchema, event)),
  "/entities/{entityId}/verify": ({ ledger }, event) => {
    query(verifyQuerySchema, event);
    return ledger.verify(entityIdOf(event));
  },
  "/sanctions": ({ audit }, event) => audit.sanctions(query(sanctionsQuerySchema, event)),
  "/changes": ({ audit }, event) => audit.changes(query(changesQuerySchema, event)),
  "/search": ({ audit }, event) => audit.search(query(searchQuerySchema, event)),
  "/openapi.json": async (_, event) => {
    query(openapiQuerySchema, event);
    return openApiDocument();
  },
};

/** The reader: the routes that answer questions. */
export function readerHandler(services: () => Services) {
  return (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
    respond(async () => {
      const route = event.httpMethod === "GET" ? routes[event.resource] : undefined;
      if (!route)
        throw new Problem(404, "Not found", `No route ${event.httpMethod} ${event.path}.`);
      return json(200, await route(services(), event));
    });
}

export const handler = apiHandler(readerHandler(servicesFromEnv));
