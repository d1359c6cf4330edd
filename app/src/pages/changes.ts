import { api } from "../api.js";
import { h } from "../dom.js";
import type { PageRoute } from "../routes.js";
import { type Change, MEASURES, type Measure } from "../types.js";
import { field, link, select, textInput } from "../ui.js";
import { listPage } from "./list.js";

type Route = Extract<PageRoute, { page: "changes" }>;

const CHANGE_TEXT = {
  entered: "entered into force",
  amended: "terms amended",
  left: "left force",
  undetermined: "status not known from this day",
  determined: "status known from this day (in force, unless it ended first)",
} as const satisfies Record<Change, string>;

export function changesPage(page: HTMLElement, route: Route, live: () => boolean) {
  const filters = { ...route, token: "" };
  return listPage(
    page,
    {
      title: "Changes",
      lede: "What entered into force, changed terms or left force between two days, as the ledger knew it at a moment.",
      fields: [
        field("From", textInput("from", route.from, { type: "date", required: true })),
        field("To", textInput("to", route.to, { type: "date", required: true })),
        field(
          "As known at (knownAt)",
          textInput("knownAt", route.knownAt, { placeholder: "2022-03-26T00:00:00Z" }),
          "RFC 3339; default: now",
        ),
        field("Authority", textInput("authority", route.authority, { placeholder: "JP" })),
        field("Measure", select("measure", route.measure, [...MEASURES])),
      ],
      routeOf: (v) => ({
        page: "changes",
        from: v.from ?? "",
        to: v.to ?? "",
        knownAt: v.knownAt ?? "",
        authority: v.authority ?? "",
        measure: v.measure ?? "",
        limit: route.limit,
        token: "",
      }),
      ready: Boolean(route.from || route.to),
      async load() {
        const answer = await api.changes({
          from: route.from,
          to: route.to,
          ...(route.knownAt ? { knownAt: route.knownAt } : {}),
          ...(route.authority ? { authority: route.authority } : {}),
          ...(route.measure ? { measure: route.measure as Measure } : {}),
          ...(route.limit ? { limit: route.limit } : {}),
          ...(route.token ? { nextToken: route.token } : {}),
        });
        const rows = answer.items.map((c) => ({
          cells: [
            c.on,
            CHANGE_TEXT[c.change],
            link(
              { page: "entity", entityId: c.entityId, asOf: c.on, knownAt: route.knownAt },
              h("code", {}, c.entityId),
            ),
            c.sanctionId,
            c.authority,
          ],
          text: [c.on, c.change, c.entityId, c.sanctionId, c.authority],
        }));
        return {
          rows,
          ...(answer.nextToken ? { nextToken: answer.nextToken } : {}),
          summary: `${rows.length} change${rows.length === 1 ? "" : "s"} between ${answer.from} and ${answer.to}, as known at ${answer.knownAt}.`,
        };
      },
      next: (token) => ({ ...filters, token }),
      first: route.token ? filters : undefined,
      header: ["On", "Change", "Entity", "Sanction", "Authority"],
      caption: "Changes between two days",
      csvName: `changes-${route.from}-${route.to}.csv`,
      empty: "Nothing entered, changed or left force between those days.",
    },
    live,
  );
}
