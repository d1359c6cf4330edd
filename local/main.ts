import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadDemo } from "./demo.js";
import { EngineStoreUnavailable, startEngine } from "./engine.js";
import { ensureLogFormat, ensureViewsFormat } from "./format.js";
import { claimDataDir, DataDirInUse, holderOf } from "./lock.js";
import { LocalNotifier, notifySecret, SECRET_ENV, SIGNATURE_HEADER } from "./notify.js";
import { allowedHostName } from "./options.js";
import { localProofs } from "./proofs.js";
import { createLocalServer, listen, localFunctions } from "./server.js";

const HELP = `sanctions-ledger local runtime

Usage: npm start -- [--memory] [--demo] [--data DIR] [--host HOST] [--allowed-host NAME]...
                    [--notify URL]

  --memory             keep nothing: an in-memory engine
  --demo               load the founding example (Japan's measures of March 2022)
  --data DIR           where to keep the data (default .ledger/)
  --host HOST          the address to listen on (default 127.0.0.1)
  --allowed-host NAME  a host name this server answers to besides its address (and
                       localhost, 127.0.0.1, [::1] on a loopback connection), such as
                       the machine's name when --host 0.0.0.0; repeatable
  --notify URL         POST each notice (a sanction entering into force, amended or
                       leaving force on a day; a correction of days already past) to
                       URL as a CloudEvents 1.0 JSON document, signed with HMAC-SHA256
                       in the ${SIGNATURE_HEADER} header (secret: $${SECRET_ENV}, else the
                       file notify-secret of the data directory); undelivered notices
                       wait in DIR/notices/outbox across restarts

Requests whose Host header names another host, or whose Origin is another origin
than this server's, are refused (403): no web page elsewhere can call the ledger.

PORT sets the port (default 3000).`;

async function main(): Promise<void> {
  // The AWS SDK's notice that its releases after January 2027 will need Node.js 22: the SDK
  // is pinned, so it concerns none of the versions this runtime runs on (`engines`).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { values } = parseArgs({
    options: {
      memory: { type: "boolean", default: false },
      demo: { type: "boolean", default: false },
      data: { type: "string", default: ".ledger" },
      host: { type: "string", default: "127.0.0.1" },
      "allowed-host": { type: "string", multiple: true, default: [] },
      notify: { type: "string" },
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
  const narrower = await ensureLogFormat(engine);
  if (narrower > 0) console.log(`log: ${narrower} partial tiles kept within wider ones`);
  // The log and its key are the data directory's (or the process's, with --memory).
  const proofs = localProofs(engine, values.memory ? {} : { dataDir });
  if (values.demo) {
    const { written, replayed } = await loadDemo(engine);
    console.log(`demo: ${written} events written, ${replayed} already present`);
  }
  const admitted = await proofs.catchUp();
  if (admitted > 0) console.log(`log: ${admitted} stored events admitted to the Merkle log`);
  const fns = localFunctions(engine, {}, { proofs });
  let notifier: LocalNotifier | undefined;
  if (values.notify !== undefined) {
    const target = new URL(values.notify);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new Error(`--notify ${values.notify} is not an http(s) URL`);
    }
    const home = values.memory ? mkdtempSync(join(tmpdir(), "sanctions-ledger-")) : dataDir;
    notifier = new LocalNotifier({
      url: target.href,
      dir: join(home, "notices"),
      secret: notifySecret(home),
      services: fns.services,
    });
    notifier.start();
    console.log(`notices go to ${target.href} (outbox in ${join(home, "notices", "outbox")})`);
  }
  const server = createLocalServer(fns, { allowedHosts });
  const url = await listen(server, port, values.host);
  console.log(
    `sanctions-ledger listening on ${url} (${values.memory ? "in memory" : `data in ${dataDir}`})`,
  );
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void (notifier?.stop() ?? Promise.resolve())
      .then(() => engine.close())
      .then(() => {
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
