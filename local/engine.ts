import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  ScanCommand,
  type ScanCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../functions/store/dynamo.js";
import { ensureTable, eventsTableInput, viewsTableInput } from "../functions/store/tables.js";

/**
 * An embedded DynamoDB-compatible engine (dynalite) serving on a loopback port. It answers
 * only requests that carry its secret and no `Origin`: a web page cannot reach it.
 */
export interface Engine {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tables: { events: string; views: string };
  close(): Promise<void>;
}

const STATIC_AUTH =
  "AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0";

/** The header that carries the engine's secret, which the engine requires on every request. */
export const ENGINE_TOKEN_HEADER = "x-ledger-engine-token";

function withStaticAuth<T>(request: T, token: string): T {
  const headers = (request as { headers?: Record<string, string> }).headers;
  if (headers) {
    headers.authorization = STATIC_AUTH;
    headers["x-amz-date"] = "20000101T000000Z";
    headers[ENGINE_TOKEN_HEADER] = token;
  }
  return request;
}

/**
 * The engine could not open the store in its data directory: most likely another process
 * holds the store's lock (dynalite does not tell that reason from others).
 */
export class EngineStoreUnavailable extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`the engine cannot open ${path}: ${message}`);
    this.name = "EngineStoreUnavailable";
  }
}

/** Credentials the embedded engine accepts; it checks none. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** The engine thread's heap when its data is on disk (MiB). */
const ENGINE_HEAP_MB = 96;

/** Serves dynalite on a loopback port from a worker thread, so it has a core of its own. */
async function serve(
  options: { path?: string },
  port: number,
  token: string,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const worker = new Worker(new URL("./engine-worker.mjs", import.meta.url), {
    workerData: { options, port, token, tokenHeader: ENGINE_TOKEN_HEADER },
    // On disk, the engine's data is LevelDB's, outside the heap: a small heap keeps the
    // garbage of its requests from piling up. In memory, the data is the heap.
    ...(options.path ? { resourceLimits: { maxOldGenerationSizeMb: ENGINE_HEAP_MB } } : {}),
  });
  type Started = { port: number } | { error: { message: string } };
  const started = await new Promise<Started>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", resolve);
  });
  if ("error" in started) {
    await worker.terminate();
    const { message } = started.error;
    throw options.path
      ? new EngineStoreUnavailable(options.path, message)
      : new Error(`the engine did not start: ${message}`);
  }
  const bound = started.port;
  return {
    port: bound,
    stop: async () => {
      await new Promise<void>((resolve) => {
        worker.once("message", () => resolve());
        worker.postMessage("close");
      });
      await worker.terminate();
    },
  };
}

/**
 * Starts dynalite on 127.0.0.1 (in memory, or kept under `path`) and creates the ledger's
 * tables in it, with the same keys and indexes as the CDK stack.
 */
export async function startEngine(
  options: { path?: string; port?: number; tablePrefix?: string } = {},
): Promise<Engine> {
  const dynaliteOptions = {
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  };
  // A fresh secret per engine, never written anywhere: only this process's clients have it.
  const token = randomBytes(32).toString("base64url");
  const { port, stop } = await serve(dynaliteOptions, options.port ?? 0, token);
  const endpoint = `http://127.0.0.1:${port}`;
  const config = {
    endpoint,
    region: "local",
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 5,
    // The embedded engine checks that a request is signed but not the signature: a fixed
    // header spares the signing work on every request. The signer also adds the secret.
    signer: { sign: async <T>(request: T) => withStaticAuth(request, token) },
  };
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
      await stop();
    },
  };
}

/**
 * Every item a scan finds, page after page, as the document client reads them. Only the
 * local runtime scans a table (a rebuild, a catch-up over every event).
 */
export async function scanAll(
  engine: Engine,
  input: Omit<ScanCommandInput, "ExclusiveStartKey">,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await engine.doc.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
