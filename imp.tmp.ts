import { LedgerClient } from "./cli/client.js";
import { parseOfacCsv } from "./cli/import/ofac.js";
import { runImport } from "./cli/import/run.js";
import { startLedger } from "./test/support/ledger.js";

const api = await startLedger();
const client = new LedgerClient({ url: api.url });
const pub = await parseOfacCsv("../shared/data/ofac-sdn-2019");
pub.entries = pub.entries.slice(0, 1500);
const t0 = Date.now();
const { summary } = await runImport(client, pub, {
  published: "2019-01-15",
  concurrency: Number(process.env.C ?? 4),
});
const s = (Date.now() - t0) / 1000;
console.log(`${summary.written} events in ${s}s = ${(summary.written / s).toFixed(0)} ev/s`);
await api.close();
