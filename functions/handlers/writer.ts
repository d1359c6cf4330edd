import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { batchEnvelopeSchema, entityIdSchema } from "../api/schemas.js";
import type { AppendRequest } from "../app/ledger.js";
import {
  actorOf,
  invalid,
  json,
  jsonBody,
  Problem,
  parseWith,
  respond,
  toProblem,
} from "./http.js";
import { apiHandler, recordAppends } from "./observability.js";
import { entityIdOf, parseAppend } from "./requests.js";
import { type Services, servicesFromEnv } from "./wiring.js";

type Parsed = { entityId: string; request: AppendRequest } | { problem: Problem };

/** One batch item: its entity id and append body, or the problem that rejects it alone. */
function parseItem(item: unknown): Parsed {
  try {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw invalid([{ path: "", message: "an item must be an object" }]);
    }
    const { entityId, ...body } = item as Record<string, unknown>;
    return {
      entityId: parseWith(entityIdSchema, entityId, "/entityId"),
      request: parseAppend(body),
    };
  } catch (error) {
    return { problem: toProblem(error) };
  }
}

/** The writer: the routes that append events. */
export function writerHandler(services: () => Services) {
  return (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
    respond(async () => {
      const { ledger } = services();
      if (event.httpMethod === "POST" && event.resource === "/entities/{entityId}/events") {
        const entityId = entityIdOf(event);
        const request = parseAppend(jsonBody(event));
        const result = await ledger.append(entityId, request, actorOf(event));
        return json(result.status, result.answer);
      }
      if (event.httpMethod === "POST" && event.resource === "/batches") {
        const { items } = parseWith(batchEnvelopeSchema, jsonBody(event));
        const parsed = items.map(parseItem);
        const valid = parsed.flatMap((p, i) => ("problem" in p ? [] : [{ ...p, index: i }]));
        const outcomes = await ledger.appendMany(valid, actorOf(event));
        const results: Record<string, unknown>[] = parsed.map((p) =>
          "problem" in p ? p.problem.body() : {},
        );
        valid.forEach(({ index }, n) => {
          const outcome = outcomes[n];
          if (!outcome) return;
          results[index] =
            outcome.status === "fulfilled"
              ? { status: outcome.value.status, ...outcome.value.answer }
              : toProblem(outcome.reason).body();
        });
        return json(200, { results });
      }
      throw new Problem(404, "Not found", `No route ${event.httpMethod} ${event.path}.`);
    });
}

export const handler = apiHandler(writerHandler(servicesFromEnv), recordAppends);
