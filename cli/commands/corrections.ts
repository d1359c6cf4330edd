import type { Command } from "commander";
import type { CorrectionsPage } from "../client.js";
import { esc, plural, table } from "../format.js";
import { type CliContext, examples, wholeNumber } from "./context.js";
import { printList } from "./sanctions.js";

export function registerCorrections(program: Command, ctx: CliContext): void {
  program
    .command("corrections")
    .description("what the ledger now says differently about sanctions it already held")
    .requiredOption(
      "--from <timestamp>",
      "the start of the window in record time, e.g. 2022-03-26T00:00:00Z",
    )
    .requiredOption("--to <timestamp>", "the end of the window (included), RFC 3339")
    .option("--limit <n>", "at most this many ranges (default: all)", wholeNumber(1))
    .option("--page-size <n>", "ranges per request", wholeNumber(1, 1000), 1000)
    .addHelpText(
      "after",
      examples(
        "corrections --from 2022-03-26T00:00:00Z --to 2022-05-01T00:00:00Z",
        "corrections --from 2022-03-26T00:00:00Z --to 2022-05-01T00:00:00Z --json",
      ),
    )
    .action(async (opts: { from: string; to: string; limit?: number; pageSize: number }) => {
      await printList(
        ctx,
        "/corrections",
        { from: opts.from, to: opts.to },
        opts,
        renderCorrections,
      );
    });
}

export function renderCorrections(page: CorrectionsPage, width?: number): string {
  const lines = [`Known at ${esc(page.from)} compared with known at ${esc(page.to)}`];
  if (page.items.length === 0) {
    lines.push("No corrections.");
    return lines.join("\n");
  }
  lines.push(
    table(
      ["Entity", "Sanction", "Authority", "Days", "Before", "After", "Events"],
      page.items.map((c) => [
        c.entityId,
        c.sanctionId,
        c.authority,
        `${c.days.from} to ${c.days.to ?? "onwards"}`,
        c.before,
        c.after,
        c.versions.join(", "),
      ]),
      width,
    ),
    `${plural(page.items.length, "corrected range")}.`,
  );
  if (page.nextToken) lines.push("More corrections remain: raise --limit to see them.");
  return lines.join("\n");
}
