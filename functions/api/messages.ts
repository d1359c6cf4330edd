import { type BaseIssue, setGlobalMessage } from "valibot";

const UNITS: Record<string, string> = { string: "character", array: "item" };

/** What a value is, as a message names it: `null`, `an array`, `a number`, … */
function kind(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  const type = typeof input;
  return type === "object" || type === "undefined" ? type : `a ${type}`;
}

/** A bound on a length (of a string or an array) or on a value. */
function bound(issue: BaseIssue<unknown>, most: boolean): string {
  const limit = issue.requirement as number;
  const unit = UNITS[Array.isArray(issue.input) ? "array" : typeof issue.input];
  const which = most ? "at most" : "at least";
  if (!unit) return `must be ${which} ${limit}`;
  return `must have ${which} ${limit} ${unit}${limit === 1 ? "" : "s"}`;
}

/** The JSON type a schema of this valibot type expects. */
const TYPES: Record<string, string> = {
  strict_object: "object",
  object: "object",
  custom: "object",
};

/**
 * The message of a problem found by a schema, in the ledger's words ("must …", after the
 * field's JSON Pointer): valibot leaves messages to its user, and this one covers every
 * check the API's schemas make that gives no message of its own. Only the functions that
 * validate requests load it.
 */
export function issueMessage(issue: BaseIssue<unknown>): string {
  if (issue.kind === "schema" && issue.input === undefined) return "is required";
  switch (issue.type) {
    case "picklist":
    case "literal":
      // Valibot writes the options as `("a" | "b")`.
      return `must be one of ${issue.expected
        ?.replace(/^\((.*)\)$/, "$1")
        .split(" | ")
        .join(", ")}`;
    case "safe_integer":
    case "integer":
      // A whole number past 2^53 is an integer all the same: what is wrong is its size.
      if (Number.isInteger(issue.input)) {
        return (issue.input as number) > 0
          ? `must be at most ${Number.MAX_SAFE_INTEGER}`
          : `must be at least ${Number.MIN_SAFE_INTEGER}`;
      }
      return `must be an integer, not ${issue.received}`;
    case "max_length":
      return bound(issue, true);
    case "min_length":
      return bound(issue, false);
    case "max_value":
      return bound(issue, true);
    case "min_value":
      return bound(issue, false);
    case "regex":
      return `must match ${issue.requirement}`;
  }
  if (issue.kind === "schema") {
    return `must be of type ${TYPES[issue.type] ?? issue.type}, not ${kind(issue.input)}`;
  }
  return "is invalid";
}

setGlobalMessage(issueMessage);
