import * as z from "zod/mini";
import { EVENT_TYPES, MEASURES } from "../domain/events.js";
import {
  DATA_SCHEMAS,
  described,
  entityIdSchema,
  entityKindSchema,
  envelopeFields,
  identifierSchema,
  isoDateSchema,
  scopeSchema,
  sourceSchema,
  str,
  timestampSchema,
  version,
} from "./schemas.js";

/**
 * The shapes the API answers, and its request bodies as one documented union: what the
 * OpenAPI document describes and the CLI reads back. Apart from `schemas.ts`, which holds
 * what the functions validate, so that no function bundles a shape it never checks.
 */
/** The body of an append of one type, for description. */
const appendOf = <T extends keyof typeof DATA_SCHEMAS>(type: T) =>
  z.strictObject({ type: z.literal(type), data: DATA_SCHEMAS[type], ...envelopeFields });

/** The whole append body, for description: a union on `type`. */
export const appendBodySchema = z.discriminatedUnion("type", [
  appendOf("EntityRegistered"),
  appendOf("EntityAmended"),
  appendOf("SanctionImposed"),
  appendOf("SanctionAmended"),
  appendOf("SanctionLifted"),
  appendOf("EventRetracted"),
  appendOf("PublicationImported"),
]);

/** One item of a batch, for description. */
export const batchItemSchema = z.intersection(
  z.object({ entityId: entityIdSchema }),
  appendBodySchema,
);

export const batchBodySchema = z.strictObject({
  items: z.array(batchItemSchema).check(z.minLength(1), z.maxLength(100)),
});

// Answers.

const hashSchema = str(z.regex(/^[0-9a-f]{64}$/));
const nullableText = z.nullable(z.string());
const nextToken = z.optional(z.string());

const termsShape = {
  measures: z.array(z.enum(MEASURES)),
  scope: z.nullable(scopeSchema),
  legalBasis: nullableText,
};

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
  currentVersion: z.optional(z.int()),
});

/** The OpenAPI document: described by the OpenAPI 3.1 specification, not here. */
export const openApiAnswerSchema = z.record(z.string(), z.unknown());

export const appendAnswerSchema = z.strictObject({
  entityId: z.string(),
  version: version(1),
  eventId: z.string(),
  type: z.enum(EVENT_TYPES),
  recordedAt: timestampSchema,
  hash: hashSchema,
});

export const sanctionOnDateSchema = z.strictObject({
  sanctionId: z.string(),
  authority: z.string(),
  program: nullableText,
  ...termsShape,
  announcedOn: isoDateSchema,
  effectiveFrom: isoDateSchema,
  termsFrom: isoDateSchema,
  end: z.nullable(isoDateSchema),
});

export const undeterminedOnDateSchema = described(
  z.strictObject({
    sanctionId: z.string(),
    authority: z.string(),
    knownFrom: described(
      isoDateSchema,
      "The day from which the sanction's status is known (it is in force from then, unless it ended first).",
    ),
    since: described(
      z.nullable(isoDateSchema),
      "The first day of not knowing (the list's previous publication, which did not hold it); null: every day before `knownFrom`.",
    ),
    reason: z.string(),
    program: nullableText,
  }),
  "A sanction whose status on `asOf` the ledger does not know: not known is not 'not sanctioned'.",
);

export const entityStateSchema = z.strictObject({
  entityId: z.string(),
  name: z.string(),
  kind: entityKindSchema,
  aliases: z.array(z.string()),
  country: nullableText,
  identifiers: z.array(identifierSchema),
  version: version(1),
  asOf: isoDateSchema,
  knownAt: timestampSchema,
  inForce: z.array(sanctionOnDateSchema),
  pending: z.array(sanctionOnDateSchema),
  undetermined: z.array(undeterminedOnDateSchema),
  basis: z.array(version(1)),
});

export const storedEventSchema = z.strictObject({
  entityId: z.string(),
  version: version(1),
  eventId: z.string(),
  type: z.enum(EVENT_TYPES),
  data: z.record(z.string(), z.unknown()),
  source: z.optional(sourceSchema),
  recordedAt: timestampSchema,
  actor: z.string(),
  prevHash: hashSchema,
  hash: hashSchema,
  leafIndex: z.optional(
    z
      .int()
      .check(
        z.gte(0),
        z.meta({ description: "The event's leaf in the ledger-wide Merkle log, once sequenced." }),
      ),
  ),
});

export const eventsPageSchema = z.strictObject({
  entityId: z.string(),
  events: z.array(storedEventSchema),
  nextToken,
});

export const timelineSchema = z.strictObject({
  entityId: z.string(),
  knownAt: timestampSchema,
  sanctions: z.array(
    z.strictObject({
      sanctionId: z.string(),
      authority: z.string(),
      program: nullableText,
      announcedOn: isoDateSchema,
      effectiveFrom: isoDateSchema,
      end: z.nullable(isoDateSchema),
      undetermined: described(
        z.nullable(
          z.strictObject({
            since: z.nullable(isoDateSchema),
            until: isoDateSchema,
            reason: z.string(),
          }),
        ),
        "The days `[since, until)` on which the sanction's status is not known (since null: every day before `until`); null when its start is stated.",
      ),
      intervals: z.array(
        z.strictObject({
          from: isoDateSchema,
          until: z.nullable(isoDateSchema),
          ...termsShape,
          basis: z.array(version(1)),
        }),
      ),
    }),
  ),
});

export const verificationSchema = z.strictObject({
  valid: z.boolean(),
  version: version(0),
  headHash: hashSchema,
  firstBrokenVersion: z.optional(version(1)),
  missingWitnesses: z.optional(z.array(z.string())),
});

const treeSizeSchema = (min: number) => z.int().check(z.gte(min), z.lte(Number.MAX_SAFE_INTEGER));

export const checkpointSchema = z.strictObject({
  origin: z.string(),
  treeSize: treeSizeSchema(0),
  rootHash: hashSchema,
  note: z.string().check(
    z.meta({
      description:
        "The checkpoint as a C2SP signed note (tlog-checkpoint text, ECDSA P-256 signature type 0x02), verbatim.",
    }),
  ),
});

export const consistencyProofSchema = z.strictObject({
  from: treeSizeSchema(1),
  to: treeSizeSchema(1),
  proof: z.array(hashSchema),
});

export const inclusionProofSchema = z.strictObject({
  leafIndex: treeSizeSchema(0),
  treeSize: treeSizeSchema(1),
  leafHash: hashSchema,
  auditPath: z.array(hashSchema),
});

export const publicKeySchema = z
  .string()
  .check(
    z.meta({ description: "The public key as an SPKI PEM block (`-----BEGIN PUBLIC KEY-----`)." }),
  );

export const sanctionsPageSchema = z.strictObject({
  asOf: isoDateSchema,
  knownAt: timestampSchema,
  items: z.array(
    z.strictObject({
      entityId: z.string(),
      name: z.string(),
      kind: entityKindSchema,
      sanctions: z.array(sanctionOnDateSchema),
      undetermined: z.array(undeterminedOnDateSchema),
    }),
  ),
  nextToken,
});

export const changesPageSchema = z.strictObject({
  from: isoDateSchema,
  to: isoDateSchema,
  knownAt: timestampSchema,
  items: z.array(
    z.strictObject({
      entityId: z.string(),
      sanctionId: z.string(),
      authority: z.string(),
      change: z.enum(["entered", "amended", "left", "undetermined", "determined"]),
      on: isoDateSchema,
    }),
  ),
  nextToken,
});

const statusSchema = z.enum(["in-force", "pending", "undetermined", "none"]);

export const correctionsPageSchema = z.strictObject({
  from: timestampSchema,
  to: timestampSchema,
  items: z.array(
    z.strictObject({
      entityId: z.string(),
      sanctionId: z.string(),
      authority: z.string(),
      days: z.strictObject({ from: isoDateSchema, to: z.nullable(isoDateSchema) }),
      before: statusSchema,
      after: statusSchema,
      versions: z.array(z.number()),
    }),
  ),
  nextToken,
});

const noticeHeader = { entityId: z.string(), sanctionId: z.string(), authority: z.string() };

export const noticesPageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      specversion: z.literal("1.0"),
      id: z.string(),
      source: z.string(),
      type: z.string(),
      subject: z.string(),
      time: timestampSchema,
      datacontenttype: z.literal("application/json"),
      data: z.union([
        z.strictObject({
          kind: z.enum(["entered", "amended", "left"]),
          ...noticeHeader,
          on: isoDateSchema,
        }),
        z.strictObject({
          kind: z.literal("corrected"),
          ...noticeHeader,
          days: z.strictObject({ from: isoDateSchema, to: isoDateSchema }),
          before: statusSchema,
          after: statusSchema,
          versions: z.array(z.number()),
        }),
      ]),
    }),
  ),
  cursor: z.string(),
});

export const searchPageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      entityId: z.string(),
      name: z.string(),
      matched: z.string(),
      inForce: z.optional(z.array(sanctionOnDateSchema)),
    }),
  ),
  nextToken,
});

export const batchAnswerSchema = z.strictObject({
  results: z.array(
    z.union([
      z.extend(appendAnswerSchema, { status: z.union([z.literal(200), z.literal(201)]) }),
      problemSchema,
    ]),
  ),
});
