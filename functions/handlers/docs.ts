import { brotliDecompressSync } from "node:zlib";
import { DOCS_ROUTES } from "../api/routes.js";
import { apiHandler } from "./observability.js";
import { dispatcher, type Operations, ok } from "./requests.js";

/** The docs function: the API's OpenAPI document (`DOCS_ROUTES`). It calls no service. */
export function docsHandler() {
  const operations: Operations<unknown, "docs"> = {
    getOpenApi: () => ok(openApi()),
  };
  return dispatcher(DOCS_ROUTES, () => undefined, operations);
}

/**
 * The OpenAPI document, brotli-compressed and base64-encoded at bundle time
 * (`infra/bundling.ts` defines it): absent where the code runs unbundled.
 */
declare const __LEDGER_OPENAPI__: string | undefined;

let document: unknown;

/**
 * The OpenAPI document: in a bundle, the one generated at bundle time, so that the function
 * carries neither the generator nor the routes' documentation; unbundled (the local runtime,
 * the tests), generated from the same route table on first use.
 */
async function openApi(): Promise<unknown> {
  if (document === undefined) {
    document =
      typeof __LEDGER_OPENAPI__ === "string"
        ? JSON.parse(brotliDecompressSync(Buffer.from(__LEDGER_OPENAPI__, "base64")).toString())
        : (await import("../api/openapi.js")).openApiDocument();
  }
  return document;
}

export const handler = apiHandler(docsHandler());
