import type { Command } from "commander";
import type { SearchPage } from "../client.js";
import { list, plural, table } from "../format.js";
import { type CliContext, examples, wholeNumber } from "./context.js";

export function registerSearch(program: Command, ctx: CliContext): void {
  program
    .command("search")
    .description("find entities by name or alias")
    .argument("<text...>", "the words to look for")
    .option("--as-of <date>", "also list each hit's sanctions in force on this day")
    .option("--limit <n>", "at most this many hits", wholeNumber(1), 100)
    .option("--page-size <n>", "hits per request", wholeNumber(1, 1000), 1000)
    .addHelpText(
      "after",
      examples(
        "search vtb bank",
        'search "Növikombank" --as-of 2022-04-03',
        "search sber --limit 10 --json",
      ),
    )
    .action(async (words: string[], opts: { asOf?: string; limit: number; pageSize: number }) => {
      const items: SearchPage["items"] = [];
      let nextToken: string | undefined;
      for await (const page of ctx
        .client()
        .pages<SearchPage>("/search", { q: words.join(" "), asOf: opts.asOf }, "items", {
          limit: opts.limit,
          pageSize: opts.pageSize,
        })) {
        items.push(...page.items);
        nextToken = page.nextToken;
      }
      const answer: SearchPage = { items, ...(nextToken ? { nextToken } : {}) };
      if (ctx.json()) return ctx.printJson(answer);
      ctx.out(renderSearch(answer, opts.asOf, ctx.width()));
    });
}

export function renderSearch(page: SearchPage, asOf: string | undefined, width?: number): string {
  if (page.items.length === 0) return "No match.";
  const head = ["Entity", "Name", "Matched"];
  if (asOf) head.push(`In force on ${asOf}`);
  const rows = page.items.map((hit) => {
    const row = [hit.entityId, hit.name, hit.matched];
    if (asOf) {
      row.push(list((hit.inForce ?? []).map((s) => `${s.sanctionId} (${s.authority})`)));
    }
    return row;
  });
  const lines = [table(head, rows, width), `${plural(page.items.length, "match", "matches")}.`];
  if (page.nextToken) lines.push("More matches remain: raise --limit to see them.");
  return lines.join("\n");
}
