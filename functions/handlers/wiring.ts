import { randomUUID } from "node:crypto";
import { Ledger } from "../app/ledger.js";
import { DynamoEventStore, DynamoViewStore, documentClient } from "../store/dynamo.js";
import { ENV } from "../store/keys.js";
import { logger } from "./http.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

let ledger: Ledger | undefined;

/** The ledger over the tables named in the function's environment, built once per container. */
export function ledgerFromEnv(): Ledger {
  if (!ledger) {
    const client = documentClient();
    ledger = new Ledger({
      events: new DynamoEventStore(client, required(ENV.eventsTable)),
      views: new DynamoViewStore(client, required(ENV.viewsTable)),
      now: () => new Date(),
      newId: randomUUID,
      onViewError: (entityId, error) =>
        logger.warn("view not written after append; the projector will repair it", {
          entityId,
          error: error as Error,
        }),
    });
  }
  return ledger;
}
