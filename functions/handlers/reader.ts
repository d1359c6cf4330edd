import { openApiDocument } from "../api/openapi.js";
import { apiHandler } from "./observability.js";
import { dispatcher, type Operations } from "./requests.js";
import { type Services, servicesFromEnv } from "./wiring.js";

/** The reader: the routes of ROUTES that answer questions. */
export function readerHandler(services: () => Services) {
  const operations: Operations<Services, "reader"> = {
    getEntity: async ({ ledger }, { path, query }) => ({
      status: 200,
      body: await ledger.state(path.entityId, query),
    }),
    listEntityEvents: async ({ ledger }, { path, query }) => ({
      status: 200,
      body: await ledger.events(path.entityId, query),
    }),
    getEntityTimeline: async ({ ledger }, { path, query }) => ({
      status: 200,
      body: await ledger.timeline(path.entityId, query),
    }),
    verifyEntity: async ({ ledger }, { path }) => ({
      status: 200,
      body: await ledger.verify(path.entityId),
    }),
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
    getOpenApi: async () => ({ status: 200, body: openApiDocument() }),
  };
  return dispatcher("reader", services, operations);
}

export const handler = apiHandler(readerHandler(servicesFromEnv));
