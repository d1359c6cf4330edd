import type { Command } from "commander";
import { type AppendAnswer, segment } from "../client.js";
import { type CliContext, CliExit, examples } from "./context.js";

export function registerAppend(program: Command, ctx: CliContext): void {
  program
    .command("append")
    .description("record one event on an entity")
    .argument("<entityId>", "the entity, e.g. ru-vtb-bank")
    .requiredOption(
      "--file <path>",
      "the event as JSON: {type, data, eventId?, expectedVersion?, source?}; - reads stdin",
    )
    .addHelpText(
      "after",
      `${examples(
        "append ru-vtb-bank --file lift.json",
        `append ru-vtb-bank --file - <<'JSON'
    {"type": "SanctionLifted", "eventId": "jp-vtb-lift-2023", "expectedVersion": 2,
     "data": {"sanctionId": "jp-asset-freeze", "effectiveFrom": "2023-01-10"}}
    JSON`,
      )}
Send your own eventId: the same event sent again then answers 200 and writes nothing.
`,
    )
    .action(async (entityId: string, opts: { file: string }) => {
      const text = await ctx.readInput(opts.file);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        const from = opts.file === "-" ? "standard input" : opts.file;
        throw new CliExit(1, `${from} is not JSON: ${(error as Error).message}`);
      }
      const { status, body: answer } = await ctx
        .client()
        .send<AppendAnswer>("POST", `/entities/${segment(entityId)}/events`, { body });
      if (ctx.json()) return ctx.printJson({ status, ...answer });
      ctx.out(
        status === 201
          ? `201 written version ${answer.version} (eventId ${answer.eventId}, ${answer.type}, recorded ${answer.recordedAt}, hash ${answer.hash})`
          : `${status} already recorded as version ${answer.version} (eventId ${answer.eventId}, ${answer.type}, recorded ${answer.recordedAt}): nothing written`,
      );
    });
}
