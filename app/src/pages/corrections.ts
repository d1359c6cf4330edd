import { api } from "../api.js";
import { h } from "../dom.js";
import type { PageRoute } from "../routes.js";
import { field, link, textInput } from "../ui.js";
import { listPage } from "./list.js";

type Route = Extract<PageRoute, { page: "corrections" }>;

/** A range of days, inclusive; `to` null: every later day. */
export function daysText(days: { from: string; to: string | null }): string {
  if (days.to === null) return `${days.from} onwards`;
  return days.from === days.to ? days.from : `${days.from} to ${days.to}`;
}

export function correctionsPage(page: HTMLElement, route: Route, live: () => boolean) {
  const filters = { ...route, token: "" };
  return listPage(
    page,
    {
      title: "Corrections",
      lede: "What the ledger now says differently about sanctions it already held: the days whose status as known at the end of the window differs from the status as known at its start.",
      fields: [
        field(
          "Known at (from)",
          textInput("from", route.from, { placeholder: "2022-03-26T00:00:00Z", required: true }),
          "RFC 3339, required",
        ),
        field(
          "Known at (to)",
          textInput("to", route.to, { placeholder: "2022-05-01T00:00:00Z", required: true }),
          "RFC 3339, required",
        ),
      ],
      routeOf: (v) => ({
        page: "corrections",
        from: v.from ?? "",
        to: v.to ?? "",
        limit: route.limit,
        token: "",
      }),
      // Both moments are required: with one given, the API names the missing one.
      ready: Boolean(route.from || route.to),
      async load() {
        const answer = await api.corrections({
          from: route.from,
          to: route.to,
          ...(route.limit ? { limit: route.limit } : {}),
          ...(route.token ? { nextToken: route.token } : {}),
        });
        const rows = answer.items.map((c) => ({
          cells: [
            link(
              { page: "entity", entityId: c.entityId, asOf: c.days.from, knownAt: "" },
              h("code", {}, c.entityId),
            ),
            c.sanctionId,
            c.authority,
            daysText(c.days),
            c.before,
            c.after,
            c.versions.join(", "),
          ],
          text: [
            c.entityId,
            c.sanctionId,
            c.authority,
            daysText(c.days),
            c.before,
            c.after,
            c.versions.join(" "),
          ],
        }));
        return {
          rows,
          ...(answer.nextToken ? { nextToken: answer.nextToken } : {}),
          summary: `${rows.length} corrected range${rows.length === 1 ? "" : "s"} of days whose status as known at ${answer.to} differs from that known at ${answer.from}.`,
        };
      },
      next: (token) => ({ ...filters, token }),
      first: route.token ? filters : undefined,
      header: [
        "Entity",
        "Sanction",
        "Authority",
        "Days",
        "Status before",
        "Status after",
        "Events",
      ],
      caption: "Corrections",
      csvName: `corrections-${route.from}-${route.to}.csv`,
      empty: "The ledger corrected nothing in that window.",
    },
    live,
  );
}
