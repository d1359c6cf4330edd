import { randomUUID } from "node:crypto";
import { AuditQueries } from "../app/audit.js";
import { Ledger, type LedgerDeps } from "../app/ledger.js";
import { Notices } from "../app/notices.js";
import { DynamoEventStore, DynamoViewStore, documentClient } from "../store/dynamo.js";
import { ENV } from "../store/keys.js";
import type { EventStore, ViewStore } from "../store/ports.js";
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
}

type Overrides = Partial<Pick<LedgerDeps, "now" | "newId" | "projectOnAppend">>;

/**
 * The ledger over two stores. Apart from {@link services}, so that the writer and the
 * projector, which never answer an audit query, do not bundle the audit queries.
 */
export function ledgerServices(
  stores: { events: EventStore; views: ViewStore },
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

/** Builds the services over two stores. */
export function services(
  stores: { events: EventStore; views: ViewStore },
  overrides: Overrides = {},
): Services {
  const now = overrides.now ?? (() => new Date());
  const { ledger } = ledgerServices(stores, { ...overrides, now });
  const audit = new AuditQueries({ views: stores.views, ledger, now });
  return { ledger, audit, notices: new Notices({ ledger, audit, views: stores.views }) };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let stores: { events: EventStore; views: ViewStore } | undefined;
let ledgerBuilt: LedgerServices | undefined;
let built: Services | undefined;

function storesFromEnv(): { events: EventStore; views: ViewStore } {
  if (!stores) {
    const client = traced(documentClient());
    stores = {
      events: new DynamoEventStore(client, required(ENV.eventsTable)),
      views: new DynamoViewStore(client, required(ENV.viewsTable)),
    };
  }
  return stores;
}

/** The ledger over the tables named in the function's environment, built once per container. */
export function ledgerServicesFromEnv(): LedgerServices {
  ledgerBuilt ??= ledgerServices(storesFromEnv(), {
    projectOnAppend: process.env[ENV.projectOnAppend] !== "false",
  });
  return ledgerBuilt;
}

/** The services over the tables named in the function's environment, built once per container. */
export function servicesFromEnv(): Services {
  if (!built) {
    const now = () => new Date();
    const { ledger } = ledgerServicesFromEnv();
    const { views } = storesFromEnv();
    const audit = new AuditQueries({ views, ledger, now });
    built = { ledger, audit, notices: new Notices({ ledger, audit, views }) };
  }
  return built;
}
