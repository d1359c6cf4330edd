import type { Command } from "commander";
import { segment, type Timeline } from "../client.js";
import { cut, esc, list, orDash, plural, scopeText, table } from "../format.js";
import { type CliContext, examples } from "./context.js";

export function registerTimeline(program: Command, ctx: CliContext): void {
  program
    .command("timeline")
    .description("each sanction's terms over valid time, per interval")
    .argument("<entityId>", "the entity, e.g. country-ru")
    .option("--known-at <timestamp>", "as the ledger knew it then, e.g. 2022-03-26T00:00:00Z")
    .addHelpText(
      "after",
      examples("timeline country-ru", "timeline country-ru --known-at 2022-03-26T00:00:00Z"),
    )
    .action(async (entityId: string, opts: { knownAt?: string }) => {
      const timeline = await ctx
        .client()
        .get<Timeline>(`/entities/${segment(entityId)}/timeline`, { knownAt: opts.knownAt });
      if (ctx.json()) return ctx.printJson(timeline);
      ctx.out(renderTimeline(timeline, ctx.width()));
    });
}

export function renderTimeline(timeline: Timeline, width?: number): string {
  const blocks = [`${esc(timeline.entityId)}, known at ${esc(timeline.knownAt)}`];
  if (timeline.sanctions.length === 0) {
    blocks.push("No sanctions.");
    return blocks.join("\n");
  }
  for (const s of timeline.sanctions) {
    const heading = esc(
      `${s.sanctionId} (${s.authority}${s.program ? `, ${s.program}` : ""}): ` +
        `announced ${s.announcedOn}, effective ${s.effectiveFrom}, end ${orDash(s.end)}` +
        (s.undetermined
          ? `; status not known ${s.undetermined.since ? `from ${s.undetermined.since} ` : ""}until ${s.undetermined.until} (${s.undetermined.reason})`
          : ""),
    );
    const body =
      s.intervals.length === 0
        ? "never in force"
        : table(
            ["From", "Until", "Measures", "Scope", "Legal basis", "Basis"],
            s.intervals.map((i) => [
              i.from,
              orDash(i.until),
              list(i.measures),
              cut(scopeText(i.scope), 50),
              cut(orDash(i.legalBasis), 40),
              list(i.basis),
            ]),
            width,
          );
    blocks.push(`\n${heading}\n${body}`);
  }
  blocks.push(`\n${plural(timeline.sanctions.length, "sanction")}.`);
  return blocks.join("\n");
}
