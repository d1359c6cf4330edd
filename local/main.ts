import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadDemo } from "./demo.js";
import { EngineStoreUnavailable, startEngine } from "./engine.js";
import { ensureViewsFormat } from "./format.js";
import { claimDataDir, DataDirInUse, holderOf } from "./lock.js";
import { allowedHostName } from "./options.js";
import { localProofs } from "./proofs.js";
import { createLocalServer, listen, localFunctions } from "./server.js";

const HELP = `sanctions-ledger local runtime

Usage: npm start -- [--memory] [--demo] [--data DIR] [--host HOST] [--allowed-host NAME]...

  --memory             keep nothing: an in-memory engine
  --demo               load the founding example (Japan's measures of March 2022)
  --data DIR           where to keep the data (default .ledger/)
  --host HOST          the address to listen on (default 127.0.0.1)
  --allowed-host NAME  a host name this server answers to besides its address (and
                       localhost, 127.0.0.1, [::1] on a loopback connection), such as
                       the machine's name when --host 0.0.0.0; repeatable

Requests whose Host header names another host, or whose Origin is another origin
than this server's, are refused (403): no web page elsewhere can call the ledger.

PORT sets the port (default 3000).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      memory: { type: "boolean", default: false },
      demo: { type: "boolean", default: false },
      data: { type: "string", default: ".ledger" },
      host: { type: "string", default: "127.0.0.1" },
      "allowed-host": { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT ${process.env.PORT} is not a port`);
  const allowedHosts = values["allowed-host"].map(allowedHostName);
  const dataDir = resolve(values.data);
  if (!values.memory) mkdirSync(dataDir, { recursive: true });
  const engine = await startEngine(values.memory ? {} : { path: dataDir }).catch(
    (error: unknown) => {
      throw error instanceof EngineStoreUnavailable
        ? new DataDirInUse(values.data, holderOf(dataDir))
        : error;
    },
  );
  const release = values.memory ? () => {} : claimDataDir(dataDir);
  await ensureViewsFormat(engine, (message) => console.log(message));
  // The log and its key are the data directory's (or the process's, with --memory).
  const proofs = localProofs(engine, values.memory ? {} : { dataDir });
  if (values.demo) {
    const { written, replayed } = await loadDemo(engine);
    console.log(`demo: ${written} events written, ${replayed} already present`);
  }
  const admitted = await proofs.catchUp();
  if (admitted > 0) console.log(`log: ${admitted} stored events admitted to the Merkle log`);
  const server = createLocalServer(localFunctions(engine, {}, { proofs }), { allowedHosts });
  const url = await listen(server, port, values.host);
  console.log(
    `sanctions-ledger listening on ${url} (${values.memory ? "in memory" : `data in ${dataDir}`})`,
  );
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void engine.close().then(() => {
      release();
      process.exit(0);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
