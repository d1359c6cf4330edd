#!/usr/bin/env node
// Measures how long `sanctions-ledger --version` takes from process start to exit, next to
// an empty Node process: `npm run bench:cli [-- --runs 20] [-- --npx]`. It builds the bundle
// first if it is missing or stale. With --npx it also times `npx sanctions-ledger
// --version`, whose extra time is npm's own (npm loads, then reads the project's tree).
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildCli } from "./build.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../bin/sanctions-ledger.mjs", import.meta.url));
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 15;

try {
  statSync(new URL("../dist/cli.mjs", import.meta.url));
} catch {
  await buildCli();
}

function time(command, commandArgs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const res = spawnSync(command, commandArgs, { cwd: root, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status !== 0) throw new Error(`${command} ${commandArgs.join(" ")}: ${res.stderr}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { median: at(0.5), p90: at(0.9), min: times[0] };
}

const rows = [
  ["node -e 0 (an empty Node process)", time(process.execPath, ["-e", "0"])],
  ["node bin/sanctions-ledger.mjs --version", time(process.execPath, [bin, "--version"])],
  ["node bin/sanctions-ledger.mjs --help", time(process.execPath, [bin, "--help"])],
];
if (args.includes("--npx")) {
  rows.push(["npx sanctions-ledger --version", time("npx", ["sanctions-ledger", "--version"])]);
}
console.log(`start time over ${runs} runs (ms)`);
for (const [label, t] of rows) {
  console.log(
    `${label.padEnd(44)} median ${t.median.toFixed(0).padStart(5)}  p90 ${t.p90.toFixed(0).padStart(5)}  min ${t.min.toFixed(0).padStart(5)}`,
  );
}
