import * as v from "valibot";
import { isCanonicalTimestamp, isIsoDate } from "../../domain/dates.js";

/*
 * The shapes every route shares: ids, dates, printable text, the paths. Written with
 * valibot, whose functions tree-shake one by one, and each helper here is marked free of
 * side effects, so that a Lambda bundle holds only the schemas, and the checks, of the
 * routes it serves (one module per function's routes beside this one). The messages are
 * the ledger's own (`../messages.ts`), save where a check gives its own.
 */

/** A check on a value of type T: an action of a valibot pipe that keeps the type. */
export type Check<T> = v.PipeItem<T, T, v.BaseIssue<unknown>>;

/** `schema` with checks after it, marked pure so that a bundle drops the schemas it does not use. */
// @__NO_SIDE_EFFECTS__
export function checked<T extends v.GenericSchema>(
  schema: T,
  ...checks: Check<v.InferOutput<T>>[]
): v.GenericSchema<v.InferInput<T>, v.InferOutput<T>> {
  return v.pipe(schema, ...checks) as v.GenericSchema<v.InferInput<T>, v.InferOutput<T>>;
}

/** A string with checks. */
// @__NO_SIDE_EFFECTS__
export function str(...checks: Check<string>[]): v.GenericSchema<string> {
  return checked(v.string(), ...checks);
}

/** A described schema: the description goes into the OpenAPI document. */
// @__NO_SIDE_EFFECTS__
export function described<T extends v.GenericSchema>(
  schema: T,
  description: string,
): v.GenericSchema<v.InferInput<T>, v.InferOutput<T>> {
  return checked(schema, v.description(description));
}

/**
 * A JSON object of exactly these members, every other member named as an unknown field.
 * Valibot's strict object takes an array too (an empty one as `{}`), and names only the
 * first unknown member; a request's object is never an array, and a 400 names them all.
 */
// @__NO_SIDE_EFFECTS__
export function strict<const E extends v.ObjectEntries>(
  entries: E,
): v.StrictObjectSchema<E, undefined> {
  const { "~standard": _, ...schema } = v.strictObject(entries);
  return v._standardSchema<v.StrictObjectSchema<E, undefined>>({
    ...schema,
    "~run"(dataset, config) {
      const input = dataset.value;
      if (Array.isArray(input)) {
        v._addIssue(this, "type", dataset, config);
        return dataset as unknown as ReturnType<(typeof schema)["~run"]>;
      }
      const out = schema["~run"](dataset, config);
      if (out.issues && typeof input === "object" && input !== null) {
        const object = input as Record<string, unknown>;
        const unknown = Object.keys(object).filter((key) => !Object.hasOwn(entries, key));
        // Valibot named the first already.
        for (const key of unknown.slice(1)) {
          v._addIssue(this, "key", out, config, {
            input: key,
            expected: "never",
            path: [{ type: "object", origin: "key", input: object, key, value: object[key] }],
          });
        }
      }
      return out;
    },
  });
}

/**
 * An array of `item`, at most `max` of them (`checks` after): a longer one is refused as
 * such before its items are read, so that 100,000 bad items cost one error, not 100,000.
 */
// @__NO_SIDE_EFFECTS__
export function listOf<T extends v.GenericSchema>(
  item: T,
  max: number,
  ...checks: Check<v.InferOutput<T>[]>[]
) {
  const { "~standard": _, ...schema } = v.array(item);
  const tooLong = v.maxLength<unknown[], number>(max);
  const guarded = v._standardSchema<v.ArraySchema<T, undefined>>({
    ...schema,
    "~run"(dataset, config) {
      const input = dataset.value;
      if (!Array.isArray(input) || input.length <= max) return schema["~run"](dataset, config);
      v._addIssue(tooLong, "length", dataset, config, { received: `${input.length}` });
      const refused = dataset as unknown as ReturnType<(typeof schema)["~run"]>;
      refused.typed = false;
      return refused;
    },
  });
  // The bound again in the pipe: it describes the array's maxItems in the OpenAPI document.
  return checked(guarded, v.maxLength(max), ...checks);
}

export const entityIdSchema = str(
  v.regex(/^[a-z0-9][a-z0-9._:-]{0,127}$/, "must match ^[a-z0-9][a-z0-9._:-]{0,127}$"),
);

export const isoDateSchema = str(
  v.check(isIsoDate, "must be a calendar date YYYY-MM-DD"),
  v.metadata({ format: "date", example: "2022-04-02" }),
);

/** A moment as the ledger answers it: UTC with milliseconds. */
export const timestampSchema = str(
  v.check(isCanonicalTimestamp, "must be a UTC timestamp such as 2022-03-26T09:15:02.123Z"),
  v.metadata({ format: "date-time", example: "2022-03-26T09:15:02.123Z" }),
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

export const notBlank = v.check<string, string>((s) => s.trim().length > 0, "must not be blank");

// @__NO_SIDE_EFFECTS__
export function text(max: number) {
  return str(v.maxLength(max), notBlank);
}

export const idLike = str(
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
);

export const eventIdSchema = str(
  v.regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/,
    "must be 1 to 128 characters of letters, digits and ._:@/+-",
  ),
);

export const countrySchema = str(
  v.regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as RU"),
);

export const authoritySchema = str(
  v.regex(/^[A-Z][A-Z0-9-]{1,31}$/, "must match ^[A-Z][A-Z0-9-]{1,31}$ (e.g. JP, US-OFAC)"),
);

/** The description of text that {@link nameText} admits. */
export const PRINTABLE_TEXT =
  "Printable text: no C0/C1 control characters, no BiDi embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069).";

/** Text shown as a name: no control characters, no BiDi overrides or isolates. */
// @__NO_SIDE_EFFECTS__
export function nameText(max: number) {
  return str(
    v.maxLength(max),
    notBlank,
    v.check(
      (s) => !UNSAFE_TEXT.test(s),
      (issue) =>
        `must not hold control characters or BiDi overrides and isolates (found ${unsafeCharacter(issue.input)})`,
    ),
    v.description(PRINTABLE_TEXT),
  );
}

/** A whole number at least `min`. */
// @__NO_SIDE_EFFECTS__
export function version(min: number) {
  return checked(v.number(), v.integer(), v.minValue(min), v.maxValue(Number.MAX_SAFE_INTEGER));
}

/** The query of a route that takes no parameter: any parameter is a 400. */
export const emptyQuerySchema = strict({});

/** The path parameters of a route without any. */
export const noPathSchema = strict({});

/** The path parameters of the routes under `/entities/{entityId}`. */
export const entityPathSchema = v.object({
  entityId: entityIdSchema,
});
