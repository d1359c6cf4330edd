import * as z from "zod/mini";
import { isCanonicalTimestamp, isIsoDate } from "../../domain/dates.js";

/*
 * The shapes every route shares: ids, dates, printable text, the paths. Written with zod/mini,
 * whose functions tree-shake, and each helper here is marked free of side effects, so that a
 * Lambda bundle holds only the schemas, and the checks, of the routes it serves (one module
 * per function's routes beside this one). The messages are zod's English ones
 * (`../messages.ts` configures them).
 */

/** `schema.check(...checks)`, marked pure so that a bundle drops the schemas it does not use. */
// @__NO_SIDE_EFFECTS__
export function checked<T extends z.ZodMiniType>(
  schema: T,
  ...checks: z.core.$ZodCheck<z.output<T>>[]
): T {
  return schema.check(...checks);
}

/** A string with checks. */
// @__NO_SIDE_EFFECTS__
export function str(...checks: z.core.$ZodCheck<string>[]) {
  return z.string().check(...checks);
}

/** A described schema: the description goes into the OpenAPI document. */
// @__NO_SIDE_EFFECTS__
export function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  return schema.check(z.meta({ description }));
}

export const entityIdSchema = str(
  z.regex(/^[a-z0-9][a-z0-9._:-]{0,127}$/, "must match ^[a-z0-9][a-z0-9._:-]{0,127}$"),
);

export const isoDateSchema = str(
  z.refine(isIsoDate, "must be a calendar date YYYY-MM-DD"),
  z.meta({ format: "date", example: "2022-04-02" }),
);

/** A moment as the ledger answers it: UTC with milliseconds. */
export const timestampSchema = str(
  z.refine(isCanonicalTimestamp, "must be a UTC timestamp such as 2022-03-26T09:15:02.123Z"),
  z.meta({ format: "date-time", example: "2022-03-26T09:15:02.123Z" }),
);

/**
 * C0 and C1 controls (DEL among them) and the BiDi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069): text that can rewrite a terminal line or show one name as
 * another (CVE-2021-42574), never part of a name.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

function unsafeCharacter(input: unknown): string {
  const found = typeof input === "string" ? UNSAFE_TEXT.exec(input) : null;
  const code = found?.[0].codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

export const notBlank = z.refine<string>((s) => s.trim().length > 0, "must not be blank");

// @__NO_SIDE_EFFECTS__
export function text(max: number) {
  return str(z.maxLength(max), notBlank);
}

export const idLike = str(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
);

export const eventIdSchema = str(
  z.regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/,
    "must be 1 to 128 characters of letters, digits and ._:@/+-",
  ),
);

export const countrySchema = str(
  z.regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as RU"),
);

export const authoritySchema = str(
  z.regex(/^[A-Z][A-Z0-9-]{1,31}$/, "must match ^[A-Z][A-Z0-9-]{1,31}$ (e.g. JP, US-OFAC)"),
);

/** The description of text that {@link nameText} admits. */
export const PRINTABLE_TEXT =
  "Printable text: no C0/C1 control characters, no BiDi embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069).";

/** Text shown as a name: no control characters, no BiDi overrides or isolates. */
// @__NO_SIDE_EFFECTS__
export function nameText(max: number) {
  return str(
    z.maxLength(max),
    notBlank,
    z.refine<string>((s) => !UNSAFE_TEXT.test(s), {
      error: (issue) =>
        `must not hold control characters or BiDi overrides and isolates (found ${unsafeCharacter(issue.input)})`,
    }),
    z.meta({ description: PRINTABLE_TEXT }),
  );
}

/** A whole number at least `min`. */
// @__NO_SIDE_EFFECTS__
export function version(min: number) {
  return checked(z.int(), z.gte(min));
}

/** The query of a route that takes no parameter: any parameter is a 400. */
export const emptyQuerySchema = z.strictObject({});

/** The path parameters of a route without any. */
export const noPathSchema = z.strictObject({});

/** The path parameters of the routes under `/entities/{entityId}`. */
export const entityPathSchema = z.object({
  entityId: entityIdSchema,
});
