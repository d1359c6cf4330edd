import { AUDIT_ROUTES } from "../api/routes.js";
import { apiHandler } from "./observability.js";
import { dispatcher, type Operations, ok } from "./requests.js";
import { type AuditServices, auditServicesFromEnv } from "./wiring.js";

/** The audit function: the questions across entities (`AUDIT_ROUTES`). */
export function auditHandler(services: () => AuditServices) {
  const operations: Operations<AuditServices, "audit"> = {
    listSanctions: ({ audit }, { query }) => ok(audit.sanctions(query)),
    listChanges: ({ audit }, { query }) => ok(audit.changes(query)),
    listCorrections: ({ audit }, { query }) => ok(audit.corrections(query)),
    listNotices: ({ audit }, { query }) => ok(audit.notices(query)),
    searchEntities: ({ audit }, { query }) => ok(audit.search(query)),
  };
  return dispatcher(AUDIT_ROUTES, services, operations);
}

export const handler = apiHandler(auditHandler(auditServicesFromEnv));
