import { randomUUID } from "node:crypto";
import { AuditQueries } from "../app/audit.js";
import { Ledger, type LedgerDeps } from "../app/ledger.js";
import { ProofService } from "../app/proofs.js";
import { S3CheckpointStore } from "../store/checkpoints.js";
import { DynamoEventStore, DynamoViewStore, documentClient } from "../store/dynamo.js";
import { ENV, PROOFS_ENV } from "../store/keys.js";
import { DynamoLogStore, type LogStore } from "../store/log.js";
import type { EventStore, ViewStore } from "../store/ports.js";
import { spkiPem } from "../store/signers.js";
import { logger } from "./http.js";
import { traced } from "./observability.js";

/** The application services that the handlers call. */
export interface Services {
  ledger: Ledger;
  audit: AuditQueries;
  /** The published proofs, where this deployment keeps a Merkle log. */
  proofs?: ProofService;
}

/** Builds the services over two stores (and the log and its proofs, where there is one). */
export function services(
  stores: { events: EventStore; views: ViewStore; log?: LogStore; proofs?: ProofService },
  overrides: Partial<Pick<LedgerDeps, "now" | "newId" | "projectOnAppend">> = {},
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
    onViewError: (entityId, error) =>
      logger.warn("views not written after append; the projector will repair them", {
        entityId,
        error: error as Error,
      }),
  });
  return {
    ledger,
    audit: new AuditQueries({ views: stores.views, ledger, now }),
    ...(proofs ? { proofs } : {}),
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let built: Services | undefined;

/** The services over the tables named in the function's environment, built once per container. */
export function servicesFromEnv(): Services {
  if (!built) {
    const client = traced(documentClient());
    const viewsTable = required(ENV.viewsTable);
    const log = new DynamoLogStore(client, viewsTable);
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
      {
        events: new DynamoEventStore(client, required(ENV.eventsTable)),
        views: new DynamoViewStore(client, viewsTable),
        // Only where proofs are published does a reader look into the log.
        ...(proofs ? { log, proofs } : {}),
      },
      { projectOnAppend: process.env[ENV.projectOnAppend] !== "false" },
    );
  }
  return built;
}
