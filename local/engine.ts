import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import dynalite from "dynalite";
import { documentClient } from "../functions/store/dynamo.js";
import { ensureTable, eventsTableInput, viewsTableInput } from "../functions/store/tables.js";

/** An embedded DynamoDB-compatible engine (dynalite) serving on a loopback port. */
export interface Engine {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tables: { events: string; views: string };
  close(): Promise<void>;
}

/** Credentials the embedded engine accepts; it checks none. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * Starts dynalite on 127.0.0.1 (in memory, or kept under `path`) and creates the ledger's
 * tables in it, with the same keys and indexes as the CDK stack.
 */
export async function startEngine(
  options: { path?: string; port?: number; tablePrefix?: string } = {},
): Promise<Engine> {
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const config = { endpoint, region: "local", credentials: LOCAL_CREDENTIALS, maxAttempts: 5 };
  const client = new DynamoDBClient(config);
  const prefix = options.tablePrefix ?? "ledger";
  const tables = { events: `${prefix}-events`, views: `${prefix}-views` };
  await ensureTable(client, eventsTableInput(tables.events));
  await ensureTable(client, viewsTableInput(tables.views));
  return {
    endpoint,
    client,
    doc: documentClient(config),
    tables,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
