import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { Ledger } from "../app/ledger.js";
import { actorOf, json, jsonBody, Problem, respond } from "./http.js";
import { entityIdOf, parseAppend } from "./requests.js";
import { ledgerFromEnv } from "./wiring.js";

/** The writer: the routes that append events. */
export function writerHandler(ledger: () => Ledger) {
  return (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
    respond(async () => {
      if (event.httpMethod === "POST" && event.resource === "/entities/{entityId}/events") {
        const entityId = entityIdOf(event);
        const request = parseAppend(jsonBody(event));
        const result = await ledger().append(entityId, request, actorOf(event));
        return json(result.status, result.answer);
      }
      throw new Problem(404, "Not found", `No route ${event.httpMethod} ${event.path}.`);
    });
}

export const handler = writerHandler(ledgerFromEnv);
