import type { Command } from "commander";
import type { ChangesPage } from "../client.js";
import { esc, plural, table } from "../format.js";
import { type CliContext, examples, wholeNumber } from "./context.js";
import { addFilterOptions, type Filters, filtersOf, printList } from "./sanctions.js";

export function registerChanges(program: Command, ctx: CliContext): void {
  const command = program
    .command("changes")
    .description("what entered, was amended in or left force in a period")
    .requiredOption("--from <date>", "the first day, YYYY-MM-DD")
    .requiredOption("--to <date>", "the last day (included), YYYY-MM-DD")
    .option("--known-at <timestamp>", "as the ledger knew it then, e.g. 2022-03-26T00:00:00Z");
  addFilterOptions(command)
    .option("--limit <n>", "at most this many changes (default: all)", wholeNumber(1))
    .option("--page-size <n>", "changes per request", wholeNumber(1, 1000), 1000)
    .addHelpText(
      "after",
      examples(
        "changes --from 2022-04-01 --to 2022-04-10",
        "changes --from 2022-04-01 --to 2022-04-10 --known-at 2022-03-26T00:00:00Z",
        "changes --from 2022-04-01 --to 2022-04-30 --authority JP --measure export-ban --json",
      ),
    )
    .action(
      async (
        opts: Filters & {
          from: string;
          to: string;
          knownAt?: string;
          limit?: number;
          pageSize: number;
        },
      ) => {
        await printList(
          ctx,
          "/changes",
          { from: opts.from, to: opts.to, knownAt: opts.knownAt, ...filtersOf(opts) },
          opts,
          renderChanges,
        );
      },
    );
}

export function renderChanges(page: ChangesPage, width?: number): string {
  const lines = [`${esc(page.from)} to ${esc(page.to)}, known at ${esc(page.knownAt)}`];
  if (page.items.length === 0) {
    lines.push("No changes.");
    return lines.join("\n");
  }
  lines.push(
    table(
      ["On", "Change", "Entity", "Sanction", "Authority"],
      page.items.map((c) => [c.on, c.change, c.entityId, c.sanctionId, c.authority]),
      width,
    ),
    `${plural(page.items.length, "change")}.`,
  );
  if (page.nextToken) lines.push("More changes remain: raise --limit to see them.");
  return lines.join("\n");
}
