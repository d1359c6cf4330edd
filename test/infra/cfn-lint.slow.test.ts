import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { synthesizeStack } from "./support.js";

/**
 * cfn-lint on the stack's template as `cdk synth` writes it with cdk.json's flags (bundling
 * skipped, which only changes the asset hashes). Each finding that remains is suppressed
 * on its resource, with its reason, in the construct that makes it (`cfn-lint` metadata).
 */
const available = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" }).status === 0;
if (!available) {
  console.warn("cfn-lint is not installed: the template lint is skipped (pip install cfn-lint)");
}

const outdir = mkdtempSync(join(tmpdir(), "ledger-cfn-lint-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

type TemplateJson = {
  Resources: Record<string, { Type: string; Metadata?: Record<string, unknown> }>;
};

describe("cfn-lint", () => {
  it.skipIf(!available)(
    "reports no error and no warning on the synthesized template",
    () => {
      const template = synthesizeStack({}).template.toJSON() as TemplateJson;
      const file = join(outdir, "SanctionsLedger.template.json");
      writeFileSync(file, JSON.stringify(template, null, 1));
      // A control in the same run (cfn-lint takes seconds to start): without the reviewed
      // suppressions, the functions' redundant DependsOn must be reported.
      const control = structuredClone(template);
      for (const resource of Object.values(control.Resources)) {
        if (resource.Type === "AWS::Lambda::Function") delete resource.Metadata?.["cfn-lint"];
      }
      const controlFile = join(outdir, "Control.template.json");
      writeFileSync(controlFile, JSON.stringify(control, null, 1));

      const lint = spawnSync("cfn-lint", ["--format", "parseable", "--", file, controlFile], {
        encoding: "utf8",
      });
      expect(lint.error).toBeUndefined();
      const findings = lint.stdout.split("\n").filter((line) => line.trim() !== "");
      expect(findings.filter((line) => line.startsWith(file))).toEqual([]);
      const control3005 = findings.filter((l) => l.startsWith(controlFile) && l.includes("W3005"));
      expect(control3005.length, lint.stderr).toBeGreaterThan(0);
    },
    180_000,
  );
});
