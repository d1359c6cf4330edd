import { api } from "../api.js";
import { h } from "../dom.js";
import type { PageRoute } from "../routes.js";
import { field, link, textInput } from "../ui.js";
import { listPage } from "./list.js";

type Route = Extract<PageRoute, { page: "corrections" }>;

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
          textInput("from", route.from, { placeholder: "2022-03-26T00:00:00Z" }),
          "RFC 3339",
        ),
        field(
          "Known at (to)",
          textInput("to", route.to, { placeholder: "2022-05-01T00:00:00Z" }),
          "RFC 3339",
        ),
      ],
      routeOf: (v) => ({
        page: "corrections",
        from: v.from ?? "",
        to: v.to ?? "",
        limit: route.limit,
        token: "",
      }),
      ready: true,
      async load() {
        const answer = await api.corrections({
          ...(route.from ? { from: route.from } : {}),
          ...(route.to ? { to: route.to } : {}),
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
            c.days.from === c.days.to ? c.days.from : `${c.days.from} to ${c.days.to ?? "onwards"}`,
            c.before,
            c.after,
            c.versions.join(", "),
          ],
          text: [
            c.entityId,
            c.sanctionId,
            c.authority,
            `${c.days.from}..${c.days.to ?? ""}`,
            c.before,
            c.after,
            c.versions.join(" "),
          ],
        }));
        return {
          rows,
          ...(answer.nextToken ? { nextToken: answer.nextToken } : {}),
          summary: `${rows.length} corrected range${rows.length === 1 ? "" : "s"} of days${route.from ? ` from ${route.from}` : ""}${route.to ? ` to ${route.to}` : ""}.`,
        };
      },
      next: (token) => ({ ...filters, token }),
      first: route.token ? filters : undefined,
      header: ["Entity", "Sanction", "Authority", "Days", "Before", "After", "Events"],
      caption: "Corrections",
      csvName: `corrections-${route.from || "start"}-${route.to || "now"}.csv`,
      empty: "The ledger corrected nothing in that window.",
    },
    live,
  );
}
