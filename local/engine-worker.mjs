// Runs dynalite in its own thread, so that the engine and the ledger use two cores.
import { timingSafeEqual } from "node:crypto";
import { request } from "node:http";
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import dynalite from "dynalite";

/**
 * dynalite reads a range (every Query and Scan) through a stream that, when it ends or is
 * cut short by `Limit`, closes its LevelDB iterator with `iterator.return()`. The iterators
 * of abstract-level 3, under dynalite's `level`, have `close()` and no `return()`, so none
 * was ever closed: each one pinned the table files that LevelDB's compaction had replaced
 * (the data directory grew with every compaction, to gigabytes over an import) and their
 * blocks in memory. Give them the `return()` the streams call. Resolved through dynalite's
 * own dependencies, so that it is the copy dynalite's LevelDB uses.
 */
function closeIteratorsOnReturn() {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  const fromLevel = createRequire(fromDynalite.resolve("level"));
  const { AbstractIterator } = fromLevel("abstract-level");
  const common = Object.getPrototypeOf(AbstractIterator.prototype);
  if (typeof common.return !== "function") {
    Object.defineProperty(common, "return", {
      configurable: true,
      writable: true,
      value: function close() {
        return this.close();
      },
    });
  }
}

closeIteratorsOnReturn();

const { options, port, token, tokenHeader } = workerData;
const expected = Buffer.from(token);

/**
 * Why a request may not reach the engine, if it may not. Browsers send `Origin` with every
 * cross-origin request and cannot add a custom header without a preflight, which is refused:
 * so no web page can call the engine, and no other client that lacks the secret can either.
 */
function refusal(req) {
  if (req.headers.origin !== undefined) return "requests from a web page are refused";
  const sent = req.headers[tokenHeader];
  const given = Buffer.from(typeof sent === "string" ? sent : "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return "the engine's secret is missing or wrong";
  }
  return undefined;
}

const server = dynalite(options);
// dynalite answers CORS preflights for any origin: its handler runs only for admitted requests.
const handlers = server.listeners("request");
server.removeAllListeners("request");
server.on("request", (req, res) => {
  const reason = refusal(req);
  if (reason === undefined) {
    for (const handler of handlers) handler.call(server, req, res);
    return;
  }
  const body = JSON.stringify({
    __type: "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
    message: `Access denied: ${reason}.`,
  });
  res.writeHead(403, { "content-type": "application/x-amz-json-1.0" });
  res.end(body);
});

/**
 * dynalite opens its store on the first request and throws, outside any callback, when the
 * store cannot be opened (LevelDB's lock is held by another process): one request before the
 * engine is announced turns that into an answer the ledger can report.
 */
function opened() {
  return new Promise((resolve) => {
    const failed = (error) => resolve(error);
    process.once("uncaughtException", failed);
    const req = request(
      {
        host: "127.0.0.1",
        port: server.address().port,
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.ListTables",
          "x-amz-date": "20000101T000000Z",
          authorization:
            "AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
          [tokenHeader]: token,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          process.removeListener("uncaughtException", failed);
          resolve(res.statusCode === 200 ? undefined : new Error(`status ${res.statusCode}`));
        });
      },
    );
    req.on("error", () => {
      // The connection dies with the failed request: the uncaught error says why.
    });
    req.end("{}");
  });
}

server.listen(port, "127.0.0.1", async () => {
  const error = await opened();
  if (error) {
    parentPort.postMessage({ error: { message: error.message } });
    return;
  }
  parentPort.postMessage({ port: server.address().port });
});
parentPort.on("message", (message) => {
  if (message !== "close") return;
  server.close(() => parentPort.postMessage({ closed: true }));
  server.closeAllConnections();
});
