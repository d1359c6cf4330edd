/**
 * Global setup of `npm test`: starts synthesizing the CDK tests' templates in a process of
 * its own, so that the suites that need no template run meanwhile.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TEMPLATES_DIR_ENV } from "./template-kinds.js";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "ledger-templates-"));
  process.env[TEMPLATES_DIR_ENV] = dir;
  const script = fileURLToPath(new URL("./templates.ts", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script, dir], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
}
