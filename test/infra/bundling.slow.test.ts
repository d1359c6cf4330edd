import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect, it } from "vitest";
import { LedgerStack } from "../../infra/ledger-stack.js";
import { CDK_JSON_CONTEXT, ledgerFunctions, propsOf } from "./support.js";

const outdir = mkdtempSync(join(tmpdir(), "ledger-bundling-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

// The one test that really bundles: esbuild from node_modules, no Docker.
describe("bundling", () => {
  it("bundles the writer, the reader, the audit, proofs and docs functions, the projector, the sequencer and the notices' two functions with the local esbuild (ESM, source maps)", () => {
    const app = new App({ outdir, context: CDK_JSON_CONTEXT });
    const stack = new LedgerStack(app, "SanctionsLedger");
    app.synth();
    const functions = ledgerFunctions(Template.fromStack(stack));
    expect(functions).toHaveLength(9);
    const hashes = new Set<string>();
    for (const [, fn] of functions) {
      const key = (propsOf(fn).Code as { S3Key: string }).S3Key;
      const hash = key.replace(/\.zip$/, "");
      hashes.add(hash);
      const bundle = join(outdir, `asset.${hash}`, "index.mjs");
      expect(existsSync(bundle), bundle).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(true);
      const code = readFileSync(bundle, "utf8");
      expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
      // the pinned AWS SDK is inside the bundle, not taken from the runtime
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
    }
    // One bundle each: the five functions behind the API, the projector, the sequencer, the
    // notices' two.
    expect(hashes.size).toBe(9);
  }, 180_000);
});
