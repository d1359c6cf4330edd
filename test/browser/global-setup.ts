import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { CHROMIUM } from "./chromium.js";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const root = fileURLToPath(new URL("../..", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

let ledger: ChildProcess | undefined;

/** Starts the ledger with the demo for every browser test, and stops it at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}, which is missing. Install it with ` +
        "`sudo apt-get update && sudo apt-get install -y chromium` (Debian), or set " +
        "CHROMIUM_PATH to a Chromium or Chrome binary.",
    );
  }
  const port = await freePort();
  const child = spawn("npm", ["start", "--", "--memory", "--demo"], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  ledger = child;
  let output = "";
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`npm start exited with ${code} before listening:\n${output}`)),
    );
  });
  project.provide("baseUrl", baseUrl);
  return async () => {
    if (ledger?.pid && ledger.exitCode === null) {
      const exited = new Promise((resolve) => ledger?.once("exit", resolve));
      // The ledger was started in its own process group: npm, tsx and node stop together.
      process.kill(-ledger.pid, "SIGTERM");
      await exited;
    }
  };
}
