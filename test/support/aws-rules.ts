import type { BuildMiddleware, MiddlewareStack } from "@smithy/types";
import { EVENTS_TABLE, VIEWS_TABLE } from "../../functions/store/keys.js";

/**
 * Rules DynamoDB documents and enforces that not every engine the tests run on enforces,
 * checked on every request the tests make, so that code relying on an engine's leniency
 * fails on any engine:
 *
 * - a key attribute of a table or of a secondary index may not be an empty string or
 *   binary (dynalite accepts an empty local secondary index sort key; moto and DynamoDB
 *   answer ValidationException);
 * - `Limit` is at least 1 (dynalite answers ValidationException; moto answers an empty
 *   partition with no items and any other with an HTTP 500);
 * - every expression attribute name and value must be used by an expression (moto accepts
 *   unused ones; dynalite and DynamoDB answer ValidationException).
 */
export function enforceAwsRules<I extends object, O extends object>(client: {
  middlewareStack: MiddlewareStack<I, O>;
}): void {
  const check: BuildMiddleware<I, O> = (next) => async (args) => {
    const request = args.request as { headers?: Record<string, string>; body?: unknown };
    const target = request.headers?.["x-amz-target"]?.split(".")[1];
    const body =
      request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : request.body;
    if (target && typeof body === "string" && mayBreakARule(target, body)) {
      const problem = violation(target, JSON.parse(body));
      if (problem) {
        throw Object.assign(new Error(`${target}: ${problem}`), { name: "ValidationException" });
      }
    }
    return next(args);
  };
  client.middlewareStack.add(check, { step: "build", name: "enforceAwsRules" });
}

/** Whether a request needs a closer look: most (items without expressions) cannot break one. */
function mayBreakARule(target: string, body: string): boolean {
  return (
    target === "Query" ||
    target === "Scan" ||
    body.includes('"S":""') ||
    body.includes('"B":""') ||
    body.includes("ExpressionAttribute")
  );
}

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

/** The key attributes of the table (its own keys and its indexes' sort keys). */
function keyAttributes(table: string): string[] {
  if (table.endsWith("-events")) {
    const { partitionKey, sortKey, byEventId, byRecordedAt } = EVENTS_TABLE;
    return [partitionKey, sortKey, byEventId.sortKey, byRecordedAt.sortKey];
  }
  if (table.endsWith("-views")) return [VIEWS_TABLE.partitionKey, VIEWS_TABLE.sortKey];
  return [];
}

function emptyKey(table: string, item: Item | undefined): string | undefined {
  if (!item) return undefined;
  for (const name of keyAttributes(table)) {
    const value = item[name];
    if (value && (value.S === "" || value.B === "")) {
      return `the key attribute ${name} of ${table} is empty: DynamoDB refuses an empty string or binary in a key attribute of a table or index`;
    }
  }
  return undefined;
}

const EXPRESSIONS = [
  "KeyConditionExpression",
  "FilterExpression",
  "ConditionExpression",
  "UpdateExpression",
  "ProjectionExpression",
] as const;

function unusedPlaceholders(input: Record<string, unknown>): string | undefined {
  const text = EXPRESSIONS.map((e) => input[e])
    .filter((e): e is string => typeof e === "string")
    .join(" ");
  const used = new Set(text.match(/[#:][A-Za-z0-9_]+/g) ?? []);
  for (const field of ["ExpressionAttributeNames", "ExpressionAttributeValues"] as const) {
    const defined = Object.keys((input[field] as object | undefined) ?? {});
    const unused = defined.filter((name) => !used.has(name));
    if (unused.length > 0) {
      return `${field} unused in expressions: ${unused.join(", ")} (DynamoDB answers ValidationException)`;
    }
  }
  return undefined;
}

function violation(target: string, input: Record<string, unknown>): string | undefined {
  const table = String(input.TableName ?? "");
  if ((target === "Query" || target === "Scan") && typeof input.Limit === "number") {
    if (input.Limit < 1) return `Limit ${input.Limit}: DynamoDB requires at least 1`;
  }
  if (target === "BatchWriteItem") {
    const requests = (input.RequestItems ?? {}) as Record<
      string,
      { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
    >;
    for (const [name, writes] of Object.entries(requests)) {
      for (const write of writes) {
        const problem = emptyKey(name, write.PutRequest?.Item ?? write.DeleteRequest?.Key);
        if (problem) return problem;
      }
    }
    return undefined;
  }
  return (
    emptyKey(table, input.Item as Item | undefined) ??
    emptyKey(table, input.Key as Item | undefined) ??
    unusedPlaceholders(input)
  );
}
