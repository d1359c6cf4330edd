import * as v from "valibot";
import { EVENT_TYPES, MEASURES } from "../domain/events.js";
import {
  checked,
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
/** The body of an append of one type, for description, with `extra` fields (a batch item's). */
const appendOf = <
  T extends keyof typeof DATA_SCHEMAS,
  E extends v.ObjectEntries = Record<never, never>,
>(
  type: T,
  extra?: E,
) =>
  v.strictObject({
    ...(extra as E),
    type: v.literal(type),
    data: DATA_SCHEMAS[type],
    ...envelopeFields,
  });

/** The append body of each type, one branch per type (`extra`: fields every branch adds). */
const appendBranches = <E extends v.ObjectEntries = Record<never, never>>(extra?: E) =>
  [
    appendOf("EntityRegistered", extra),
    appendOf("EntityAmended", extra),
    appendOf("SanctionImposed", extra),
    appendOf("SanctionAmended", extra),
    appendOf("SanctionLifted", extra),
    appendOf("EventRetracted", extra),
    appendOf("PublicationImported", extra),
  ] as const;

/** The whole append body, for description: a union on `type`. */
export const appendBodySchema = v.variant("type", appendBranches());

/** One item of a batch, for description: an append body with its entity's id. */
export const batchItemSchema = v.variant("type", appendBranches({ entityId: entityIdSchema }));

export const batchBodySchema = v.strictObject({
  items: checked(v.array(batchItemSchema), v.minLength(1), v.maxLength(100)),
});

// Answers.

const hashSchema = str(v.regex(/^[0-9a-f]{64}$/));
const nullableText = v.nullable(v.string());
const nextToken = v.optional(v.string());

const termsShape = {
  measures: v.array(v.picklist(MEASURES)),
  scope: v.nullable(scopeSchema),
  legalBasis: nullableText,
};

export const problemSchema = v.object({
  type: v.string(),
  title: v.string(),
  status: version(100),
  detail: v.string(),
  instance: v.optional(
    described(
      v.string(),
      "A server error's request id (`urn:uuid:…`), the one its log lines and the access log carry: quote it when reporting the error.",
    ),
  ),
  errors: v.optional(v.array(v.strictObject({ path: v.string(), message: v.string() }))),
  currentVersion: v.optional(version(0)),
});

/** The OpenAPI document: described by the OpenAPI 3.1 specification, not here. */
export const openApiAnswerSchema = v.record(v.string(), v.unknown());

export const appendAnswerSchema = v.strictObject({
  entityId: v.string(),
  version: version(1),
  eventId: v.string(),
  type: v.picklist(EVENT_TYPES),
  recordedAt: timestampSchema,
  hash: hashSchema,
});

export const sanctionOnDateSchema = v.strictObject({
  sanctionId: v.string(),
  authority: v.string(),
  program: nullableText,
  ...termsShape,
  announcedOn: isoDateSchema,
  effectiveFrom: isoDateSchema,
  termsFrom: isoDateSchema,
  end: v.nullable(isoDateSchema),
});

export const undeterminedOnDateSchema = described(
  v.strictObject({
    sanctionId: v.string(),
    authority: v.string(),
    knownFrom: described(
      isoDateSchema,
      "The day from which the sanction's status is known (it is in force from then, unless it ended first).",
    ),
    since: described(
      v.nullable(isoDateSchema),
      "The first day of not knowing (the list's previous publication, which did not hold it); null: every day before `knownFrom`.",
    ),
    reason: v.string(),
    program: nullableText,
  }),
  "A sanction whose status on `asOf` the ledger does not know: not known is not 'not sanctioned'.",
);

export const entityStateSchema = v.strictObject({
  entityId: v.string(),
  name: v.string(),
  kind: entityKindSchema,
  aliases: v.array(v.string()),
  country: nullableText,
  identifiers: v.array(identifierSchema),
  version: version(1),
  asOf: isoDateSchema,
  knownAt: timestampSchema,
  inForce: v.array(sanctionOnDateSchema),
  pending: v.array(sanctionOnDateSchema),
  undetermined: v.array(undeterminedOnDateSchema),
  basis: v.array(version(1)),
});

export const storedEventSchema = v.strictObject({
  entityId: v.string(),
  version: version(1),
  eventId: v.string(),
  type: v.picklist(EVENT_TYPES),
  data: v.record(v.string(), v.unknown()),
  source: v.optional(sourceSchema),
  recordedAt: timestampSchema,
  actor: v.string(),
  prevHash: hashSchema,
  hash: hashSchema,
  leafIndex: v.optional(
    described(version(0), "The event's leaf in the ledger-wide Merkle log, once sequenced."),
  ),
});

export const eventsPageSchema = v.strictObject({
  entityId: v.string(),
  events: v.array(storedEventSchema),
  nextToken,
});

export const timelineSchema = v.strictObject({
  entityId: v.string(),
  knownAt: timestampSchema,
  sanctions: v.array(
    v.strictObject({
      sanctionId: v.string(),
      authority: v.string(),
      program: nullableText,
      announcedOn: isoDateSchema,
      effectiveFrom: isoDateSchema,
      end: v.nullable(isoDateSchema),
      undetermined: described(
        v.nullable(
          v.strictObject({
            since: v.nullable(isoDateSchema),
            until: isoDateSchema,
            reason: v.string(),
          }),
        ),
        "The days `[since, until)` on which the sanction's status is not known (since null: every day before `until`); null when its start is stated.",
      ),
      intervals: v.array(
        v.strictObject({
          from: isoDateSchema,
          until: v.nullable(isoDateSchema),
          ...termsShape,
          basis: v.array(version(1)),
        }),
      ),
    }),
  ),
});

export const verificationSchema = v.strictObject({
  valid: v.boolean(),
  version: version(0),
  headHash: hashSchema,
  firstBrokenVersion: v.optional(version(1)),
  missingWitnesses: v.optional(v.array(v.string())),
});

const treeSizeSchema = version;

export const checkpointSchema = v.strictObject({
  origin: v.string(),
  treeSize: treeSizeSchema(0),
  rootHash: hashSchema,
  note: described(
    v.string(),
    "The checkpoint as a C2SP signed note (tlog-checkpoint text, ECDSA P-256 signature type 0x02), verbatim.",
  ),
});

export const consistencyProofSchema = v.strictObject({
  from: treeSizeSchema(1),
  to: treeSizeSchema(1),
  proof: v.array(hashSchema),
});

export const inclusionProofSchema = v.strictObject({
  leafIndex: treeSizeSchema(0),
  treeSize: treeSizeSchema(1),
  leafHash: hashSchema,
  auditPath: v.array(hashSchema),
});

export const publicKeySchema = described(
  v.string(),
  "The public key as an SPKI PEM block (`-----BEGIN PUBLIC KEY-----`).",
);

export const sanctionsPageSchema = v.strictObject({
  asOf: isoDateSchema,
  knownAt: timestampSchema,
  items: v.array(
    v.strictObject({
      entityId: v.string(),
      name: v.string(),
      kind: entityKindSchema,
      sanctions: v.array(sanctionOnDateSchema),
      undetermined: v.array(undeterminedOnDateSchema),
    }),
  ),
  nextToken,
});

export const changesPageSchema = v.strictObject({
  from: isoDateSchema,
  to: isoDateSchema,
  knownAt: timestampSchema,
  items: v.array(
    v.strictObject({
      entityId: v.string(),
      sanctionId: v.string(),
      authority: v.string(),
      change: v.picklist(["entered", "amended", "left", "undetermined", "determined"]),
      on: isoDateSchema,
    }),
  ),
  nextToken,
});

const statusSchema = v.picklist(["in-force", "pending", "undetermined", "none"]);

export const correctionsPageSchema = v.strictObject({
  from: timestampSchema,
  to: timestampSchema,
  items: v.array(
    v.strictObject({
      entityId: v.string(),
      sanctionId: v.string(),
      authority: v.string(),
      days: v.strictObject({ from: isoDateSchema, to: v.nullable(isoDateSchema) }),
      before: statusSchema,
      after: statusSchema,
      versions: v.array(v.number()),
    }),
  ),
  nextToken,
});

const noticeHeader = { entityId: v.string(), sanctionId: v.string(), authority: v.string() };

export const noticesPageSchema = v.strictObject({
  items: v.array(
    v.strictObject({
      specversion: v.literal("1.0"),
      id: v.string(),
      source: v.string(),
      type: v.string(),
      subject: v.string(),
      time: timestampSchema,
      datacontenttype: v.literal("application/json"),
      data: v.union([
        v.strictObject({
          kind: v.picklist(["entered", "amended", "left"]),
          ...noticeHeader,
          on: isoDateSchema,
        }),
        v.strictObject({
          kind: v.literal("corrected"),
          ...noticeHeader,
          days: v.strictObject({ from: isoDateSchema, to: isoDateSchema }),
          before: statusSchema,
          after: statusSchema,
          versions: v.array(v.number()),
        }),
      ]),
    }),
  ),
  cursor: v.string(),
});

export const searchPageSchema = v.strictObject({
  items: v.array(
    v.strictObject({
      entityId: v.string(),
      name: v.string(),
      matched: v.string(),
      inForce: v.optional(v.array(sanctionOnDateSchema)),
    }),
  ),
  nextToken,
});

export const batchAnswerSchema = v.strictObject({
  results: v.array(
    v.union([
      v.strictObject({
        ...appendAnswerSchema.entries,
        status: v.union([v.literal(200), v.literal(201)]),
      }),
      problemSchema,
    ]),
  ),
});
