import { READER_ROUTES } from "../api/routes.js";
import { apiHandler } from "./observability.js";
import { dispatcher, type Operations, ok } from "./requests.js";
import { type ReaderServices, readerServicesFromEnv } from "./wiring.js";

/** The reader: the questions about one entity (`READER_ROUTES`). */
export function readerHandler(services: () => ReaderServices) {
  const operations: Operations<ReaderServices, "reader"> = {
    getEntity: ({ ledger }, { path, query }) => ok(ledger.state(path.entityId, query)),
    listEntityEvents: ({ ledger }, { path, query }) => ok(ledger.events(path.entityId, query)),
    getEntityTimeline: ({ ledger }, { path, query }) => ok(ledger.timeline(path.entityId, query)),
    verifyEntity: ({ ledger }, { path }) => ok(ledger.verify(path.entityId)),
  };
  return dispatcher(READER_ROUTES, services, operations);
}

export const handler = apiHandler(readerHandler(readerServicesFromEnv));
