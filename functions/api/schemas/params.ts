import * as v from "valibot";
import { isTimestamp, normalizeTimestamp } from "../../domain/dates.js";
import { isoDateSchema, str } from "./base.js";

/*
 * The query parameters that several routes take: counts, pages, moments and days. Their
 * descriptions are the OpenAPI document's (`../route-docs.ts`), not the functions'.
 */

/**
 * A moment as a client may ask for it: any RFC 3339 timestamp (an offset, `t`/`z` in lower
 * case, a fraction of any length), read as the ledger's canonical UTC form with milliseconds.
 */
export const knownAtSchema = v.pipe(
  v.string(),
  v.check(
    isTimestamp,
    "must be an RFC 3339 timestamp such as 2022-03-26T09:15:02.123Z or 2022-03-26T11:15:02+02:00, in the years 0001 to 9999",
  ),
  v.metadata({ format: "date-time", example: "2022-03-26T09:15:02.123Z" }),
  v.transform(normalizeTimestamp),
);

/** A count in a query: plain decimal digits only (no sign, exponent, hex or blanks). */
// @__NO_SIDE_EFFECTS__
export function countSchema(min: number, max: number) {
  return v.pipe(
    v.string(),
    v.regex(/^(0|[1-9][0-9]{0,15})$/, "must be a whole number in plain decimal digits"),
    v.transform(Number),
    v.integer(),
    v.minValue(min),
    v.maxValue(max),
  );
}

export const limitSchema = v.optional(countSchema(1, 1000), "100");

export const nextTokenSchema = v.optional(str(v.maxLength(2048)));

export const knownAtQuery = v.optional(knownAtSchema);

export const asOfQuery = v.optional(isoDateSchema);
