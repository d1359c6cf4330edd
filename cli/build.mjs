#!/usr/bin/env node
// Builds the CLI into one ES module, dist/cli.mjs (plus the chunks it loads on demand in
// dist/cli-chunks/), so that `sanctions-ledger` starts without a TypeScript transpiler.
// `npm run build:cli` runs it, and `prepare` on `npm ci`/`npm install`/`npm pack`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The list of sources (relative to the project) that the bin compares the bundle with. */
export const INPUTS_FILE = "cli-chunks/inputs.json";

/**
 * Bundles cli/main.ts and its dependencies for Node 20 into `outdir` (default dist/):
 * `cli.mjs`, its chunks, and `cli-chunks/inputs.json`, the project files it was built
 * from. The package's version is compiled in. Answers the output files.
 */
export async function buildCli({ root = ROOT, outdir = join(ROOT, "dist") } = {}) {
  const { build } = await import("esbuild");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  rmSync(join(outdir, "cli.mjs"), { force: true });
  rmSync(join(outdir, "cli-chunks"), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { cli: "cli/main.ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Chunks: the signing code (AWS credential chain) and the importers load on demand.
    splitting: true,
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "cli-chunks/[name]-[hash]",
    define: { SANCTIONS_LEDGER_VERSION: JSON.stringify(pkg.version) },
    // CommonJS dependencies bundled into an ES module still call require() for builtins.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => resolve(root, p))
    .map((p) => relative(root, p).split("\\").join("/"))
    .filter((p) => !p.startsWith("..") && !isAbsolute(p) && !p.includes("node_modules/"));
  mkdirSync(join(outdir, "cli-chunks"), { recursive: true });
  writeFileSync(
    join(outdir, INPUTS_FILE),
    `${JSON.stringify(["package.json", ...inputs.sort()], null, 1)}\n`,
  );
  return Object.keys(result.metafile.outputs);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildCli();
  } catch (error) {
    // `prepare` runs on every install; without the dev dependencies (npm ci --omit=dev)
    // there is no esbuild, and the bin runs the TypeScript through tsx instead.
    if (process.argv.includes("--if-possible") && error?.code === "ERR_MODULE_NOT_FOUND") {
      console.warn("build:cli: esbuild is not installed; sanctions-ledger will run from source");
    } else {
      throw error;
    }
  }
}
