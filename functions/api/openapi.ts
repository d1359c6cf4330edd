import { toJsonSchema } from "@valibot/to-json-schema";
import { type GenericSchema, safeParse } from "valibot";
import { problemSchema } from "./answers.js";
import {
  type FailureStatus,
  PARAMETER_DOCS,
  ROUTE_DOCS,
  type RouteDoc,
  TAGS,
} from "./route-docs.js";
import { type ObjectSchema, ROUTES } from "./routes.js";

type Json = Record<string, unknown>;

/** Who answers a failure: the ledger (problem+json), API Gateway (`{message}`), or either. */
type Origin = "ledger" | "gateway" | "either";

const FAILURES: Record<FailureStatus, { description: string; origin: Origin }> = {
  400: {
    description:
      "Malformed request (a bad field, an unknown or repeated parameter, a duplicate JSON key, a body that is not JSON): `errors` names each field at fault by its JSON Pointer. Nothing is written.",
    origin: "ledger",
  },
  403: {
    description:
      "API Gateway refused the call: no valid AWS Signature Version 4, or the caller's IAM policy does not allow `execute-api:Invoke` on this method (and any path the API does not serve). Locally: a request whose `Origin` or `Host` is not the server's own.",
    origin: "either",
  },
  404: {
    description:
      "The entity is unknown (at `knownAt`), or the checkpoint, event leaf or proof asked for is not (yet) in the ledger-wide log.",
    origin: "ledger",
  },
  409: {
    description:
      "`expectedVersion` differs from the stream's head (`currentVersion` says where it stands), or the `eventId` is already in the stream with other content.",
    origin: "ledger",
  },
  413: {
    description:
      "The body exceeds 256 KiB (the ledger), or 10 MiB (API Gateway, which then answers on its own).",
    origin: "either",
  },
  415: {
    description: "The body is not `application/json` (the local runtime checks it).",
    origin: "ledger",
  },
  422: {
    description: "A domain rule refuses the event; `errors` names the field it concerns.",
    origin: "ledger",
  },
  429: {
    description:
      "API Gateway throttled the call (the stage's or the route's rate or burst limit). Retry later, with backoff.",
    origin: "gateway",
  },
  500: {
    description:
      "The ledger failed unexpectedly; nothing is known to be written unless a retry with the same `eventId` says so.",
    origin: "either",
  },
  502: {
    description:
      "API Gateway received no valid answer from the function (it crashed or ran out of time). An append may have been written: retry with the same `eventId`.",
    origin: "gateway",
  },
  503: {
    description:
      "Too many writers contended for the entity and the append gave up, or the service is unavailable. Retry later, with the same `eventId`.",
    origin: "either",
  },
  504: {
    description:
      "API Gateway's integration timeout passed before the function answered. An append may have been written: retry with the same `eventId`.",
    origin: "gateway",
  },
};

const PROBLEM = { $ref: "#/components/schemas/Problem" };
const GATEWAY_ERROR = { $ref: "#/components/schemas/GatewayError" };

function failureContent(origin: Origin): Json {
  const content: Json = {};
  if (origin !== "gateway") content["application/problem+json"] = { schema: PROBLEM };
  if (origin !== "ledger") content["application/json"] = { schema: GATEWAY_ERROR };
  return content;
}

/**
 * The JSON Schema of a request (`input`) or an answer (`output`). A `check` has no JSON
 * Schema: its rule is in the field's description or the route's (a calendar date, a name's
 * printable text, …).
 */
function jsonSchema(schema: GenericSchema, io: "input" | "output"): Json {
  const { $schema: _, ...rest } = toJsonSchema(schema, {
    target: "draft-2020-12",
    typeMode: io,
    ignoreActions: ["check"],
  }) as Json;
  return tidy(rest) as Json;
}

/**
 * The schema as a client generator reads it best: a `const` with its `type`, and no
 * `required: []` (an object whose every property is optional).
 */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "required" && Array.isArray(value) && value.length === 0) continue;
    out[key] = tidy(value);
  }
  if ("const" in out && !("type" in out)) out.type = typeof out.const;
  return out;
}

/** The parameters of one location (`path` or `query`), each with its description. */
function parameters(
  where: "path" | "query",
  schema: ObjectSchema,
  docs: Readonly<Record<string, string>>,
  route: string,
): Json[] {
  return Object.entries(schema.entries).map(([name, field]) => {
    const { description: _, ...fieldSchema } = jsonSchema(field, "input");
    const description = docs[name];
    if (typeof description !== "string") throw new Error(`${route}: ${name} has no description`);
    return {
      name,
      in: where,
      required: where === "path" || !safeParse(field, undefined).success,
      description,
      schema: fieldSchema,
    };
  });
}

let cached: Json | undefined;

/** The OpenAPI 3.1 description of the API, generated from its route table. */
export function openApiDocument(): Json {
  if (cached) return cached;
  const schemas: Json = {
    Problem: jsonSchema(problemSchema, "output"),
    GatewayError: {
      type: "object",
      description:
        "API Gateway's own answer, given before the ledger is reached (unless the stage's gateway responses are set to problem+json).",
      properties: { message: { type: "string" } },
    },
  };
  const ref = (name: string, schema: GenericSchema, io: "input" | "output") => {
    schemas[name] ??= jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  };
  const paths: Record<string, Json> = {};
  for (const dispatch of ROUTES) {
    const doc: RouteDoc = ROUTE_DOCS[dispatch.operationId];
    const route = { ...dispatch, ...doc };
    const where = `${route.method} ${route.resource}`;
    const responses: Json = {};
    for (const answer of route.answers) {
      responses[String(answer.status)] = {
        description: answer.description,
        content: {
          [answer.mediaType ?? "application/json"]: {
            schema: ref(answer.name, answer.schema, "output"),
          },
        },
      };
    }
    for (const status of route.failures) {
      const { description, origin } = FAILURES[status];
      responses[String(status)] = { description, content: failureContent(origin) };
    }
    paths[route.resource] ??= {};
    (paths[route.resource] as Json)[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      description: route.description,
      tags: [...route.tags],
      security: [{ sigv4: [] }],
      parameters: [
        ...parameters("path", route.path, PARAMETER_DOCS[route.operationId], where),
        ...parameters("query", route.query, PARAMETER_DOCS[route.operationId], where),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              description: "The request, as JSON (`content-type: application/json`).",
              content: {
                "application/json": { schema: ref(route.body.name, route.body.schema, "input") },
              },
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
      summary: "An event-sourced, bitemporal ledger of sanctions measures.",
      description:
        "Records every sanctions act as an immutable, hash-chained event, and answers what was in force or pending on any day, as the ledger knew it at any moment. Deployed, every method requires AWS IAM authorization: requests are signed with AWS Signature Version 4 for the service `execute-api`. Errors are `application/problem+json` (RFC 9457) with `errors[].path` a JSON Pointer into the request.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [
      {
        url: "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
        description:
          "A deployed stack (API Gateway REST API; the stack outputs its URL as ApiUrl).",
        variables: {
          restApiId: {
            default: "abcdef1234",
            description: "The id of the REST API, from the stack's ApiUrl output.",
          },
          region: { default: "eu-west-1", description: "The AWS Region of the stack." },
          stage: { default: "v1", description: "The deployment stage (LedgerApi's stageName)." },
        },
      },
      {
        url: "http://localhost:3000",
        description: "The local runtime (`npm start`; `PORT` changes the port). No signing.",
      },
    ],
    security: [{ sigv4: [] }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          "x-amazon-apigateway-authtype": "awsSigv4",
          description:
            "AWS Signature Version 4 (IAM authorization): sign each request for the service `execute-api` in the API's Region, with credentials whose IAM policy allows `execute-api:Invoke` on the method (the stack's reader or writer policy).",
        },
      },
    },
  };
  return cached;
}
