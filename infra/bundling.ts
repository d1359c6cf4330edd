import { brotliCompressSync, constants } from "node:zlib";
import { openApiDocument } from "../functions/api/openapi.js";

/**
 * How every function is bundled, for `infra/function.ts` and the cold-start bench alike: ESM
 * (the sources are ESM, `"type": "module"`), minified, for Node.js 24 (the functions'
 * runtime), with an external source map, the AWS SDK inside the bundle.
 */
export const BUNDLING = {
  target: "node24",
  mainFields: ["module", "main"],
  /** Bundled CommonJS dependencies still call `require`, which ESM lacks: the banner recreates it. */
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
} as const;

/** The global that holds the prebuilt OpenAPI document in a bundle (see the reader). */
export const OPENAPI_GLOBAL = "__LEDGER_OPENAPI__";

/** The OpenAPI document as the reader bundle carries it: brotli-compressed, in base64. */
export function prebuiltOpenApi(): string {
  const json = Buffer.from(JSON.stringify(openApiDocument()));
  return brotliCompressSync(json, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  }).toString("base64");
}

let defines: Record<string, string> | undefined;

/**
 * esbuild's `define` for every function: the OpenAPI document generated now, so that the
 * reader serves it without the generator and the routes' documentation in its bundle.
 */
export function bundleDefines(): Record<string, string> {
  defines ??= { [OPENAPI_GLOBAL]: JSON.stringify(prebuiltOpenApi()) };
  return defines;
}
