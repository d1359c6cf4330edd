import { api } from "../api.js";
import { h } from "../dom.js";
import type { PageRoute } from "../routes.js";
import { MEASURES, type Measure } from "../types.js";
import { field, link, select, textInput } from "../ui.js";
import { listPage } from "./list.js";

type Route = Extract<PageRoute, { page: "sanctions" }>;

export function sanctionsPage(page: HTMLElement, route: Route, live: () => boolean) {
  const filters = { ...route, token: "" };
  return listPage(
    page,
    {
      title: "Sanctions in force",
      lede: "The entities with a sanction in force on a day, as the ledger knew it at a moment, and apart those whose status on that day is not known (never “not sanctioned”).",
      fields: [
        field(
          "In force on (asOf)",
          textInput("asOf", route.asOf, { type: "date" }),
          "Default: today",
        ),
        field(
          "As known at (knownAt)",
          textInput("knownAt", route.knownAt, { placeholder: "2022-03-26T00:00:00Z" }),
          "RFC 3339; default: now",
        ),
        field("Authority", textInput("authority", route.authority, { placeholder: "JP" })),
        field("Measure", select("measure", route.measure, [...MEASURES])),
      ],
      routeOf: (v) => ({
        page: "sanctions",
        asOf: v.asOf ?? "",
        knownAt: v.knownAt ?? "",
        authority: v.authority ?? "",
        measure: v.measure ?? "",
        limit: route.limit,
        token: "",
      }),
      ready: true,
      async load() {
        const answer = await api.sanctions({
          ...(route.asOf ? { asOf: route.asOf } : {}),
          ...(route.knownAt ? { knownAt: route.knownAt } : {}),
          ...(route.authority ? { authority: route.authority } : {}),
          // An unknown measure goes to the API as typed, which names the fault.
          ...(route.measure ? { measure: route.measure as Measure } : {}),
          ...(route.limit ? { limit: route.limit } : {}),
          ...(route.token ? { nextToken: route.token } : {}),
        });
        // Each row starts with its entity: a link to it on the day, its id and its kind.
        const row = (item: (typeof answer.items)[number], cells: string[], text: string[]) => ({
          cells: [
            link(
              {
                page: "entity",
                entityId: item.entityId,
                asOf: answer.asOf,
                knownAt: route.knownAt,
              },
              item.name,
            ),
            h("code", {}, item.entityId),
            item.kind,
            ...cells,
          ],
          text: [item.name, item.entityId, item.kind, ...text],
        });
        const rows = answer.items.flatMap((item) =>
          item.sanctions.map((s) =>
            row(
              item,
              [s.sanctionId, s.authority, s.measures.join(", "), s.effectiveFrom, s.end ?? "open"],
              [s.sanctionId, s.authority, s.measures.join(" "), s.effectiveFrom, s.end ?? ""],
            ),
          ),
        );
        // Sanctions whose status on the day is not known: listed apart, never as "not sanctioned".
        for (const item of answer.items) {
          for (const u of item.undetermined) {
            const cells = [
              u.sanctionId,
              u.authority,
              "status not known",
              `not known before ${u.knownFrom}`,
              "",
            ];
            rows.push(row(item, cells, cells));
          }
        }
        return {
          rows,
          ...(answer.nextToken ? { nextToken: answer.nextToken } : {}),
          summary: `${answer.items.length} entit${answer.items.length === 1 ? "y" : "ies"} with a matching sanction in force or of status not known on ${answer.asOf}, as known at ${answer.knownAt}.`,
        };
      },
      next: (token) => ({ ...filters, token }),
      first: route.token ? filters : undefined,
      header: [
        "Name",
        "Entity",
        "Kind",
        "Sanction",
        "Authority",
        "Measures",
        "In force from",
        "Ends",
      ],
      caption: "Sanctions in force",
      csvName: `sanctions-${route.asOf || "today"}.csv`,
      empty: "No entity has a matching sanction in force, or of status not known, on that day.",
    },
    live,
  );
}
