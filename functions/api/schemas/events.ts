import * as z from "zod/mini";
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
  nameText,
  str,
  text,
  version,
} from "./base.js";

/* The writer's shapes: each event type's data, the envelope of an append, a batch. */

export const identifierSchema = z.strictObject({ scheme: nameText(64), value: nameText(256) });

export const measuresSchema = checked(
  z.array(z.enum(MEASURES)),
  z.minLength(1),
  z.maxLength(MEASURES.length),
  z.refine((m) => new Set(m).size === m.length, "must not repeat a measure"),
);

export const scopeSchema = z.strictObject({
  goods: z.optional(checked(z.array(text(256)), z.maxLength(1000))),
  hsCodes: z.optional(
    checked(
      z.array(str(z.regex(/^[0-9]{2}[0-9.]{0,12}$/, "must be an HS code such as 7113 or 7113.19"))),
      z.maxLength(5000),
    ),
  ),
  note: z.optional(text(4000)),
});

const nameSchema = nameText(512);
const aliasesSchema = checked(z.array(nameSchema), z.maxLength(1000));
const identifiersSchema = checked(z.array(identifierSchema), z.maxLength(100));
export const entityKindSchema = z.enum(ENTITY_KINDS);

export const sourceSchema = z.strictObject({
  title: text(512),
  url: z.optional(
    checked(
      z.url({ protocol: /^https?$/, error: "must be an http or https URL" }),
      z.maxLength(2048),
      z.meta({ description: "An http or https URL." }),
    ),
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

export const entityAmendedSchema = checked(
  z.strictObject({
    name: z.optional(nameSchema),
    kind: z.optional(entityKindSchema),
    aliases: z.optional(
      z.strictObject({ add: z.optional(aliasesSchema), remove: z.optional(aliasesSchema) }),
    ),
    country: z.optional(z.nullable(countrySchema)),
    identifiers: z.optional(identifiersSchema),
  }),
  z.refine((d) => Object.keys(d).length > 0, "must change at least one field"),
);

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

export const sanctionAmendedSchema = checked(
  z.strictObject({
    sanctionId: idLike,
    effectiveFrom: isoDateSchema,
    measures: z.optional(measuresSchema),
    scope: z.optional(z.nullable(scopeSchema)),
    effectiveUntil: z.optional(z.nullable(isoDateSchema)),
    legalBasis: z.optional(z.nullable(text(2000))),
  }),
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

export const eventRetractedSchema = z.strictObject({
  version: version(1),
  reason: text(2000),
});

export const publicationImportedSchema = z.strictObject({
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

/** The envelope of a batch: 1 to 100 items, each checked on its own afterwards. */
export const batchEnvelopeSchema = z.strictObject({
  items: checked(
    z.array(z.unknown()),
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
