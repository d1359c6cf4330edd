import { randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AuditQueries } from "../app/audit.js";
import {
  appendOnly,
  entityQuestions,
  Ledger,
  type LedgerDeps,
  projectOnly,
  readOnly,
} from "../app/ledger.js";
import { Notices } from "../app/notices.js";
import { ProofService } from "../app/proofs.js";
import type { EntitySource } from "../app/reads.js";
import { Sequencer } from "../app/sequencer.js";
import { S3CheckpointStore } from "../store/checkpoints.js";
import { DynamoEventStore, DynamoViewStore, documentClient } from "../store/dynamo.js";
import { DEFAULT_CHECKPOINT_RETENTION_DAYS, ENV, PROOFS_ENV } from "../store/keys.js";
import { DynamoLogStore, type LogStore } from "../store/log.js";
import type { EventStore, ViewStore } from "../store/ports.js";
import { kmsOverHttp, kmsSigner, spkiPem } from "../store/signers.js";
import { logger } from "./http.js";
import { traced } from "./observability.js";

/** What the writer calls: the command side (and the projection it runs before answering). */
export interface WriterServices {
  ledger: Pick<Ledger, "append" | "appendMany">;
}

/** What the stream projector calls. */
export interface ProjectorServices {
  ledger: Pick<Ledger, "project">;
}

/** What the reader calls: the questions about one entity. */
export interface ReaderServices {
  ledger: Pick<Ledger, "state" | "events" | "timeline" | "verify">;
}

/** What the audit function calls: the questions across entities. */
export interface AuditServices {
  audit: AuditQueries;
}

/** What the notices functions call. */
export interface NoticesServices {
  notices: Notices;
}

/** What the proofs function calls: the published proofs, where the deployment keeps a log. */
export interface ProofsServices {
  proofs?: ProofService;
}

/** Every application service, as the local runtime and the tests compose them. */
export interface Services {
  ledger: Ledger;
  audit: AuditQueries;
  notices: Notices;
  /** The published proofs, where this deployment keeps a Merkle log. */
  proofs?: ProofService;
}

type Overrides = Partial<Pick<LedgerDeps, "now" | "newId" | "projectOnAppend">>;

/**
 * The services of every function over two stores (and the log and its proofs, where there
 * is one), as the local runtime and the tests build them: the Lambda functions each build
 * only their part (below), so that a bundle holds only what its function calls.
 */
export function services(
  stores: { events: EventStore; views: ViewStore; log?: LogStore; proofs?: ProofService },
  overrides: Overrides = {},
): Services {
  const now = overrides.now ?? (() => new Date());
  const { proofs, ...ledgerStores } = stores;
  const ledger = new Ledger({
    ...ledgerStores,
    now,
    newId: overrides.newId ?? randomUUID,
    ...(overrides.projectOnAppend === undefined
      ? {}
      : { projectOnAppend: overrides.projectOnAppend }),
    onViewError,
  });
  return { ledger, ...audits(stores.views, ledger, now), ...(proofs ? { proofs } : {}) };
}

/** The questions across entities, and the notices built on them. */
function audits(views: ViewStore, ledger: EntitySource, now: () => Date) {
  const audit = new AuditQueries({ views, ledger, now });
  return { audit, notices: new Notices({ ledger, audit, views }) };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** A builder that runs once per container, on first use (pure: a bundle drops the unused). */
// @__NO_SIDE_EFFECTS__
function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

function tablesFromEnv(): { client: DynamoDBDocumentClient; events: EventStore; views: ViewStore } {
  const client = traced(documentClient());
  return {
    client,
    events: new DynamoEventStore(client, required(ENV.eventsTable)),
    views: new DynamoViewStore(client, required(ENV.viewsTable)),
  };
}

function projectOnAppend(): boolean {
  return process.env[ENV.projectOnAppend] !== "false";
}

function onViewError(entityId: string, error: unknown): void {
  logger.warn("views not written after append; the projector will repair them", {
    entityId,
    error: error as Error,
  });
}

/** The writer's services over the tables named in its environment, built once per container. */
export const writerServicesFromEnv = once((): WriterServices => {
  const { events, views } = tablesFromEnv();
  const deps = { events, views, now: () => new Date(), newId: randomUUID };
  return {
    ledger: appendOnly({ ...deps, projectOnAppend: projectOnAppend(), onViewError }),
  };
});

/** The stream projector's services, built once per container. */
export const projectorServicesFromEnv = once((): ProjectorServices => {
  const { events, views } = tablesFromEnv();
  return { ledger: projectOnly({ events, views, now: () => new Date(), newId: randomUUID }) };
});

/**
 * The ledger-wide Merkle log, where the function's environment names it (the stack names it
 * only where it keeps one): its leaves are in the views table.
 */
function logFromEnv(client: DynamoDBDocumentClient): LogStore | undefined {
  if (!process.env[PROOFS_ENV.origin]) return undefined;
  return new DynamoLogStore(client, required(ENV.viewsTable));
}

/**
 * The published proofs, where the function's environment names the checkpoints' bucket and
 * public key (the stack gives them only where it keeps a log).
 */
function proofsFromEnv(client: DynamoDBDocumentClient): ProofService | undefined {
  const bucket = process.env[PROOFS_ENV.bucket];
  const publicKey = process.env[PROOFS_ENV.publicKey];
  const log = logFromEnv(client);
  if (!bucket || !publicKey || !log) return undefined;
  return new ProofService({
    log,
    checkpoints: checkpointsFromEnv(bucket),
    publicKeyPem: async () => spkiPem(new Uint8Array(Buffer.from(publicKey, "base64"))),
  });
}

/**
 * The days of Object Lock retention the stack gives the checkpoints. The sequencer, which
 * writes them, must be told (`locks`); a function that only reads them may go without.
 */
function retentionDaysFromEnv(locks: boolean): number {
  const raw = process.env[PROOFS_ENV.retentionDays];
  if (raw === undefined && !locks) return DEFAULT_CHECKPOINT_RETENTION_DAYS;
  const days = Number(raw);
  if (raw === undefined || !/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(days)) {
    throw new Error(`${PROOFS_ENV.retentionDays} must be a whole number of days, not '${raw}'`);
  }
  return days;
}

/** The checkpoints' bucket, with the Object Lock retention the stack gives it. */
function checkpointsFromEnv(bucket: string, locks = false): S3CheckpointStore {
  return new S3CheckpointStore({
    bucket,
    region: required("AWS_REGION"),
    retentionDays: retentionDaysFromEnv(locks),
  });
}

let sequencer: Promise<Sequencer> | undefined;

/**
 * The sequencer over the table, bucket and key named in the function's environment, built
 * once per container (again after a failed build: KMS may have been unreachable). What the
 * environment lacks fails the build before KMS is asked for the key.
 */
export function sequencerFromEnv(): Promise<Sequencer> {
  sequencer ??= (async () => {
    const region = required("AWS_REGION");
    const origin = required(PROOFS_ENV.origin);
    const log = new DynamoLogStore(traced(documentClient()), required(ENV.viewsTable));
    const checkpoints = checkpointsFromEnv(required(PROOFS_ENV.bucket), true);
    const signer = await kmsSigner(origin, required(PROOFS_ENV.keyId), kmsOverHttp({ region }));
    return new Sequencer({ log, checkpoints, signer, origin });
  })();
  sequencer.catch(() => {
    sequencer = undefined;
  });
  return sequencer;
}

/** The reader's services, built once per container: the log only where proofs are published. */
export const readerServicesFromEnv = once((): ReaderServices => {
  const { client, events, views } = tablesFromEnv();
  const log = logFromEnv(client);
  return {
    ledger: entityQuestions({ events, views, now: () => new Date(), ...(log ? { log } : {}) }),
  };
});

/** The audit function's services, built once per container. */
export const auditServicesFromEnv = once((): AuditServices => {
  const { events, views } = tablesFromEnv();
  const now = () => new Date();
  // The audit queries alone: the notices built on them are the notices functions' part.
  return { audit: new AuditQueries({ views, ledger: readOnly({ events, views, now }), now }) };
});

/** The proofs function's services, built once per container. */
export const proofsServicesFromEnv = once((): ProofsServices => {
  const proofs = proofsFromEnv(traced(documentClient()));
  return proofs ? { proofs } : {};
});

/**
 * The services of the notices functions, over the tables named in their environment: no
 * Merkle log nor proofs (their stack gives them none), so that their bundles hold neither.
 */
export const noticeServicesFromEnv = once((): NoticesServices => {
  const { events, views } = tablesFromEnv();
  const now = () => new Date();
  return { notices: audits(views, readOnly({ events, views, now }), now).notices };
});
