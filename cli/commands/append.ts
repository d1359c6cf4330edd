import type { Command } from "commander";
import { type AppendAnswer, segment } from "../client.js";
import { esc } from "../format.js";
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
        "append ru-vtb-bank --file examples/lift.json",
        `append ru-vtb-bank --file - <<'JSON'
    {"type": "SanctionLifted", "eventId": "jp-vtb-lift-2023", "expectedVersion": 2,
     "data": {"sanctionId": "jp-asset-freeze", "effectiveFrom": "2023-01-10"}}
    JSON`,
      )}
Send your own eventId: the same event sent again then answers 200 and writes nothing.
Without one, the CLI sends a new UUID as the eventId (printed in the answer), so that a
request retried after a network error or a 429/502/503/504 is recorded at most once.
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
      const {
        status,
        body: answer,
        attempts = 1,
      } = await ctx
        .client()
        .send<AppendAnswer>("POST", `/entities/${segment(entityId)}/events`, { body });
      if (ctx.json()) return ctx.printJson({ status, ...answer });
      const about = `eventId ${esc(answer.eventId)}, ${esc(answer.type)}, recorded ${esc(answer.recordedAt)}`;
      ctx.out(
        status === 201
          ? `201 written version ${answer.version} (${about}, hash ${esc(answer.hash)})`
          : attempts > 1
            ? `${status} recorded as version ${answer.version} (${about}): sent ${attempts} times (retried), held once`
            : `${status} already recorded as version ${answer.version} (${about}): nothing written`,
      );
    });
}
