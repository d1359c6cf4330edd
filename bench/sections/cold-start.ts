/**
 * Cold start: each Lambda function bundled as infra/function.ts bundles it (esbuild: ESM,
 * minified, platform node, the createRequire banner, the AWS SDK inside), its size, and
 * the time a fresh Node process takes to import it, side by side with a baseline handler
 * bundled the same way that imports only what every function needs from others: the
 * DynamoDB document client and Powertools Logger, Tracer and Metrics (issue 10.1: each
 * function at most 1.15× its size and 1.2× its module load).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { BUNDLING, bundleDefines } from "../../infra/bundling.js";
import type { handlerEntry } from "../../infra/function.js";
import { grid, median, p95, type Row, round, type Section } from "../report.js";
import type { Options } from "./options.js";

/** Every function the stack deploys: each entry `handlerEntry` (infra/function.ts) names. */
const FUNCTIONS = [
  "writer",
  "reader",
  "audit",
  "proofs",
  "docs",
  "projector",
  "sequencer",
  "notices-daily",
  "notices-stream",
] as const satisfies readonly Parameters<typeof handlerEntry>[0][];
/** `tsc` fails here if the stack can deploy a function that the section does not measure. */
type Unmeasured = Exclude<Parameters<typeof handlerEntry>[0], (typeof FUNCTIONS)[number]>;
const everyFunction: [Unmeasured] extends [never] ? true : Unmeasured = true;
void everyFunction;
const TARGET = BUNDLING.target;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Targets of issue 10.1: bundle and module load against the baseline handler. */
const SIZE_TARGET = 1.15;
/**
 * Target of issue 10.1: the ledger's own code and its validation, in kB (1,000 bytes, as the
 * issue counts: its 498 KB baseline is this section's 487 KiB).
 */
const OWN_TARGET_KB = 75;
const LOAD_TARGET = 1.2;

/**
 * The baseline: a handler that builds what every function builds at module load (the
 * document client, wrapped by the tracer, and the three Powertools utilities) and uses them.
 */
const BASELINE = `
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
const logger = new Logger({ serviceName: "baseline" });
const tracer = new Tracer({ serviceName: "baseline" });
const metrics = new Metrics({ namespace: "baseline", serviceName: "baseline" });
const client = tracer.captureAWSv3Client(DynamoDBDocumentClient.from(new DynamoDBClient({})));
export const handler = async (event) => {
  logger.info("baseline", { event });
  metrics.addMetric("calls", "Count", 1);
  return client.send(new GetCommand({ TableName: process.env.EVENTS_TABLE_NAME, Key: { pk: "x" } }));
};
`;

type Part = "ledger" | "valibot" | "other";

/** Whose a bundled module is: the ledger's own code, valibot (its validation), or another package. */
function partOf(file: string): Part {
  if (!file.includes("node_modules/")) return "ledger";
  return file.includes("node_modules/valibot/") ? "valibot" : "other";
}

/** A module's path from its package or from the repository root. */
function shortName(file: string): string {
  const at = file.lastIndexOf("node_modules/");
  return at >= 0 ? file.slice(at + "node_modules/".length) : file;
}

function entry(name: string): string {
  return fileURLToPath(new URL(`../../functions/handlers/${name}.ts`, import.meta.url));
}

/** Imports the module in a new Node process; answers the milliseconds the import took. */
function loadTime(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(
    pathToFileURL(file).href,
  )}); process.stdout.write(String(performance.now() - t));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      {
        env: {
          PATH: process.env.PATH ?? "",
          AWS_REGION: "eu-west-1",
          // As in Lambda: the functions load the Powertools Tracer (and the X-Ray SDK) only
          // there (functions/handlers/observability.ts), the baseline always; without this
          // the functions would skip a load that the baseline pays.
          AWS_LAMBDA_FUNCTION_NAME: "bench",
          EVENTS_TABLE_NAME: "events",
          VIEWS_TABLE_NAME: "views",
          NODE_OPTIONS: "",
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file}: ${error.message} ${stderr}`));
        else resolve(Number(stdout));
      },
    );
  });
}

export async function coldStart(options: Options): Promise<Section> {
  const runs = options.quick ? 5 : 15;
  const dir = await mkdtemp(join(tmpdir(), "ledger-bench-"));
  try {
    const files: Record<string, string> = {};
    const sizes: Record<string, { bytes: number; gzip: number; map: number; buildMs: number }> = {};
    /** The bytes each source file contributes to each bundle. */
    const inputs: Record<string, Map<string, number>> = {};
    for (const name of ["baseline", ...FUNCTIONS]) {
      const outfile = join(dir, name, "index.mjs");
      const start = performance.now();
      const result = await build({
        ...(name === "baseline"
          ? { stdin: { contents: BASELINE, resolveDir: ROOT, sourcefile: "baseline.mjs" } }
          : { entryPoints: [entry(name)] }),
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: TARGET,
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        mainFields: [...BUNDLING.mainFields],
        banner: { js: BUNDLING.banner },
        define: bundleDefines(),
        logLevel: "silent",
        metafile: true,
      });
      const output = Object.entries(result.metafile.outputs).find(([file]) =>
        file.endsWith(".mjs"),
      )?.[1];
      inputs[name] = new Map(
        Object.entries(output?.inputs ?? {}).map(([file, input]) => [file, input.bytesInOutput]),
      );
      const buildMs = performance.now() - start;
      const code = await readFile(outfile);
      sizes[name] = {
        bytes: code.length,
        gzip: gzipSync(code).length,
        map: (await stat(`${outfile}.map`)).size,
        buildMs,
      };
      files[name] = outfile;
    }
    files.empty = join(dir, "empty.mjs");
    await writeFile(files.empty, "export {};\n");
    options.log("cold start: bundled");

    const names = ["empty", "baseline", ...FUNCTIONS];
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    // One warm-up round (file system cache), then the runs, the modules in turn.
    for (let run = -1; run < runs; run++) {
      for (const name of names) {
        const ms = await loadTime(files[name] as string);
        if (run >= 0) times[name]?.push(ms);
      }
    }
    const empty = median(times.empty ?? []);
    const baseSize = (sizes.baseline?.bytes ?? 0) / 1024;
    const baseLoad = median(times.baseline ?? []);
    const rows: Row[] = [];
    for (const name of FUNCTIONS) {
      const value = (sizes[name]?.bytes ?? 0) / 1024;
      rows.push({
        measure: `${name}: bundle size vs the baseline handler (SDK document client + Powertools)`,
        value,
        baseline: baseSize,
        unit: "KiB",
        target: `≤ ${SIZE_TARGET}`,
        met: value / baseSize <= SIZE_TARGET,
        note: `${round((sizes[name]?.gzip ?? 0) / 1024, 0)} KiB gzipped`,
      });
    }
    // What a function adds to the baseline: every module the baseline does not hold, that is
    // the ledger's own code, its validation (valibot) and its few other dependencies.
    const own: Record<string, number> = {};
    const parts: Record<string, Record<Part, number>> = {};
    for (const name of FUNCTIONS) {
      let bytes = 0;
      const split: Record<Part, number> = { ledger: 0, valibot: 0, other: 0 };
      for (const [file, size] of inputs[name] ?? []) {
        if (inputs.baseline?.has(file)) continue;
        bytes += size;
        split[partOf(file)] += size / 1024;
      }
      parts[name] = split;
      own[name] = bytes / 1024;
      rows.push({
        measure: `${name}: the ledger's own code and validation (modules the baseline lacks)`,
        value: bytes / 1000,
        unit: "kB",
        target: `< ${OWN_TARGET_KB}`,
        met: bytes / 1000 < OWN_TARGET_KB,
      });
    }
    for (const name of FUNCTIONS) {
      const value = median(times[name] ?? []);
      rows.push({
        measure: `${name}: module load p50 in a fresh Node process vs the baseline handler`,
        value,
        baseline: baseLoad,
        unit: "ms",
        target: `≤ ${LOAD_TARGET}`,
        met: value / baseLoad <= LOAD_TARGET,
        note: `an empty module loads in ${round(empty, 1)} ms`,
      });
    }
    const detail = grid(
      ["module", "KiB", "gzip KiB", "source map KiB", "load p50 ms", "load p95 ms", "runs"],
      names.map((name) => [
        name,
        round((sizes[name]?.bytes ?? 0) / 1024, 1),
        round((sizes[name]?.gzip ?? 0) / 1024, 1),
        round((sizes[name]?.map ?? 0) / 1024, 1),
        round(median(times[name] ?? []), 1),
        round(p95(times[name] ?? []), 1),
        times[name]?.length ?? 0,
      ]),
    );
    const weights = grid(
      [
        "function",
        "own KiB",
        "ledger code KiB",
        "valibot KiB",
        "other packages KiB",
        "largest modules",
      ],
      FUNCTIONS.map((name) => [
        name,
        round(own[name] ?? 0, 1),
        round(parts[name]?.ledger ?? 0, 1),
        round(parts[name]?.valibot ?? 0, 1),
        round(parts[name]?.other ?? 0, 1),
        [...(inputs[name] ?? [])]
          .filter(([file]) => !inputs.baseline?.has(file))
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([file, size]) => `${shortName(file)} ${round(size / 1024, 1)}`)
          .join(", "),
      ]),
    );
    return {
      name: "cold-start",
      title: "Cold start: bundled Lambda functions",
      rows,
      details: [detail, weights],
      notes: [
        "The baseline handler imports only what every function needs from others: the DynamoDB document client (wrapped by the Tracer) and Powertools Logger, Tracer and Metrics, built at module load as the functions build them.",
        `esbuild as infra/function.ts configures it, from the same settings (infra/bundling.ts: format esm, platform node, target ${TARGET}, minify, mainFields module/main, createRequire banner, the prebuilt OpenAPI document as a define, external source map not counted, nothing external). Module load: \`await import()\` of the bundle in a fresh \`node\` (${process.version}; Lambda runs Node 24 on arm64), median of ${runs} runs after a warm-up, the modules taking turns.`,
        "Module load is what a cold start adds to the runtime's own start: the first request also pays for the clients' first connection, which this does not measure. Every module loads with `AWS_LAMBDA_FUNCTION_NAME` set, as in Lambda, so that the functions load the Tracer as they do there.",
      ],
      data: {
        target: TARGET,
        node: process.version,
        runs,
        sizes,
        ownKiB: Object.fromEntries(Object.entries(own).map(([n, v]) => [n, round(v, 1)])),
        ownParts: parts,
        loadMs: Object.fromEntries(
          names.map((n) => [
            n,
            { p50: round(median(times[n] ?? []), 2), p95: round(p95(times[n] ?? []), 2) },
          ]),
        ),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
