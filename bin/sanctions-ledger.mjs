#!/usr/bin/env node
// The `sanctions-ledger` command. It runs the bundle that `npm run build:cli` makes (and
// `prepare` on `npm ci`), dist/cli.mjs, which starts in a fraction of the time of the
// TypeScript. Without a bundle, or with one older than any file it was built from (an edit
// since the last build), it runs cli/main.ts through tsx: slower to start, same behaviour.
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const bundle = new URL("dist/cli.mjs", root);

function bundleIsCurrent() {
  let built;
  let inputs;
  try {
    built = statSync(bundle).mtimeMs;
    inputs = JSON.parse(readFileSync(new URL("dist/cli-chunks/inputs.json", root), "utf8"));
  } catch {
    return false;
  }
  for (const input of inputs) {
    let changed;
    try {
      changed = statSync(fileURLToPath(new URL(input, root))).mtimeMs;
    } catch {
      continue; // not shipped (an installed package holds the bundle only): nothing newer
    }
    if (changed > built) return false;
  }
  return true;
}

if (bundleIsCurrent()) {
  const { main } = await import(bundle.href);
  await main();
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../cli/main.ts");
  await main();
}
