import { READER_ROUTES } from "../api/routes.js";
import { apiHandler } from "./observability.js";
import { dispatcher, type Operations } from "./requests.js";
import { type ReaderServices, readerServicesFromEnv } from "./wiring.js";

/** The reader: the questions about one entity (`READER_ROUTES`). */
export function readerHandler(services: () => ReaderServices) {
  const operations: Operations<ReaderServices, "reader"> = {
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
  };
  return dispatcher(READER_ROUTES, services, operations);
}

export const handler = apiHandler(readerHandler(readerServicesFromEnv));
