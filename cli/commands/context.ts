import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "commander";
import { type ClientOptions, LedgerClient } from "../client.js";
import { json } from "../format.js";

/** Where a run of the CLI writes and what it reads: process streams, or buffers in tests. */
export interface CliIO {
  /** Writes text to standard output as is (callers add the newlines). */
  stdout(text: string): void;
  /** Writes text to standard error as is. */
  stderr(text: string): void;
  /** The environment (`LEDGER_URL`). */
  env: Record<string, string | undefined>;
  /** Whether standard error is a terminal (progress bars are drawn only there). */
  stderrIsTTY?: boolean;
  /**
   * The terminal's width when standard output is a terminal: tables are fitted to it.
   * Undefined for a pipe or a file, where nothing is cut.
   */
  columns?: number;
  /** Reads all of standard input; defaults to `process.stdin`. */
  readStdin?(): Promise<string>;
}

/** The global options, as parsed for this run. */
export interface GlobalOptions {
  url: string;
  json: boolean;
  profile?: string;
  region?: string;
}

/** What every command gets: the io, the global options and a client built from them. */
export interface CliContext {
  readonly io: CliIO;
  /** The global options of this run (valid inside an action, after parsing). */
  globals(): GlobalOptions;
  /** Whether `--json` was given: print raw answers. */
  json(): boolean;
  /** The client for `--url`, `--profile`, `--region` (one per run, made on first use). */
  client(): LedgerClient;
  /** The width to fit tables to (the terminal's), or undefined to cut nothing. */
  width(): number | undefined;
  /** Writes one line (or lines) of text to stdout, adding the final newline. */
  out(text: string): void;
  /** Writes a value as pretty JSON to stdout. */
  printJson(value: unknown): void;
  /** The text of a file, or of standard input for `-`. */
  readInput(path: string): Promise<string>;
}

/**
 * Ends the run with this exit code. With a message, the message goes to stderr; without
 * one, the command has already said what went wrong (e.g. `verify` of a broken chain).
 */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = "",
  ) {
    super(message);
    this.name = "CliExit";
  }
}

/** Test-only overrides of the client (a fake fetch, static credentials). */
export type ClientOverrides = Pick<ClientOptions, "fetch" | "credentials" | "timeoutMs" | "retry">;

export function createContext(
  io: CliIO,
  globals: () => GlobalOptions,
  overrides: ClientOverrides = {},
): CliContext {
  let client: LedgerClient | undefined;
  return {
    io,
    globals,
    json: () => globals().json,
    client() {
      if (!client) {
        const { url, profile, region } = globals();
        client = new LedgerClient({
          url,
          ...(profile !== undefined ? { profile } : {}),
          ...(region !== undefined ? { region } : {}),
          ...overrides,
          retry: {
            onRetry: (r) =>
              io.stderr(
                `note: ${r.method} ${r.url}: ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)} s (attempt ${r.attempt + 1} of ${r.attempts})\n`,
              ),
            ...overrides.retry,
          },
        });
      }
      return client;
    },
    width: () => io.columns,
    out: (text) => io.stdout(`${text}\n`),
    printJson: (value) => io.stdout(json(value)),
    async readInput(path) {
      if (path === "-") return io.readStdin ? io.readStdin() : readProcessStdin();
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        const reason =
          (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
        throw new CliExit(1, `cannot read ${path}: ${reason}`);
      }
    },
  };
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a whole number between `min` and `max`, for option values. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be a whole number of at least ${min}`
          : `must be a whole number from ${min} to ${max}`,
      );
    }
    return n;
  };
}

/** Help text of examples, for `addHelpText("after", …)`. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ sanctions-ledger ${l}`).join("\n")}\n`;
}
