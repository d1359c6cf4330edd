/**
 * Writes the API's OpenAPI document and the TypeScript types generated from it, so that the
 * app is type-checked against the API it talks to (a drift fails `npm run typecheck`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { openApiDocument } from "../../functions/api/openapi.js";

const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const generated = join(appDir, "src", "generated");

/** Writes `file` only when its content changes, so that staleness checks see real changes. */
function writeIfChanged(file: string, content: string): void {
  let old: string | undefined;
  try {
    old = readFileSync(file, "utf8");
  } catch {}
  if (old !== content) writeFileSync(file, content);
}

const document = openApiDocument();
mkdirSync(generated, { recursive: true });
writeIfChanged(join(generated, "openapi.json"), `${JSON.stringify(document, null, 2)}\n`);
const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
writeIfChanged(
  join(generated, "api.d.ts"),
  `/* Generated from functions/api/openapi.ts by app/build/openapi.ts: do not edit. */\n${astToString(ast)}`,
);
