import { randomUUID } from "node:crypto";
import { AuditQueries } from "../app/audit.js";
import { Ledger, type LedgerDeps } from "../app/ledger.js";
import { Notices } from "../app/notices.js";
import { ProofService } from "../app/proofs.js";
import { S3CheckpointStore } from "../store/checkpoints.js";
import { DynamoEventStore, DynamoViewStore, documentClient } from "../store/dynamo.js";
import { ENV, PROOFS_ENV } from "../store/keys.js";
import { DynamoLogStore, type LogStore } from "../store/log.js";
import type { EventStore, ViewStore } from "../store/ports.js";
import { spkiPem } from "../store/signers.js";
import { logger } from "./http.js";
import { traced } from "./observability.js";

/** What a function that appends or projects calls: the ledger alone. */
export interface LedgerServices {
  ledger: Ledger;
}

/** The application services that the handlers call: the reader's audit queries besides. */
export interface Services extends LedgerServices {
  audit: AuditQueries;
  notices: Notices;
  /** The published proofs, where this deployment keeps a Merkle log. */
  proofs?: ProofService;
}

type Overrides = Partial<Pick<LedgerDeps, "now" | "newId" | "projectOnAppend">>;

/**
 * The ledger over two stores (and the log, whose hashes `verify` holds as witnesses).
 * Apart from {@link services}, so that the writer and the projector, which never answer an
 * audit query, do not bundle the audit queries.
 */
export function ledgerServices(
  stores: { events: EventStore; views: ViewStore; log?: LogStore },
  overrides: Overrides = {},
): LedgerServices {
  const ledger = new Ledger({
    ...stores,
    now: overrides.now ?? (() => new Date()),
    newId: overrides.newId ?? randomUUID,
    ...(overrides.projectOnAppend === undefined
      ? {}
      : { projectOnAppend: overrides.projectOnAppend }),
    onViewError: (entityId, error) =>
      logger.warn("views not written after append; the projector will repair them", {
        entityId,
        error: error as Error,
      }),
  });
  return { ledger };
}

/** Builds the services over two stores (and the log and its proofs, where there is one). */
export function services(
  stores: { events: EventStore; views: ViewStore; log?: LogStore; proofs?: ProofService },
  overrides: Overrides = {},
): Services {
  const now = overrides.now ?? (() => new Date());
  const { proofs, ...ledgerStores } = stores;
  const { ledger } = ledgerServices(ledgerStores, { ...overrides, now });
  const audit = new AuditQueries({ views: stores.views, ledger, now });
  return {
    ledger,
    audit,
    notices: new Notices({ ledger, audit, views: stores.views }),
    ...(proofs ? { proofs } : {}),
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let ledgerBuilt: LedgerServices | undefined;
let built: Services | undefined;
let noticesBuilt: Services | undefined;

function tablesFromEnv() {
  const client = traced(documentClient());
  return {
    client,
    events: new DynamoEventStore(client, required(ENV.eventsTable)),
    views: new DynamoViewStore(client, required(ENV.viewsTable)),
  };
}

/** The ledger over the tables named in the function's environment, built once per container. */
export function ledgerServicesFromEnv(): LedgerServices {
  if (!ledgerBuilt) {
    const { events, views } = tablesFromEnv();
    ledgerBuilt = ledgerServices(
      { events, views },
      { projectOnAppend: process.env[ENV.projectOnAppend] !== "false" },
    );
  }
  return ledgerBuilt;
}

/** The services over the tables named in the function's environment, built once per container. */
export function servicesFromEnv(): Services {
  if (!built) {
    const { client, events, views } = tablesFromEnv();
    const log = new DynamoLogStore(client, required(ENV.viewsTable));
    const bucket = process.env[PROOFS_ENV.bucket];
    const publicKey = process.env[PROOFS_ENV.publicKey];
    const proofs =
      bucket && publicKey
        ? new ProofService({
            log,
            checkpoints: new S3CheckpointStore({
              bucket,
              region: required("AWS_REGION"),
              retentionDays: Number(process.env[PROOFS_ENV.retentionDays] ?? 1826),
            }),
            publicKeyPem: async () => spkiPem(new Uint8Array(Buffer.from(publicKey, "base64"))),
          })
        : undefined;
    built = services(
      // Only where proofs are published does a reader look into the log.
      { events, views, ...(proofs ? { log, proofs } : {}) },
      { projectOnAppend: process.env[ENV.projectOnAppend] !== "false" },
    );
  }
  return built;
}

/**
 * The services of the notices functions, over the tables named in their environment: no
 * Merkle log nor proofs (their stack gives them none), so that their bundles hold neither.
 */
export function noticeServicesFromEnv(): Services {
  if (!noticesBuilt) {
    const { events, views } = tablesFromEnv();
    noticesBuilt = services(
      { events, views },
      { projectOnAppend: process.env[ENV.projectOnAppend] !== "false" },
    );
  }
  return noticesBuilt;
}
