import { PROOFS_ROUTES } from "../api/routes.js";
import type { ProofService } from "../app/proofs.js";
import { NotInLog } from "../domain/errors.js";
import { apiHandler } from "./observability.js";
import { dispatcher, type Operations, ok } from "./requests.js";
import { type ProofsServices, proofsServicesFromEnv } from "./wiring.js";

/**
 * The proofs function: what the ledger publishes (`PROOFS_ROUTES`): its signed checkpoints,
 * their key, inclusion and consistency proofs.
 */
export function proofsHandler(services: () => ProofsServices) {
  const operations: Operations<ProofsServices, "proofs"> = {
    getLatestCheckpoint: (services) => ok(published(services).latest()),
    getCheckpoint: (services, { path }) => ok(published(services).checkpoint(path.treeSize)),
    getCheckpointKey: async (services) => ({
      status: 200,
      body: await published(services).publicKey(),
      contentType: "application/x-pem-file",
    }),
    getConsistencyProof: (services, { query }) =>
      ok(published(services).consistency(query.from, query.to)),
    getInclusionProof: (services, { path, query }) =>
      ok(published(services).inclusion(path.entityId, path.version, query.treeSize)),
  };
  return dispatcher(PROOFS_ROUTES, services, operations);
}

/** The proofs, or a 404 where this deployment publishes none. */
function published(services: ProofsServices): ProofService {
  if (!services.proofs) throw new NotInLog("This ledger publishes no signed checkpoints.");
  return services.proofs;
}

export const handler = apiHandler(proofsHandler(proofsServicesFromEnv));
