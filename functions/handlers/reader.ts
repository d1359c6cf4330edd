import { brotliDecompressSync } from "node:zlib";
import type { ProofService } from "../app/proofs.js";
import { NotInLog } from "../domain/errors.js";
import { invalid } from "./http.js";
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
    getLatestCheckpoint: async (services) => ({
      status: 200,
      body: await published(services).latest(),
    }),
    getCheckpoint: async (services, { path }) => ({
      status: 200,
      body: await published(services).checkpoint(path.treeSize),
    }),
    getCheckpointKey: async (services) => ({
      status: 200,
      body: await published(services).publicKey(),
      contentType: "application/x-pem-file",
    }),
    getConsistencyProof: async (services, { query }) => {
      if (query.from > query.to) {
        throw invalid([{ path: "/from", message: "must not be larger than to" }], "query");
      }
      return { status: 200, body: await published(services).consistency(query.from, query.to) };
    },
    getInclusionProof: async (services, { path, query }) => ({
      status: 200,
      body: await published(services).inclusion(path.entityId, path.version, query.treeSize),
    }),
    getOpenApi: async () => ({ status: 200, body: await openApi() }),
  };
  return dispatcher("reader", services, operations);
}

/**
 * The OpenAPI document, brotli-compressed and base64-encoded at bundle time
 * (`infra/bundling.ts` defines it): absent where the code runs unbundled.
 */
declare const __LEDGER_OPENAPI__: string | undefined;

let document: unknown;

/**
 * The OpenAPI document: in a bundle, the one generated at bundle time, so that the function
 * carries neither the generator nor the routes' documentation; unbundled (the local runtime,
 * the tests), generated from the same route table on first use.
 */
async function openApi(): Promise<unknown> {
  if (document === undefined) {
    document =
      typeof __LEDGER_OPENAPI__ === "string"
        ? JSON.parse(brotliDecompressSync(Buffer.from(__LEDGER_OPENAPI__, "base64")).toString())
        : (await import("../api/openapi.js")).openApiDocument();
  }
  return document;
}

/** The proofs, or a 404 where this deployment publishes none. */
function published(services: Services): ProofService {
  if (!services.proofs) throw new NotInLog("This ledger publishes no signed checkpoints.");
  return services.proofs;
}

export const handler = apiHandler(readerHandler(servicesFromEnv));
