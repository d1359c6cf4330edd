import type { Command } from "commander";
import type { Query, SanctionsPage } from "../client.js";
import { esc, list, orDash, plural, table } from "../format.js";
import { type CliContext, examples, wholeNumber } from "./context.js";

/** The filters that `/sanctions` and `/changes` share. */
export interface Filters {
  authority?: string;
  measure?: string;
  program?: string;
}

/** The query parameters of the filters that were given. */
export function filtersOf(opts: Filters): Filters {
  return { authority: opts.authority, measure: opts.measure, program: opts.program };
}

/**
 * Gathers every page of a list route (up to `--limit`) and prints the whole list: as JSON
 * with `--json`, else as `render` lays it out.
 */
export async function printList<P extends { items: unknown[]; nextToken?: string }>(
  ctx: CliContext,
  path: string,
  query: Query,
  opts: { limit?: number; pageSize: number },
  render: (page: P, width?: number) => string,
): Promise<void> {
  const answer = await ctx.client().gather<P>(path, query, {
    limit: opts.limit,
    pageSize: opts.pageSize,
  });
  if (!answer) return;
  if (ctx.json()) return ctx.printJson(answer);
  ctx.out(render(answer, ctx.width()));
}

export function addFilterOptions(command: Command): Command {
  return command
    .option("--authority <code>", "only this authority, e.g. JP, US-OFAC, EU")
    .option("--measure <measure>", "only sanctions with this measure, e.g. asset-freeze")
    .option("--program <program>", "only this program, e.g. RUSSIA-EO14024");
}

export function registerSanctions(program: Command, ctx: CliContext): void {
  const command = program
    .command("sanctions")
    .description("the entities with a sanction in force on a day")
    .option("--as-of <date>", "the day asked about, YYYY-MM-DD (default: today, UTC)")
    .option("--known-at <timestamp>", "as the ledger knew it then, e.g. 2022-03-26T00:00:00Z");
  addFilterOptions(command)
    .option("--limit <n>", "at most this many entities (default: all)", wholeNumber(1))
    .option("--page-size <n>", "entities per request", wholeNumber(1, 1000), 1000)
    .addHelpText(
      "after",
      examples(
        "sanctions --as-of 2022-04-03 --authority JP --measure asset-freeze",
        "sanctions --as-of 2022-04-03 --known-at 2022-03-26T00:00:00Z",
        "sanctions --authority US-OFAC --program RUSSIA-EO14024 --json",
      ),
    )
    .action(
      async (
        opts: Filters & { asOf?: string; knownAt?: string; limit?: number; pageSize: number },
      ) => {
        await printList(
          ctx,
          "/sanctions",
          { asOf: opts.asOf, knownAt: opts.knownAt, ...filtersOf(opts) },
          opts,
          renderSanctions,
        );
      },
    );
}

export function renderSanctions(page: SanctionsPage, width?: number): string {
  const lines = [`asOf ${esc(page.asOf)}, known at ${esc(page.knownAt)}`];
  if (page.items.length === 0) {
    lines.push("No entity has a matching sanction in force or undetermined.");
    return lines.join("\n");
  }
  const unknown = page.items.flatMap((item) =>
    (item.undetermined ?? []).map((u) => [
      item.entityId,
      item.name,
      u.sanctionId,
      u.authority,
      orDash(u.program),
      u.since ?? "ever",
      u.knownFrom,
    ]),
  );
  const rows = page.items.flatMap((item) =>
    item.sanctions.map((s) => [
      item.entityId,
      item.name,
      item.kind,
      s.sanctionId,
      s.authority,
      orDash(s.program),
      list(s.measures),
      s.effectiveFrom,
      orDash(s.end),
    ]),
  );
  lines.push(
    table(
      [
        "Entity",
        "Name",
        "Kind",
        "Sanction",
        "Authority",
        "Program",
        "Measures",
        "Effective",
        "End",
      ],
      rows,
      width,
    ),
    `${plural(page.items.length, "entity", "entities")}, ${plural(rows.length, "sanction")}.`,
  );
  if (unknown.length > 0) {
    lines.push(
      `${plural(unknown.length, "sanction")} whose status on ${esc(page.asOf)} is not known (not known is not "not sanctioned"):`,
      table(
        ["Entity", "Name", "Sanction", "Authority", "Program", "Unknown since", "Known from"],
        unknown,
        width,
      ),
    );
  }
  if (page.nextToken) lines.push("More entities remain: raise --limit to see them.");
  return lines.join("\n");
}
