import { WRITER_ROUTES } from "../api/routes.js";
import { batchEnvelopeSchema } from "../api/schemas.js";
import type { AppendRequest } from "../app/ledger.js";
import { actorOf, invalid, jsonBody, type Problem, parseWith, toProblem } from "./http.js";
import { apiHandler, recordAppends } from "./observability.js";
import { dispatcher, itemEntityId, type Operations, parseAppend } from "./requests.js";
import { type WriterServices, writerServicesFromEnv } from "./wiring.js";

type Parsed = { entityId: string; request: AppendRequest } | { problem: Problem };

/** One batch item: its entity id and append body, or the problem that rejects it alone. */
function parseItem(item: unknown): Parsed {
  try {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw invalid([{ path: "", message: "an item must be an object" }]);
    }
    const { entityId, ...body } = item as Record<string, unknown>;
    return { entityId: itemEntityId(entityId), request: parseAppend(body) };
  } catch (error) {
    return { problem: toProblem(error) };
  }
}

/** The writer: the routes that append events (`WRITER_ROUTES`). */
export function writerHandler(services: () => WriterServices) {
  const operations: Operations<WriterServices, "writer"> = {
    appendEvent: async ({ ledger }, { path, event }) => {
      const request = parseAppend(jsonBody(event));
      const result = await ledger.append(path.entityId, request, actorOf(event));
      return { status: result.status, body: result.answer };
    },
    appendBatch: async ({ ledger }, { event }) => {
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
      return { status: 200, body: { results } };
    },
  };
  return dispatcher(WRITER_ROUTES, services, operations);
}

export const handler = apiHandler(writerHandler(writerServicesFromEnv), recordAppends);
