import { z } from "zod";
import { ROUTES } from "../handlers/routes.js";
import {
  appendAnswerSchema,
  appendBodySchema,
  batchAnswerSchema,
  batchBodySchema,
  changesPageSchema,
  changesQuerySchema,
  entityIdSchema,
  entityStateSchema,
  eventsPageSchema,
  eventsQuerySchema,
  openapiQuerySchema,
  problemSchema,
  sanctionsPageSchema,
  sanctionsQuerySchema,
  searchPageSchema,
  searchQuerySchema,
  stateQuerySchema,
  timelineQuerySchema,
  timelineSchema,
  verificationSchema,
  verifyQuerySchema,
} from "./schemas.js";

interface Operation {
  summary: string;
  query: z.ZodObject;
  body?: [name: string, schema: z.ZodType];
  ok: [status: number, name: string, schema: z.ZodType][];
  problems: number[];
}

const OPERATIONS: Record<string, Operation> = {
  "POST /entities/{entityId}/events": {
    summary: "Append one event to the entity's stream",
    query: verifyQuerySchema,
    body: ["AppendBody", appendBodySchema],
    ok: [
      [201, "AppendAnswer", appendAnswerSchema],
      [200, "AppendAnswer", appendAnswerSchema],
    ],
    problems: [400, 404, 409, 413, 422],
  },
  "GET /entities/{entityId}": {
    summary: "The entity on a day, as known at a moment",
    query: stateQuerySchema,
    ok: [[200, "EntityState", entityStateSchema]],
    problems: [400, 404],
  },
  "GET /entities/{entityId}/events": {
    summary: "The entity's stream, oldest first",
    query: eventsQuerySchema,
    ok: [[200, "EventsPage", eventsPageSchema]],
    problems: [400, 404],
  },
  "GET /entities/{entityId}/timeline": {
    summary: "Each sanction's terms on the valid-time axis",
    query: timelineQuerySchema,
    ok: [[200, "Timeline", timelineSchema]],
    problems: [400, 404],
  },
  "GET /entities/{entityId}/verify": {
    summary:
      "Recompute the entity's hash chain and check its head against the one the views witnessed",
    query: verifyQuerySchema,
    ok: [[200, "Verification", verificationSchema]],
    problems: [400, 404],
  },
  "POST /batches": {
    summary: "Append up to 100 events, each idempotent by its eventId",
    query: verifyQuerySchema,
    body: ["BatchBody", batchBodySchema],
    ok: [[200, "BatchAnswer", batchAnswerSchema]],
    problems: [400, 413],
  },
  "GET /sanctions": {
    summary: "Entities with a matching sanction in force on a day",
    query: sanctionsQuerySchema,
    ok: [[200, "SanctionsPage", sanctionsPageSchema]],
    problems: [400],
  },
  "GET /changes": {
    summary: "Sanctions that entered force, changed terms or left force between two days",
    query: changesQuerySchema,
    ok: [[200, "ChangesPage", changesPageSchema]],
    problems: [400],
  },
  "GET /search": {
    summary: "Entities by name or alias",
    query: searchQuerySchema,
    ok: [[200, "SearchPage", searchPageSchema]],
    problems: [400],
  },
  "GET /openapi.json": {
    summary: "This description",
    query: openapiQuerySchema,
    ok: [[200, "OpenApi", z.record(z.string(), z.unknown())]],
    problems: [],
  },
};

const PROBLEM_TITLES: Record<number, string> = {
  400: "Malformed request: the errors name each field at fault",
  404: "Unknown entity (at knownAt), or unknown route",
  409: "Version conflict (with currentVersion), or an eventId already used with other content",
  413: "Body over the limit",
  422: "A domain rule is broken",
  500: "Unexpected error",
};

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return rest;
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 description of the API, generated from the zod schemas that validate it. */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const schemas: Record<string, unknown> = { Problem: jsonSchema(problemSchema, "output") };
  const ref = (name: string, schema: z.ZodType, io: "input" | "output") => {
    schemas[name] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const op = OPERATIONS[`${route.method} ${route.resource}`];
    if (!op) throw new Error(`no description for ${route.method} ${route.resource}`);
    const parameters: unknown[] = [];
    if (route.resource.includes("{entityId}")) {
      parameters.push({
        name: "entityId",
        in: "path",
        required: true,
        schema: jsonSchema(entityIdSchema, "input"),
      });
    }
    for (const [name, field] of Object.entries(op.query.shape)) {
      const schema = field as z.ZodType;
      parameters.push({
        name,
        in: "query",
        required: !schema.safeParse(undefined).success,
        schema: jsonSchema(schema, "input"),
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, name, schema] of op.ok) {
      responses[String(status)] = {
        description:
          status === 200 && op.body && route.resource.includes("events")
            ? "Idempotent replay: the original answer"
            : "OK",
        content: { "application/json": { schema: ref(name, schema, "output") } },
      };
    }
    for (const status of [...op.problems, 500]) {
      responses[String(status)] = {
        description: PROBLEM_TITLES[status],
        content: {
          "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
        },
      };
    }
    paths[route.resource] ??= {};
    (paths[route.resource] as Record<string, unknown>)[route.method.toLowerCase()] = {
      summary: op.summary,
      operationId: `${route.method.toLowerCase()}${route.resource.replace(/[{}]/g, "").replace(/[^A-Za-z]+(.)/g, (_, c: string) => c.toUpperCase())}`,
      security: [{ sigv4: [] }],
      parameters,
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: ref(op.body[0], op.body[1], "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "sanctions-ledger",
      version: "1",
      description:
        "An event-sourced, bitemporal ledger of sanctions measures. Every method requires AWS IAM (SigV4) authorization.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          description: "AWS Signature Version 4 (IAM authorization)",
        },
      },
    },
  };
  return cached;
}
