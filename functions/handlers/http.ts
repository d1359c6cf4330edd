import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { type BaseIssue, type GenericSchema, type InferOutput, safeParse } from "valibot";
import "../api/messages.js";
import { duplicateKey } from "../api/json.js";
import { UnanswerableQuery } from "../app/audit.js";
import { ContentionError } from "../app/ledger.js";
import { InvalidToken } from "../app/tokens.js";
import { DomainError, VersionConflict } from "../domain/errors.js";
import { currentInstance } from "./request-scope.js";
import { DEFAULT_SERVICE_NAME, SERVICE_NAME_ENV } from "./telemetry.js";

/**
 * The functions' logger: JSON lines with, in Lambda, the invocation's context (function,
 * cold start, invocation id) and the API Gateway request id as `correlation_id` (see
 * `observability.ts`). The service is the deployment's (`POWERTOOLS_SERVICE_NAME`).
 */
export const logger = new Logger({
  serviceName: process.env[SERVICE_NAME_ENV] || DEFAULT_SERVICE_NAME,
});

/** The largest request body the API accepts, in bytes. */
export const MAX_BODY_BYTES = 256 * 1024;

/** One field at fault: a JSON Pointer into the request and what is wrong there. */
export interface FieldError {
  path: string;
  message: string;
}

/** An RFC 9457 problem, raised anywhere below a handler and answered as problem+json. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = "Problem";
  }

  /**
   * The problem document. A server error (5xx) raised while answering a request names that
   * request as its `instance` (`urn:uuid:<request id>`), the id its log lines and the
   * access log carry, so that whoever receives it can quote it.
   */
  body(): Record<string, unknown> {
    const instance = this.status >= 500 ? currentInstance() : undefined;
    return {
      type: `https://sanctions-ledger.dev/problems/${slug(this.title)}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance === undefined ? {} : { instance }),
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export function json(status: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

export function problemResponse(problem: Problem): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { "content-type": "application/problem+json" },
    body: JSON.stringify(problem.body()),
  };
}

/** A JSON Pointer for a path of keys (RFC 6901 escaping). */
export function pointer(path: readonly PropertyKey[], prefix = ""): string {
  return (
    prefix + path.map((k) => `/${String(k).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("")
  );
}

/** The field errors of a failed parse, each with the pointer of its field. */
export function fieldErrors(issues: readonly BaseIssue<unknown>[], prefix = ""): FieldError[] {
  return issues.map((issue) => ({
    path: pointer(issue.path?.map((item) => item.key as PropertyKey) ?? [], prefix),
    // A strict object's issue for a key it does not define expects none ("never").
    message:
      issue.type === "strict_object" && issue.expected === "never"
        ? "unknown field"
        : issue.message,
  }));
}

/** The most field errors a problem lists: an array of 100,000 bad items must not make 8 MB. */
export const MAX_FIELD_ERRORS = 100;

/** A 400 problem for invalid input, naming each field at fault (the first 100 of them). */
export function invalid(errors: FieldError[], what = "request"): Problem {
  const first = errors[0];
  const detail = first
    ? `The ${what} is invalid: ${first.path || "/"} ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}.`
    : `The ${what} is invalid.`;
  return new Problem(400, "Invalid request", detail, errors.slice(0, MAX_FIELD_ERRORS));
}

/** Parses with a schema, or throws a 400 problem whose errors point below `prefix`. */
export function parseWith<S extends GenericSchema>(
  schema: S,
  value: unknown,
  prefix = "",
  what = "request",
): InferOutput<S> {
  const result = safeParse(schema, value);
  if (!result.success) throw invalid(fieldErrors(result.issues, prefix), what);
  return result.output;
}

/** The JSON body of a request, or a 400/413 problem. */
export function jsonBody(event: APIGatewayProxyEvent): unknown {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  if (Buffer.byteLength(raw, "utf8") > MAX_BODY_BYTES) {
    throw new Problem(
      413,
      "Request body too large",
      `The body exceeds the limit of ${MAX_BODY_BYTES} bytes.`,
    );
  }
  if (raw.trim() === "") throw invalid([{ path: "", message: "a JSON body is required" }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw invalid([{ path: "", message: `body is not valid JSON (${(error as Error).message})` }]);
  }
  const duplicate = duplicateKey(raw);
  if (duplicate !== undefined) {
    throw invalid([
      { path: duplicate, message: "is a duplicate key: an object may name a member only once" },
    ]);
  }
  return parsed;
}

/**
 * The JSON Pointer of the first string (or key) that is not well-formed Unicode, which no
 * canonical JSON can hold. Iterative, so that deeply nested bodies cannot exhaust the stack.
 */
export function illFormedString(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === "string") {
      if (!value.isWellFormed()) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        stack.push([item, `${path}/${i}`]);
      });
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const at = pointer([key], path);
        if (!key.isWellFormed()) return at;
        stack.push([item, at]);
      }
    }
  }
  return undefined;
}

/**
 * The validated query string parameters, a missing set read as empty. A parameter given
 * more than once is at fault too: API Gateway passes on only the last value, and the caller
 * may have meant another. Every fault is named in one 400, repeated parameters first.
 */
export function parseQuery<S extends GenericSchema>(
  schema: S,
  event: APIGatewayProxyEvent,
): InferOutput<S> {
  const repeated = Object.entries(event.multiValueQueryStringParameters ?? {}).flatMap(
    ([name, values]) =>
      values && values.length > 1
        ? [{ path: pointer([name]), message: `must be given once, not ${values.length} times` }]
        : [],
  );
  // fromEntries defines own properties: a parameter named __proto__ stays a parameter.
  const query = Object.fromEntries(
    Object.entries(event.queryStringParameters ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const result = safeParse(schema, query);
  const errors = [...repeated, ...(result.success ? [] : fieldErrors(result.issues))];
  if (errors.length > 0 || !result.success) throw invalid(errors, "query");
  return result.output;
}

/** The caller: the IAM principal that API Gateway authenticated, or `local`. */
export function actorOf(event: APIGatewayProxyEvent): string {
  const identity = event.requestContext?.identity;
  return identity?.userArn ?? identity?.caller ?? "local";
}

/** Maps any error to a problem: domain errors to their status, the unexpected to a bare 500. */
export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof DomainError) {
    const errors = error.path ? [{ path: error.path, message: error.message }] : undefined;
    const extra = error instanceof VersionConflict ? { currentVersion: error.currentVersion } : {};
    return new Problem(error.status, error.title, error.message, errors, extra);
  }
  if (error instanceof InvalidToken) {
    return invalid([{ path: "/nextToken", message: error.message }]);
  }
  if (error instanceof UnanswerableQuery) {
    return invalid([{ path: error.path, message: error.message }], "query");
  }
  if (error instanceof ContentionError) {
    logger.warn("answered 503: contention", {
      entityId: error.entityId,
      instance: currentInstance(),
    });
    return new Problem(503, "Contention", error.message);
  }
  logger.error("answered 500: unexpected error", {
    error: error as Error,
    instance: currentInstance(),
  });
  return new Problem(500, "Internal error", "The ledger could not answer this request.");
}

/** Runs a route, answering any failure as problem+json. */
export async function respond(
  run: () => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  try {
    return await run();
  } catch (error) {
    return problemResponse(toProblem(error));
  }
}
