import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";

/** An answer to a raw request, its body parsed when it is JSON. */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests read problems and answers of every shape
  body: any;
}

/**
 * One HTTP request with exactly the headers given (`host` included, which fetch would set
 * itself), to `base` (`http://127.0.0.1:port`).
 */
export function raw(
  base: string,
  request: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port,
        method: request.method ?? "GET",
        path: request.path,
        headers: request.headers,
        agent: false,
        setHost: request.headers?.host === undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const json = /json/.test(res.headers["content-type"] ?? "");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: json && text ? JSON.parse(text) : text,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** `npm start` in a process of its own, running local/main.ts with tsx. */
export interface MainProcess {
  child: ChildProcess;
  /** Resolves with the URL it listens on, or rejects if it exits first. */
  listening: Promise<string>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stderr(): string;
}

/** Starts local/main.ts with `args`, on a free port. Its pid is the server's own. */
export function startMain(args: string[]): MainProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "local/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before listening: ${err}`)));
  });
  // A test that expects the process to fail never awaits `listening`.
  listening.catch(() => {});
  return { child, listening, exited, stderr: () => err };
}

/** Stops a process started by startMain and waits for its end. */
export async function stopMain(main: MainProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill(signal);
  return main.exited;
}
