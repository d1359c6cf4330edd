/**
 * The benchmark suite: `npm run bench` (or `npx tsx bench/run.ts`).
 *
 *   --quick            smaller sizes (≤ 1,000 events and entities, an SDN slice): a minute or two
 *   --only <sections>  comma-separated: write-path, point-in-time, cross-entity, import, cold-start, projection, footprint, proofs
 *   --out <file>       where to write the results (default: bench-results.json at the repo root)
 *
 * Everything runs against the embedded engine (dynalite on loopback, over its HTTP API) and
 * the local server with the real handlers; every figure is measured in the same run as its
 * baseline. Prints a Markdown table per section and writes all numbers as JSON.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Section } from "./report.js";
import type { Options } from "./sections/options.js";

// Before anything loads the handlers: their logger would print every repaired view, and
// the AWS SDK warns once about Node 20 on every client.
process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string })?.type;
  if (type === "NodeVersionSupportWarning" || text.includes("AWS SDK for JavaScript (v3)")) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const SECTIONS: Record<string, () => Promise<(options: Options) => Promise<Section>>> = {
  "write-path": async () => (await import("./sections/write-path.js")).writePath,
  "point-in-time": async () => (await import("./sections/point-in-time.js")).pointInTime,
  "cross-entity": async () => (await import("./sections/cross-entity.js")).crossEntity,
  import: async () => (await import("./sections/import.js")).importSection,
  "cold-start": async () => (await import("./sections/cold-start.js")).coldStart,
  projection: async () => (await import("./sections/projection.js")).projection,
  footprint: async () => (await import("./sections/footprint.js")).footprint,
  proofs: async () => (await import("./sections/proofs.js")).proofs,
};

const USAGE = `usage: tsx bench/run.ts [--quick] [--only <section>[,<section>…]] [--out <file>]
sections: ${Object.keys(SECTIONS).join(", ")}`;

function parse() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only = (values.only ?? []).flatMap((v) => v.split(",")).map((v) => v.trim());
  for (const name of only) {
    if (!(name in SECTIONS)) throw new Error(`unknown section '${name}'\n${USAGE}`);
  }
  const root = fileURLToPath(new URL("..", import.meta.url));
  return {
    quick: values.quick,
    sections: only.length > 0 ? only : Object.keys(SECTIONS),
    out: resolve(values.out ?? `${root}bench-results.json`),
  };
}

async function main() {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const started = new Date();
  const machine = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  const log = (message: string) => {
    const seconds = ((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${seconds} s] ${message}\n`);
  };
  const { render, finished } = await import("./report.js");
  console.log(
    `## sanctions-ledger benchmarks${args.quick ? " (QUICK: reduced sizes)" : ""}\n\n` +
      `${started.toISOString()}, Node ${machine.node}, ${machine.cpus} × ${machine.cpu}, ` +
      `load average ${machine.loadAverageAtStart.join(" ")}\n`,
  );
  const results: Record<string, unknown> = {};
  let failed = false;
  for (const name of args.sections) {
    const load = SECTIONS[name];
    if (!load) continue;
    const start = performance.now();
    log(`${name}: start`);
    try {
      const section = await (await load())({ quick: args.quick, log });
      section.seconds = (performance.now() - start) / 1000;
      console.log(`${render(section)}\n\n_${name}: ${section.seconds.toFixed(0)} s_\n`);
      results[name] = {
        title: section.title,
        quick: args.quick,
        measuredAt: new Date().toISOString(),
        seconds: Math.round(section.seconds),
        rows: section.rows.map(finished),
        notes: section.notes ?? [],
        data: section.data,
      };
    } catch (error) {
      failed = true;
      console.error(`${name} failed:`, error);
      results[name] = { error: String((error as Error)?.stack ?? error) };
    }
  }
  // A run of some sections keeps the others' last results, each with its own date.
  let previous: Record<string, unknown> = {};
  if (args.sections.length < Object.keys(SECTIONS).length && existsSync(args.out)) {
    try {
      const stored = JSON.parse(readFileSync(args.out, "utf8")) as {
        sections?: Record<string, unknown>;
      };
      previous = stored.sections ?? {};
    } catch {
      previous = {};
    }
  }
  const document = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: args.quick,
    ran: args.sections,
    machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    sections: { ...previous, ...results },
  };
  writeFileSync(args.out, `${JSON.stringify(document, null, 2)}\n`);
  const total = (Date.now() - started.getTime()) / 1000;
  console.log(`_Total ${total.toFixed(0)} s; results written to ${args.out}_`);
  process.exit(failed ? 1 : 0);
}

await main();
