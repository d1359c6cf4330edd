import { config } from "zod/v4/core";

/** A problem found by a schema, as zod reports it before it has a message. */
interface RawIssue {
  readonly code?: string;
  readonly input?: unknown;
  readonly expected?: string;
  readonly values?: readonly unknown[];
  readonly origin?: string;
  readonly maximum?: number | bigint;
  readonly minimum?: number | bigint;
  readonly inclusive?: boolean;
  readonly format?: string;
  readonly pattern?: string;
}

const UNITS: Record<string, string> = { string: "character", array: "item" };

function kind(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  const type = typeof input;
  return type === "object" || type === "undefined" ? type : `a ${type}`;
}

function bound(issue: RawIssue, limit: number | bigint | undefined, most: boolean): string {
  const unit = UNITS[issue.origin ?? ""];
  const which =
    issue.inclusive === false ? (most ? "less than" : "more than") : most ? "at most" : "at least";
  if (!unit) return `must be ${which} ${limit}`;
  return `must have ${which} ${limit} ${unit}${Number(limit) === 1 ? "" : "s"}`;
}

/**
 * The message of a problem found by a schema, in the ledger's words ("must …", after the
 * field's JSON Pointer): zod/mini leaves messages to its user, and this one covers every
 * check the API's schemas make. Only the functions that validate requests load it.
 */
export function issueMessage(issue: RawIssue): string {
  switch (issue.code) {
    case "invalid_type":
    case "invalid_value":
      if (issue.input === undefined) return "is required";
      break;
  }
  switch (issue.code) {
    case "invalid_type":
      return `must be ${issue.expected === "int" ? "an integer" : `of type ${issue.expected}`}, not ${kind(issue.input)}`;
    case "invalid_value":
      return `must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_big":
      return bound(issue, issue.maximum, true);
    case "too_small":
      return bound(issue, issue.minimum, false);
    case "invalid_format":
      return issue.format === "regex"
        ? `must match ${issue.pattern}`
        : `must be a valid ${issue.format}`;
    default:
      return "is invalid";
  }
}

config({ localeError: issueMessage });
