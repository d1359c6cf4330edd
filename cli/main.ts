import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { ConnectionError, type Problem, ProblemError } from "./client.js";
import { registerAppend } from "./commands/append.js";
import { registerChanges } from "./commands/changes.js";
import {
  type CliContext,
  CliExit,
  type ClientOverrides,
  type CliIO,
  createContext,
  type GlobalOptions,
} from "./commands/context.js";
import { registerCorrections } from "./commands/corrections.js";
import { registerHistory } from "./commands/history.js";
import { registerImport } from "./commands/import.js";
import { registerSanctions } from "./commands/sanctions.js";
import { registerSearch } from "./commands/search.js";
import { registerState } from "./commands/state.js";
import { registerTimeline } from "./commands/timeline.js";
import { registerVerify } from "./commands/verify.js";
import { esc, escLines, json } from "./format.js";

export type { CliContext, CliIO, GlobalOptions } from "./commands/context.js";

const DEFAULT_URL = "http://localhost:3000";

// The AWS SDK's notice that its releases after January 2027 will need Node.js 22: the SDK is
// pinned, so it concerns none of the versions the CLI runs on (`engines`).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** The package's version, set by the bundler (cli/build.mjs); read from package.json otherwise. */
declare const SANCTIONS_LEDGER_VERSION: string | undefined;

function version(): string {
  if (typeof SANCTIONS_LEDGER_VERSION === "string") return SANCTIONS_LEDGER_VERSION;
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

/**
 * The `sanctions-ledger` program, writing to `io`. Commander's own exits (help, usage
 * errors) throw a `CommanderError` instead of ending the process; `run` handles them.
 */
export function buildProgram(io: CliIO, overrides: ClientOverrides = {}): Command {
  const program = new Command("sanctions-ledger");
  const globals = (): GlobalOptions => {
    const opts = program.opts<Partial<GlobalOptions>>();
    return {
      url: opts.url ?? DEFAULT_URL,
      json: opts.json === true,
      ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
      ...(opts.region !== undefined ? { region: opts.region } : {}),
    };
  };
  const context: CliContext = createContext(io, globals, overrides);
  program
    .description("query and record sanctions in a sanctions-ledger API, local or on AWS")
    .version(version(), "-V, --version")
    .addOption(
      new Option("--url <url>", "the ledger's base URL, with the stage path on AWS").default(
        io.env.LEDGER_URL || DEFAULT_URL,
        `$LEDGER_URL, else ${DEFAULT_URL}`,
      ),
    )
    .option("--json", "print the raw JSON answers (for scripts)")
    .option("--profile <name>", "AWS profile for signing requests to an execute-api URL")
    .option("--region <region>", "signing region (default: from the execute-api host name)")
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  $ sanctions-ledger state ru-vtb-bank --as-of 2022-03-28
  $ sanctions-ledger sanctions --as-of 2022-04-03 --authority JP --measure asset-freeze
  $ sanctions-ledger --url https://abc123.execute-api.eu-west-1.amazonaws.com/v1 --profile audit verify country-ru

Requests to an execute-api URL are signed with SigV4 using the default AWS credential chain.
`,
    );
  registerState(program, context);
  registerHistory(program, context);
  registerTimeline(program, context);
  registerVerify(program, context);
  registerSanctions(program, context);
  registerChanges(program, context);
  registerCorrections(program, context);
  registerSearch(program, context);
  registerAppend(program, context);
  registerImport(program, context);
  return program;
}

/** Runs the CLI on `argv` (the arguments after the program name); answers the exit code. */
export async function run(
  argv: readonly string[],
  io: CliIO,
  overrides: ClientOverrides = {},
): Promise<number> {
  // Everything printed is escaped on its way out (keeping line breaks), whatever printed
  // it: commander echoing an argument, a problem's detail, a URL. Tables and values are
  // escaped before that, line breaks included, where they are laid out.
  const safeIo: CliIO = {
    ...io,
    stdout: (text) => io.stdout(escLines(text)),
    stderr: (text) => io.stderr(escLines(text)),
  };
  const program = buildProgram(safeIo, overrides);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    return report(error, safeIo, program.opts<GlobalOptions>().json === true);
  }
}

/** Prints what went wrong to stderr (and a problem as JSON to stdout with --json). */
function report(error: unknown, io: CliIO, asJson: boolean): number {
  if (error instanceof CommanderError) return error.exitCode; // commander has printed it
  if (error instanceof CliExit) {
    if (error.message) io.stderr(`error: ${error.message}\n`);
    return error.code;
  }
  if (error instanceof ProblemError) {
    if (asJson) io.stdout(json(error.problem));
    io.stderr(problemText(error.problem));
    return 1;
  }
  if (error instanceof ConnectionError) {
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`error: ${message}\n`);
  return 1;
}

/** `status title: detail`, then each `path: message`. */
export function problemText(problem: Problem): string {
  const lines = [
    `error: ${problem.status} ${esc(String(problem.title))}: ${esc(String(problem.detail))}`,
  ];
  for (const e of problem.errors ?? []) {
    lines.push(`  ${esc(String(e.path || "/"))}: ${esc(String(e.message))}`);
  }
  if (problem.currentVersion !== undefined) {
    lines.push(`  current version: ${problem.currentVersion}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The executable entry: process streams in, exit code out. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    // `sanctions-ledger … | head` closes the pipe early: not an error of ours.
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await run(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
    env: process.env,
  });
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// `tsx cli/main.ts …` runs it directly; the bin shim imports it and calls main().
if (isEntry()) await main();
