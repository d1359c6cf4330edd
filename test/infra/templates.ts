/**
 * The two templates most CDK tests read, synthesized once per run: `npm test`'s global
 * setup runs this file in a process of its own while the other suites start, and the CDK
 * tests read its output (see `ledgerTemplate` in support.ts). Run alone:
 * `tsx test/infra/templates.ts DIR`.
 */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { synthesizeStack } from "./support.js";
import { TEMPLATE_PROPS } from "./template-kinds.js";

/** Writes each template as `<kind>.json` (or `<kind>.error`), atomically, into `dir`. */
export async function writeTemplates(dir: string): Promise<void> {
  for (const [kind, props] of Object.entries(TEMPLATE_PROPS)) {
    const file = join(dir, `${kind}.json`);
    try {
      const json = JSON.stringify(synthesizeStack(props).template.toJSON());
      writeFileSync(`${file}.part`, json);
      renameSync(`${file}.part`, file);
    } catch (error) {
      writeFileSync(join(dir, `${kind}.error`), String((error as Error)?.stack ?? error));
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: tsx test/infra/templates.ts DIR");
  await writeTemplates(dir);
}
