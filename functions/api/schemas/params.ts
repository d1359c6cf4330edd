import * as z from "zod/mini";
import { isTimestamp, normalizeTimestamp } from "../../domain/dates.js";
import { checked, described, isoDateSchema, str } from "./base.js";

/* The query parameters that several routes take: counts, pages, moments and days. */

/**
 * A moment as a client may ask for it: any RFC 3339 timestamp (an offset, `t`/`z` in lower
 * case, a fraction of any length), read as the ledger's canonical UTC form with milliseconds.
 */
export const knownAtSchema = z.pipe(
  str(
    z.refine(
      isTimestamp,
      "must be an RFC 3339 timestamp such as 2022-03-26T09:15:02.123Z or 2022-03-26T11:15:02+02:00, in the years 0001 to 9999",
    ),
    z.meta({ format: "date-time", example: "2022-03-26T09:15:02.123Z" }),
  ),
  z.transform(normalizeTimestamp),
);

/** A count in a query: plain decimal digits only (no sign, exponent, hex or blanks). */
// @__NO_SIDE_EFFECTS__
export function countSchema(min: number, max: number) {
  return z.pipe(
    z.pipe(
      str(z.regex(/^(0|[1-9][0-9]{0,15})$/, "must be a whole number in plain decimal digits")),
      z.transform(Number),
    ),
    checked(z.int(), z.gte(min), z.lte(max)),
  );
}

export const limitSchema = described(
  z._default(countSchema(1, 1000), 100),
  "The most items in one page: 1 to 1000, in plain decimal digits (default 100).",
);

export const nextTokenSchema = described(
  z.optional(str(z.maxLength(2048))),
  "The `nextToken` of the previous page, to read the next one; only with the same other parameters.",
);

export const knownAtQuery = described(
  z.optional(knownAtSchema),
  "Answer as the ledger knew it at this moment: count only the events recorded at or before it. Any RFC 3339 timestamp (an offset is read as UTC). Default: now, and the answer echoes the later of now and the stream's last recording.",
);

// @__NO_SIDE_EFFECTS__
export function asOfQuery(what: string) {
  return described(z.optional(isoDateSchema), `${what} Default: today (UTC).`);
}
