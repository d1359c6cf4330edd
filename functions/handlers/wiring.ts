import { randomUUID } from "node:crypto";
import { AuditQueries } from "../app/audit.js";
import { Ledger, type LedgerDeps } from "../app/ledger.js";
import { Notices } from "../app/notices.js";
import { DynamoEventStore, DynamoViewStore, documentClient } from "../store/dynamo.js";
import { ENV } from "../store/keys.js";
import type { EventStore, ViewStore } from "../store/ports.js";
import { logger } from "./http.js";
import { traced } from "./observability.js";

/** The application services that the handlers call. */
export interface Services {
  ledger: Ledger;
  audit: AuditQueries;
  notices: Notices;
}

/** Builds the services over two stores. */
export function services(
  stores: { events: EventStore; views: ViewStore },
  overrides: Partial<Pick<LedgerDeps, "now" | "newId" | "projectOnAppend">> = {},
): Services {
  const now = overrides.now ?? (() => new Date());
  const ledger = new Ledger({
    ...stores,
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
  const audit = new AuditQueries({ views: stores.views, ledger, now });
  return { ledger, audit, notices: new Notices({ ledger, audit, views: stores.views }) };
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
    built = services(
      {
        events: new DynamoEventStore(client, required(ENV.eventsTable)),
        views: new DynamoViewStore(client, required(ENV.viewsTable)),
      },
      { projectOnAppend: process.env[ENV.projectOnAppend] !== "false" },
    );
  }
  return built;
}
