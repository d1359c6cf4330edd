import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
  eventsQuerySchema,
  stateQuerySchema,
  timelineQuerySchema,
  verifyQuerySchema,
} from "../api/schemas.js";
import type { Ledger } from "../app/ledger.js";
import { normalizeTimestamp } from "../domain/dates.js";
import { json, Problem, parseWith, queryOf, respond } from "./http.js";
import { entityIdOf } from "./requests.js";
import { ledgerFromEnv } from "./wiring.js";

type Route = (ledger: Ledger, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const query = <T extends { knownAt?: string }>(parsed: T): T =>
  parsed.knownAt === undefined
    ? parsed
    : { ...parsed, knownAt: normalizeTimestamp(parsed.knownAt) };

const routes: Record<string, Route> = {
  "/entities/{entityId}": async (ledger, event) => {
    const q = query(parseWith(stateQuerySchema, queryOf(event), "", "query"));
    return json(200, await ledger.state(entityIdOf(event), q));
  },
  "/entities/{entityId}/events": async (ledger, event) => {
    const q = query(parseWith(eventsQuerySchema, queryOf(event), "", "query"));
    return json(200, await ledger.events(entityIdOf(event), q));
  },
  "/entities/{entityId}/timeline": async (ledger, event) => {
    const q = query(parseWith(timelineQuerySchema, queryOf(event), "", "query"));
    return json(200, await ledger.timeline(entityIdOf(event), q));
  },
  "/entities/{entityId}/verify": async (ledger, event) => {
    parseWith(verifyQuerySchema, queryOf(event), "", "query");
    return json(200, await ledger.verify(entityIdOf(event)));
  },
};

/** The reader: the routes that answer questions. */
export function readerHandler(ledger: () => Ledger) {
  return (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
    respond(async () => {
      const route = event.httpMethod === "GET" ? routes[event.resource] : undefined;
      if (!route)
        throw new Problem(404, "Not found", `No route ${event.httpMethod} ${event.path}.`);
      return route(ledger(), event);
    });
}

export const handler = readerHandler(ledgerFromEnv);
