import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** Whether `moto_server` (the AWS emulator) is installed on this machine. */
export function hasMoto(): boolean {
  return spawnSync("moto_server", ["--help"], { stdio: "ignore" }).status === 0;
}

/** A running moto server on a loopback port. */
export interface Moto {
  endpoint: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Starts `moto_server` on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: "ignore",
  });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(`${endpoint}/moto-api/`);
      break;
    } catch (error) {
      if (attempt > 300 || child.exitCode !== null) {
        child.kill();
        throw new Error(`moto_server did not start on port ${port}`, { cause: error });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}

/** Credentials moto accepts (any will do). */
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
