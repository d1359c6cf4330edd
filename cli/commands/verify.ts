import type { Command } from "commander";
import { segment, type Verification } from "../client.js";
import { esc } from "../format.js";
import { type CliContext, CliExit, examples } from "./context.js";

/** The exit code of `verify` when the chain is broken (1 is any other failure). */
export const BROKEN_CHAIN_EXIT = 2;

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description("check an entity's hash chain (exit code 2 if broken)")
    .argument("<entityId>", "the entity, e.g. country-ru")
    .addHelpText(
      "after",
      `${examples("verify country-ru", "verify country-ru --json")}
Exit codes: 0 valid, 2 broken chain, 1 any other error.
`,
    )
    .action(async (entityId: string) => {
      const result = await ctx.client().get<Verification>(`/entities/${segment(entityId)}/verify`);
      if (ctx.json()) ctx.printJson(result);
      else if (result.valid) {
        ctx.out(`valid: chain of ${result.version} events, head ${esc(String(result.headHash))}`);
      } else {
        ctx.out(
          `BROKEN at version ${result.firstBrokenVersion ?? "?"} (sound up to version ${result.version}, hash ${esc(String(result.headHash))})`,
        );
      }
      if (!result.valid) throw new CliExit(BROKEN_CHAIN_EXIT);
    });
}
