import { AUDIT_ROUTES } from "../api/routes.js";
import { apiHandler } from "./observability.js";
import { dispatcher, type Operations } from "./requests.js";
import { type AuditServices, auditServicesFromEnv } from "./wiring.js";

/** The audit function: the questions across entities (`AUDIT_ROUTES`). */
export function auditHandler(services: () => AuditServices) {
  const operations: Operations<AuditServices, "audit"> = {
    listSanctions: async ({ audit }, { query }) => ({
      status: 200,
      body: await audit.sanctions(query),
    }),
    listChanges: async ({ audit }, { query }) => ({
      status: 200,
      body: await audit.changes(query),
    }),
    listCorrections: async ({ audit }, { query }) => ({
      status: 200,
      body: await audit.corrections(query),
    }),
    listNotices: async ({ audit }, { query }) => ({
      status: 200,
      body: await audit.notices(query),
    }),
    searchEntities: async ({ audit }, { query }) => ({
      status: 200,
      body: await audit.search(query),
    }),
  };
  return dispatcher(AUDIT_ROUTES, services, operations);
}

export const handler = apiHandler(auditHandler(auditServicesFromEnv));
