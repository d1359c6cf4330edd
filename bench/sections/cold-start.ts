/**
 * Cold start: each Lambda function bundled as infra/function.ts bundles it (esbuild: ESM,
 * minified, platform node, the createRequire banner, the AWS SDK inside), its size, and
 * the time a fresh Node process takes to import it, against an empty module.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { grid, median, p95, type Row, round, type Section } from "../report.js";
import type { Options } from "./options.js";

const FUNCTIONS = ["writer", "reader", "projector"] as const;
/** The banner of infra/function.ts: bundled CommonJS dependencies still call `require`. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";
const TARGET = "node22";

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
    for (const name of FUNCTIONS) {
      const outfile = join(dir, name, "index.mjs");
      const start = performance.now();
      await build({
        entryPoints: [entry(name)],
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: TARGET,
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        mainFields: ["module", "main"],
        banner: { js: ESM_REQUIRE_BANNER },
        logLevel: "silent",
      });
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

    const names = ["empty", ...FUNCTIONS];
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    // One warm-up round (file system cache), then the runs, the modules in turn.
    for (let run = -1; run < runs; run++) {
      for (const name of names) {
        const ms = await loadTime(files[name] as string);
        if (run >= 0) times[name]?.push(ms);
      }
    }
    const empty = median(times.empty ?? []);
    const rows: Row[] = [];
    for (const name of FUNCTIONS) {
      rows.push({
        measure: `${name}: bundle size (minified ESM, AWS SDK included)`,
        value: (sizes[name]?.bytes ?? 0) / 1024,
        unit: "KiB",
        note: `${round((sizes[name]?.gzip ?? 0) / 1024, 0)} KiB gzipped`,
      });
    }
    for (const name of FUNCTIONS) {
      rows.push({
        measure: `${name}: module load p50 in a fresh Node process vs an empty module`,
        value: median(times[name] ?? []),
        baseline: empty,
        unit: "ms",
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
    return {
      name: "cold-start",
      title: "Cold start: bundled Lambda functions",
      rows,
      details: [detail],
      notes: [
        `esbuild as infra/function.ts configures it (format esm, platform node, target ${TARGET}, minify, mainFields module/main, createRequire banner, external source map, nothing external). Module load: \`await import()\` of the bundle in a fresh \`node\` (${process.version}; Lambda runs Node 24 on arm64), median of ${runs} runs after a warm-up, the modules taking turns.`,
        "Module load is what a cold start adds to the runtime's own start: the first request also pays for the clients' first connection, which this does not measure.",
      ],
      data: {
        target: TARGET,
        node: process.version,
        runs,
        sizes,
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
