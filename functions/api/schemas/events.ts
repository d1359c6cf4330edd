import * as v from "valibot";
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
} from "../../domain/events.js";
import type { DeepReadonly, Equal, Expect } from "../types.js";
import {
  authoritySchema,
  checked,
  countrySchema,
  described,
  eventIdSchema,
  idLike,
  isoDateSchema,
  listOf,
  nameText,
  str,
  strict,
  text,
  UNSAFE_TEXT,
  version,
} from "./base.js";

/* The writer's shapes: each event type's data, the envelope of an append, a batch. */

export const identifierSchema = strict({ scheme: nameText(64), value: nameText(256) });

export const measuresSchema = listOf(
  v.picklist(MEASURES),
  MEASURES.length,
  v.minLength(1),
  v.check((m) => new Set(m).size === m.length, "must not repeat a measure"),
);

export const scopeSchema = strict({
  goods: v.optional(listOf(text(256), 1000)),
  hsCodes: v.optional(
    listOf(
      str(v.regex(/^[0-9]{2}[0-9.]{0,12}$/, "must be an HS code such as 7113 or 7113.19")),
      5000,
    ),
  ),
  note: v.optional(text(4000)),
});

const nameSchema = nameText(512);
const aliasesSchema = listOf(nameSchema, 1000);
const identifiersSchema = listOf(identifierSchema, 100);
export const entityKindSchema = v.picklist(ENTITY_KINDS);

/**
 * An absolute `http` or `https` URL (`https:example.com` is a relative path to a browser),
 * as written: no blank or control character that a URL parser would drop or trim.
 */
function isHttpUrl(s: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(s) && !UNSAFE_TEXT.test(s) && URL.canParse(s);
}

export const sourceSchema = strict({
  title: text(512),
  url: v.optional(
    str(
      v.check(isHttpUrl, "must be an http or https URL"),
      v.maxLength(2048),
      v.metadata({ format: "uri", description: "An http or https URL." }),
    ),
  ),
  publishedOn: v.optional(isoDateSchema),
});

export const entityRegisteredSchema = strict({
  name: nameSchema,
  kind: entityKindSchema,
  aliases: v.optional(aliasesSchema),
  country: v.optional(countrySchema),
  identifiers: v.optional(identifiersSchema),
});

export const entityAmendedSchema = checked(
  strict({
    name: v.optional(nameSchema),
    kind: v.optional(entityKindSchema),
    aliases: v.optional(
      strict({ add: v.optional(aliasesSchema), remove: v.optional(aliasesSchema) }),
    ),
    country: v.optional(v.nullable(countrySchema)),
    identifiers: v.optional(identifiersSchema),
  }),
  v.check((d) => Object.keys(d).length > 0, "must change at least one field"),
);

export const sanctionImposedSchema = strict({
  sanctionId: idLike,
  authority: authoritySchema,
  program: v.optional(text(64)),
  measures: measuresSchema,
  scope: v.optional(scopeSchema),
  announcedOn: isoDateSchema,
  effectiveFrom: isoDateSchema,
  effectiveUntil: v.optional(isoDateSchema),
  legalBasis: v.optional(text(2000)),
  undetermined: v.optional(
    described(
      strict({ since: v.optional(isoDateSchema), reason: text(2000) }),
      "Set when the start is not stated (a list publication that gives no listing date): the sanction may have been in force before `effectiveFrom`, and its status on the days from `since` (absent: every day) before `effectiveFrom` is not known.",
    ),
  ),
});

export const sanctionAmendedSchema = checked(
  strict({
    sanctionId: idLike,
    effectiveFrom: isoDateSchema,
    measures: v.optional(measuresSchema),
    scope: v.optional(v.nullable(scopeSchema)),
    effectiveUntil: v.optional(v.nullable(isoDateSchema)),
    legalBasis: v.optional(v.nullable(text(2000))),
  }),
  v.check(
    (d) =>
      d.measures !== undefined ||
      d.scope !== undefined ||
      d.effectiveUntil !== undefined ||
      d.legalBasis !== undefined,
    "must change at least one of measures, scope, effectiveUntil, legalBasis",
  ),
);

export const sanctionLiftedSchema = strict({
  sanctionId: idLike,
  effectiveFrom: isoDateSchema,
  reason: v.optional(text(2000)),
});

export const eventRetractedSchema = strict({
  version: version(1),
  reason: text(2000),
});

export const publicationImportedSchema = strict({
  list: idLike,
  publishedOn: isoDateSchema,
  title: text(512),
  entries: version(0),
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
const jsonObject = v.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  "must be an object",
);

export const envelopeFields = {
  eventId: v.optional(eventIdSchema),
  expectedVersion: v.optional(version(0)),
  source: v.optional(sourceSchema),
};

/** The envelope of an append; `data` is checked against its type's schema afterwards. */
export const appendEnvelopeSchema = strict({
  type: v.picklist(EVENT_TYPES),
  data: jsonObject,
  ...envelopeFields,
});

/** The envelope of a batch: 1 to 100 items, each checked on its own afterwards. */
export const batchEnvelopeSchema = strict({
  items: checked(
    v.array(v.unknown()),
    v.minLength(1, "must hold at least 1 item"),
    v.maxLength(100, "must hold at most 100 items"),
  ),
});

// Each schema is tied to the domain type it validates: `tsc` fails if the two drift apart.
export type SchemaTies = [
  Expect<Equal<DeepReadonly<v.InferOutput<typeof identifierSchema>>, Identifier>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof scopeSchema>>, Scope>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof sourceSchema>>, Source>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof entityRegisteredSchema>>, EntityRegisteredData>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof entityAmendedSchema>>, EntityAmendedData>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof sanctionImposedSchema>>, SanctionImposedData>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof sanctionAmendedSchema>>, SanctionAmendedData>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof sanctionLiftedSchema>>, SanctionLiftedData>>,
  Expect<Equal<DeepReadonly<v.InferOutput<typeof eventRetractedSchema>>, EventRetractedData>>,
  Expect<
    Equal<DeepReadonly<v.InferOutput<typeof publicationImportedSchema>>, PublicationImportedData>
  >,
];
