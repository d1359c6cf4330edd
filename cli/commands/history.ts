import type { Command } from "commander";
import { type EventsPage, type StoredEvent, segment } from "../client.js";
import { cut, esc, list, orDash, plural, scopeText, table } from "../format.js";
import { type CliContext, examples, wholeNumber } from "./context.js";

export function registerHistory(program: Command, ctx: CliContext): void {
  program
    .command("history")
    .description("an entity's events, oldest first, with sources and actors")
    .argument("<entityId>", "the entity, e.g. country-ru")
    .option("--known-at <timestamp>", "only the events recorded at or before this moment")
    .option("--from-version <n>", "start at this version", wholeNumber(1))
    .option("--limit <n>", "at most this many events (default: all)", wholeNumber(1))
    .option("--page-size <n>", "events per request", wholeNumber(1, 1000), 1000)
    .addHelpText(
      "after",
      examples(
        "history country-ru",
        "history country-ru --known-at 2022-03-26T00:00:00Z",
        "history country-ru --json | jq '.events[].hash'",
      ),
    )
    .action(
      async (
        entityId: string,
        opts: { knownAt?: string; fromVersion?: number; limit?: number; pageSize: number },
      ) => {
        const events: StoredEvent[] = [];
        let nextToken: string | undefined;
        for await (const page of ctx
          .client()
          .pages<EventsPage>(
            `/entities/${segment(entityId)}/events`,
            { knownAt: opts.knownAt, fromVersion: opts.fromVersion },
            "events",
            { limit: opts.limit, pageSize: opts.pageSize },
          )) {
          events.push(...page.events);
          nextToken = page.nextToken;
        }
        if (ctx.json()) {
          return ctx.printJson({ entityId, events, ...(nextToken ? { nextToken } : {}) });
        }
        ctx.out(renderHistory(entityId, events, nextToken !== undefined, ctx.width()));
      },
    );
}

export function renderHistory(
  entityId: string,
  events: StoredEvent[],
  more: boolean,
  width?: number,
): string {
  if (events.length === 0) return `No events of ${esc(entityId)}.`;
  const retractedBy = new Map<number, number>();
  for (const e of events) {
    if (e.type === "EventRetracted" && typeof e.data.version === "number") {
      retractedBy.set(e.data.version, e.version);
    }
  }
  const rows = events.map((e) => {
    const by = retractedBy.get(e.version);
    return [
      e.version,
      e.recordedAt,
      e.type,
      e.eventId,
      e.actor,
      summarize(e) + (by !== undefined ? ` [retracted by v${by}]` : ""),
      e.source ? cut(e.source.title, 50) : "—",
    ];
  });
  const lines = [
    table(
      ["Version", "Recorded at", "Type", "Event id", "Actor", "Summary", "Source"],
      rows,
      width,
    ),
    `${plural(events.length, "event")} of ${esc(entityId)}.`,
  ];
  if (more) lines.push("More events remain: raise --limit to see them.");
  return lines.join("\n");
}

/** One line on what an event says. */
export function summarize(event: StoredEvent): string {
  const d = event.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : v === null ? "null" : JSON.stringify(v));
  const strings = (v: unknown) => (Array.isArray(v) ? list(v.map(str)) : str(v));
  switch (event.type) {
    case "EntityRegistered":
      return cut(
        `${str(d.name)} (${str(d.kind)}${d.country ? `, ${str(d.country)}` : ""})` +
          (Array.isArray(d.aliases) && d.aliases.length > 0
            ? `, aliases ${d.aliases.map(str).join("; ")}`
            : ""),
      );
    case "EntityAmended": {
      const parts: string[] = [];
      if (d.name !== undefined) parts.push(`name ${str(d.name)}`);
      if (d.kind !== undefined) parts.push(`kind ${str(d.kind)}`);
      if (d.country !== undefined) parts.push(`country ${orDash(d.country as string | null)}`);
      const aliases = d.aliases as { add?: string[]; remove?: string[] } | undefined;
      if (aliases?.add?.length) parts.push(`+aliases ${aliases.add.join("; ")}`);
      if (aliases?.remove?.length) parts.push(`-aliases ${aliases.remove.join("; ")}`);
      if (d.identifiers !== undefined) parts.push("identifiers");
      return cut(parts.join(", "));
    }
    case "SanctionImposed":
      return `${str(d.sanctionId)} ${str(d.authority)}: ${strings(d.measures)}, announced ${str(
        d.announcedOn,
      )}, effective ${str(d.effectiveFrom)}${d.effectiveUntil ? ` until ${str(d.effectiveUntil)}` : ""}${
        d.undetermined ? ", status not known before" : ""
      }`;
    case "SanctionAmended": {
      const parts: string[] = [];
      if (d.measures !== undefined) parts.push(`measures ${strings(d.measures)}`);
      if (d.scope !== undefined)
        parts.push(`scope ${d.scope === null ? "cleared" : cut(scopeText(d.scope as never), 40)}`);
      if (d.effectiveUntil !== undefined)
        parts.push(`until ${orDash(d.effectiveUntil as string | null)}`);
      if (d.legalBasis !== undefined)
        parts.push(d.legalBasis === null ? "legal basis cleared" : "legal basis");
      return `${str(d.sanctionId)} from ${str(d.effectiveFrom)}: ${parts.join(", ")}`;
    }
    case "SanctionLifted":
      return cut(
        `${str(d.sanctionId)} lifted from ${str(d.effectiveFrom)}${d.reason ? `: ${str(d.reason)}` : ""}`,
      );
    case "EventRetracted":
      return cut(`retracts v${str(d.version)}: ${str(d.reason)}`);
    case "PublicationImported":
      return cut(
        `${str(d.list)} published ${str(d.publishedOn)}: ${str(d.entries)} entries (${str(d.title)})`,
      );
    default:
      return cut(JSON.stringify(d));
  }
}
