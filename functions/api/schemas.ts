import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import {
  isCanonicalTimestamp,
  isIsoDate,
  isTimestamp,
  normalizeTimestamp,
} from "../domain/dates.js";
import {
  ENTITY_KINDS,
  type EntityAmendedData,
  type EntityRegisteredData,
  EVENT_TYPES,
  type EventRetractedData,
  type Identifier,
  MEASURES,
  type PublicationImportedData,
  type SanctionAmendedData,
  type SanctionImposedData,
  type SanctionLiftedData,
  type Scope,
  type Source,
} from "../domain/events.js";
import type { DeepReadonly, Equal, Expect } from "./types.js";

/**
 * The request and answer shapes of the HTTP API: one source for validation and description.
 * Written with zod/mini, whose functions tree-shake: a Lambda bundle holds only the checks
 * it uses. Its messages are zod's English ones, as the classic build gives them.
 */
z.config(en());

/** A string with checks. */
export const str = (...checks: z.core.$ZodCheck<string>[]) => z.string().check(...checks);

/** A described schema: the description goes into the OpenAPI document. */
export const described = <T extends z.ZodMiniType>(schema: T, description: string): T =>
  schema.check(z.meta({ description }));

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

/**
 * C0 and C1 controls (DEL among them) and the BiDi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069): text that can rewrite a terminal line or show one name as
 * another (CVE-2021-42574), never part of a name.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

function unsafeCharacter(input: unknown): string {
  const found = typeof input === "string" ? UNSAFE_TEXT.exec(input) : null;
  const code = found?.[0].codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

const notBlank = z.refine<string>((s) => s.trim().length > 0, "must not be blank");

const text = (max: number) => str(z.maxLength(max), notBlank);

const idLike = str(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
);

export const eventIdSchema = str(
  z.regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/,
    "must be 1 to 128 characters of letters, digits and ._:@/+-",
  ),
);

const countrySchema = str(z.regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as RU"));

const authoritySchema = str(
  z.regex(/^[A-Z][A-Z0-9-]{1,31}$/, "must match ^[A-Z][A-Z0-9-]{1,31}$ (e.g. JP, US-OFAC)"),
);

/** The description of text that {@link nameText} admits. */
export const PRINTABLE_TEXT =
  "Printable text: no C0/C1 control characters, no BiDi embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069).";

/** Text shown as a name: no control characters, no BiDi overrides or isolates. */
const nameText = (max: number) =>
  str(
    z.maxLength(max),
    notBlank,
    z.refine<string>((s) => !UNSAFE_TEXT.test(s), {
      error: (issue) =>
        `must not hold control characters or BiDi overrides and isolates (found ${unsafeCharacter(issue.input)})`,
    }),
    z.meta({ description: PRINTABLE_TEXT }),
  );

export const identifierSchema = z.strictObject({ scheme: nameText(64), value: nameText(256) });

const measuresSchema = z.array(z.enum(MEASURES)).check(
  z.minLength(1),
  z.maxLength(MEASURES.length),
  z.refine((m) => new Set(m).size === m.length, "must not repeat a measure"),
);

export const scopeSchema = z.strictObject({
  goods: z.optional(z.array(text(256)).check(z.maxLength(1000))),
  hsCodes: z.optional(
    z
      .array(str(z.regex(/^[0-9]{2}[0-9.]{0,12}$/, "must be an HS code such as 7113 or 7113.19")))
      .check(z.maxLength(5000)),
  ),
  note: z.optional(text(4000)),
});

const nameSchema = nameText(512);
const aliasesSchema = z.array(nameSchema).check(z.maxLength(1000));
const identifiersSchema = z.array(identifierSchema).check(z.maxLength(100));
export const entityKindSchema = z.enum(ENTITY_KINDS);

export const sourceSchema = z.strictObject({
  title: text(512),
  url: z.optional(
    z
      .url({ protocol: /^https?$/, error: "must be an http or https URL" })
      .check(z.maxLength(2048), z.meta({ description: "An http or https URL." })),
  ),
  publishedOn: z.optional(isoDateSchema),
});

export const entityRegisteredSchema = z.strictObject({
  name: nameSchema,
  kind: entityKindSchema,
  aliases: z.optional(aliasesSchema),
  country: z.optional(countrySchema),
  identifiers: z.optional(identifiersSchema),
});

export const entityAmendedSchema = z
  .strictObject({
    name: z.optional(nameSchema),
    kind: z.optional(entityKindSchema),
    aliases: z.optional(
      z.strictObject({ add: z.optional(aliasesSchema), remove: z.optional(aliasesSchema) }),
    ),
    country: z.optional(z.nullable(countrySchema)),
    identifiers: z.optional(identifiersSchema),
  })
  .check(z.refine((d) => Object.keys(d).length > 0, "must change at least one field"));

export const sanctionImposedSchema = z.strictObject({
  sanctionId: idLike,
  authority: authoritySchema,
  program: z.optional(text(64)),
  measures: measuresSchema,
  scope: z.optional(scopeSchema),
  announcedOn: isoDateSchema,
  effectiveFrom: isoDateSchema,
  effectiveUntil: z.optional(isoDateSchema),
  legalBasis: z.optional(text(2000)),
  undetermined: z.optional(
    described(
      z.strictObject({ since: z.optional(isoDateSchema), reason: text(2000) }),
      "Set when the start is not stated (a list publication that gives no listing date): the sanction may have been in force before `effectiveFrom`, and its status on the days from `since` (absent: every day) before `effectiveFrom` is not known.",
    ),
  ),
});

export const sanctionAmendedSchema = z
  .strictObject({
    sanctionId: idLike,
    effectiveFrom: isoDateSchema,
    measures: z.optional(measuresSchema),
    scope: z.optional(z.nullable(scopeSchema)),
    effectiveUntil: z.optional(z.nullable(isoDateSchema)),
    legalBasis: z.optional(z.nullable(text(2000))),
  })
  .check(
    z.refine(
      (d) =>
        d.measures !== undefined ||
        d.scope !== undefined ||
        d.effectiveUntil !== undefined ||
        d.legalBasis !== undefined,
      "must change at least one of measures, scope, effectiveUntil, legalBasis",
    ),
  );

export const sanctionLiftedSchema = z.strictObject({
  sanctionId: idLike,
  effectiveFrom: isoDateSchema,
  reason: z.optional(text(2000)),
});

export const version = (min: number) => z.int().check(z.gte(min));

export const eventRetractedSchema = z.strictObject({
  version: version(1),
  reason: text(2000),
});

export const publicationImportedSchema = z.strictObject({
  list: idLike,
  publishedOn: isoDateSchema,
  title: text(512),
  entries: z.int().check(z.gte(0)),
});

/** The data schema of each event type. */
export const DATA_SCHEMAS = {
  EntityRegistered: entityRegisteredSchema,
  EntityAmended: entityAmendedSchema,
  SanctionImposed: sanctionImposedSchema,
  SanctionAmended: sanctionAmendedSchema,
  SanctionLifted: sanctionLiftedSchema,
  EventRetracted: eventRetractedSchema,
  PublicationImported: publicationImportedSchema,
} as const;

/** A JSON object, passed on as sent (a record schema would rebuild it and drop `__proto__`). */
const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  "must be an object",
);

export const envelopeFields = {
  eventId: z.optional(eventIdSchema),
  expectedVersion: z.optional(version(0)),
  source: z.optional(sourceSchema),
};

/** The envelope of an append; `data` is checked against its type's schema afterwards. */
export const appendEnvelopeSchema = z.strictObject({
  type: z.enum(EVENT_TYPES),
  data: jsonObject,
  ...envelopeFields,
});

/** A count in a query: plain decimal digits only (no sign, exponent, hex or blanks). */
const countSchema = (min: number, max: number) =>
  z.pipe(
    z.pipe(
      str(z.regex(/^(0|[1-9][0-9]{0,15})$/, "must be a whole number in plain decimal digits")),
      z.transform(Number),
    ),
    z.int().check(z.gte(min), z.lte(max)),
  );

const limitSchema = described(
  z._default(countSchema(1, 1000), 100),
  "The most items in one page: 1 to 1000, in plain decimal digits (default 100).",
);

const nextTokenSchema = described(
  z.optional(str(z.maxLength(2048))),
  "The `nextToken` of the previous page, to read the next one; only with the same other parameters.",
);

const knownAtQuery = described(
  z.optional(knownAtSchema),
  "Answer as the ledger knew it at this moment: count only the events recorded at or before it. Any RFC 3339 timestamp (an offset is read as UTC). Default: now, and the answer echoes the later of now and the stream's last recording.",
);

const asOfQuery = (what: string) =>
  described(z.optional(isoDateSchema), `${what} Default: today (UTC).`);

export const stateQuerySchema = z.strictObject({
  asOf: asOfQuery("The day on which to tell what is in force and what is pending."),
  knownAt: knownAtQuery,
});

export const eventsQuerySchema = z.strictObject({
  knownAt: knownAtQuery,
  fromVersion: described(
    z.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
    "The first version to list, in plain decimal digits (default 1).",
  ),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const timelineQuerySchema = z.strictObject({ knownAt: knownAtQuery });

/** The query of a route that takes no parameter: any parameter is a 400. */
export const emptyQuerySchema = z.strictObject({});

/** The path parameters of a route without any. */
export const noPathSchema = z.strictObject({});

/** The path parameters of the routes under `/entities/{entityId}`. */
export const entityPathSchema = z.object({
  entityId: described(
    entityIdSchema,
    "The entity's id, chosen by whoever registered it (e.g. `ru-vtb-bank`).",
  ),
});

const filterFields = {
  authority: described(
    z.optional(authoritySchema),
    "Only sanctions of this authority, matched exactly (e.g. `JP`, `US-OFAC`).",
  ),
  measure: described(
    z.optional(z.enum(MEASURES)),
    "Only sanctions whose terms on the day include this measure.",
  ),
  program: described(
    z.optional(text(64)),
    "Only sanctions of this program, matched exactly (e.g. `RUSSIA-EO14024`).",
  ),
};

export const sanctionsQuerySchema = z.strictObject({
  asOf: asOfQuery("The day on which the sanctions listed are in force."),
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const changesQuerySchema = z.strictObject({
  from: described(isoDateSchema, "The first day `on` which to report changes."),
  to: described(
    isoDateSchema,
    "The last day `on` which to report changes (inclusive), not before `from`.",
  ),
  knownAt: knownAtQuery,
  ...filterFields,
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const correctionsQuerySchema = z.strictObject({
  from: described(
    knownAtSchema,
    "The start of the window in record time (RFC 3339): what the ledger said then is compared with what it says at `to`.",
  ),
  to: described(
    knownAtSchema,
    "The end of the window in record time (RFC 3339, inclusive), not before `from`.",
  ),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

export const noticesQuerySchema = z.strictObject({
  since: described(
    z.optional(str(z.maxLength(2048))),
    "The `cursor` of the previous read: only notices filed after it. Without it, from the first notice.",
  ),
  limit: limitSchema,
});

export const searchQuerySchema = z.strictObject({
  q: described(
    str(z.minLength(1), z.maxLength(256)),
    "The words to find: each must be a prefix of a word of one of the entity's names or aliases, in any order; case, accents and punctuation are ignored.",
  ),
  asOf: described(
    z.optional(isoDateSchema),
    "Add each hit's sanctions in force on this day (none are added without it).",
  ),
  limit: limitSchema,
  nextToken: nextTokenSchema,
});

/** The path of `GET /checkpoints/{treeSize}`. */
export const checkpointPathSchema = z.object({
  treeSize: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The tree size of a published checkpoint, in plain decimal digits.",
  ),
});

/** The query of `GET /checkpoints/consistency`. */
export const consistencyQuerySchema = z.strictObject({
  from: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The smaller tree size (a checkpoint the caller holds), at least 1.",
  ),
  to: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The larger tree size, at most the latest checkpoint's.",
  ),
});

/** The path of `GET /entities/{entityId}/events/{version}/proof`. */
export const eventPathSchema = z.object({
  entityId: described(
    entityIdSchema,
    "The entity's id, chosen by whoever registered it (e.g. `ru-vtb-bank`).",
  ),
  version: described(
    countSchema(1, Number.MAX_SAFE_INTEGER),
    "The event's version in the entity's stream, in plain decimal digits.",
  ),
});

/** The query of `GET /entities/{entityId}/events/{version}/proof`. */
export const proofQuerySchema = z.strictObject({
  treeSize: described(
    z.optional(countSchema(1, Number.MAX_SAFE_INTEGER)),
    "The tree size of the checkpoint to prove inclusion in (default: the latest).",
  ),
});

/** The envelope of a batch: 1 to 100 items, each checked on its own afterwards. */
export const batchEnvelopeSchema = z.strictObject({
  items: z
    .array(z.unknown())
    .check(
      z.minLength(1, "must hold at least 1 item"),
      z.maxLength(100, "must hold at most 100 items"),
    ),
});

// Each schema is tied to the domain type it validates: `tsc` fails if the two drift apart.
export type SchemaTies = [
  Expect<Equal<DeepReadonly<z.output<typeof identifierSchema>>, Identifier>>,
  Expect<Equal<DeepReadonly<z.output<typeof scopeSchema>>, Scope>>,
  Expect<Equal<DeepReadonly<z.output<typeof sourceSchema>>, Source>>,
  Expect<Equal<DeepReadonly<z.output<typeof entityRegisteredSchema>>, EntityRegisteredData>>,
  Expect<Equal<DeepReadonly<z.output<typeof entityAmendedSchema>>, EntityAmendedData>>,
  Expect<Equal<DeepReadonly<z.output<typeof sanctionImposedSchema>>, SanctionImposedData>>,
  Expect<Equal<DeepReadonly<z.output<typeof sanctionAmendedSchema>>, SanctionAmendedData>>,
  Expect<Equal<DeepReadonly<z.output<typeof sanctionLiftedSchema>>, SanctionLiftedData>>,
  Expect<Equal<DeepReadonly<z.output<typeof eventRetractedSchema>>, EventRetractedData>>,
  Expect<Equal<DeepReadonly<z.output<typeof publicationImportedSchema>>, PublicationImportedData>>,
];
