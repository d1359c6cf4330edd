import type { Command } from "commander";
import { type EntityState, type SanctionOnDate, segment } from "../client.js";
import { esc, fields, list, orDash, table } from "../format.js";
import { type CliContext, examples } from "./context.js";

export function registerState(program: Command, ctx: CliContext): void {
  program
    .command("state")
    .description("an entity and its sanctions in force, pending or undetermined on a day")
    .argument("<entityId>", "the entity, e.g. ru-vtb-bank")
    .option("--as-of <date>", "the day asked about, YYYY-MM-DD (default: today, UTC)")
    .option("--known-at <timestamp>", "as the ledger knew it then, e.g. 2022-03-26T00:00:00Z")
    .addHelpText(
      "after",
      examples(
        "state ru-vtb-bank --as-of 2022-03-28",
        "state country-ru --as-of 2022-04-05 --known-at 2022-03-26T00:00:00Z",
        "state country-ru --json",
      ),
    )
    .action(async (entityId: string, opts: { asOf?: string; knownAt?: string }) => {
      const state = await ctx.client().get<EntityState>(`/entities/${segment(entityId)}`, {
        asOf: opts.asOf,
        knownAt: opts.knownAt,
      });
      if (ctx.json()) return ctx.printJson(state);
      ctx.out(renderState(state, ctx.width()));
    });
}

export function renderState(state: EntityState, width?: number): string {
  const header = fields([
    ["entity", state.entityId],
    ["name", state.name],
    ["kind", state.kind],
    ["country", orDash(state.country)],
    ["aliases", state.aliases.length > 0 ? state.aliases.join("; ") : "—"],
    ...(state.identifiers.length > 0
      ? [
          ["identifiers", state.identifiers.map((i) => `${i.scheme} ${i.value}`).join("; ")] as [
            string,
            string,
          ],
        ]
      : []),
    ["version", String(state.version)],
    ["asOf", state.asOf],
    ["knownAt", state.knownAt],
    ["basis", list(state.basis)],
  ]);
  const rows = [
    ...state.inForce.map((s) => sanctionRow("in force", s)),
    ...state.pending.map((s) => sanctionRow("pending", s)),
  ];
  // An API from before undetermined status answers without the list.
  const unknown = undeterminedTable(state.undetermined ?? [], state.asOf, width);
  if (rows.length === 0) {
    return `${header}\n\n${unknown ? `No sanction in force or pending on ${esc(state.asOf)}; ${unknown}` : `No sanction in force or pending on ${esc(state.asOf)}.`}`;
  }
  return `${header}\n\n${unknown ? `${unknown}\n\n` : ""}${table(
    [
      "Status",
      "Sanction",
      "Authority",
      "Program",
      "Measures",
      "Announced",
      "Effective",
      "Terms from",
      "End",
    ],
    rows,
    width,
  )}`;
}

/**
 * The sanctions whose status on `asOf` is not known, as a table under a line that says so;
 * undefined when there are none.
 */
export function undeterminedTable(
  items: EntityState["undetermined"],
  asOf: string,
  width?: number,
): string | undefined {
  if (items.length === 0) return undefined;
  return `status not known on ${esc(asOf)} (not known is not "not sanctioned"):\n${table(
    ["Sanction", "Authority", "Program", "Unknown since", "Known from", "Reason"],
    items.map((u) => [
      u.sanctionId,
      u.authority,
      orDash(u.program),
      u.since ?? "ever",
      u.knownFrom,
      u.reason,
    ]),
    width,
  )}`;
}

function sanctionRow(status: string, s: SanctionOnDate): string[] {
  return [
    status,
    s.sanctionId,
    s.authority,
    orDash(s.program),
    list(s.measures),
    s.announcedOn,
    s.effectiveFrom,
    s.termsFrom,
    orDash(s.end),
  ];
}
