import { api } from "../api.js";
import { h } from "../dom.js";
import { navigate } from "../nav.js";
import type { PageRoute } from "../routes.js";
import { field, formValues, heading, link, loading, problemBox, textInput } from "../ui.js";

type Route = Extract<PageRoute, { page: "search" }>;

export async function searchPage(page: HTMLElement, route: Route, live: () => boolean) {
  document.title = route.q ? `${route.q} · Search · sanctions-ledger` : "Search · sanctions-ledger";
  const form = h(
    "form",
    { class: "filters", role: "search" },
    field("Name, alias or identifier", textInput("q", route.q, { type: "search", required: true })),
    field("Sanctions in force on (optional)", textInput("asOf", route.asOf, { type: "date" })),
    h("div", { class: "field actions" }, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const v = formValues(form);
    navigate({ page: "search", q: v.q ?? "", asOf: v.asOf ?? "" });
  });
  const results = h("div", { class: "results", "aria-live": "polite" });
  page.append(
    heading("Search the ledger"),
    h(
      "p",
      { class: "lede" },
      "Find an entity by name, alias or identifier; open it to see its sanctions in valid time and record time.",
    ),
    form,
    results,
  );
  if (!route.q) return;
  results.replaceChildren(loading());
  try {
    const answer = await api.search({ q: route.q, ...(route.asOf ? { asOf: route.asOf } : {}) });
    if (!live()) return;
    results.replaceChildren(
      h(
        "h2",
        {},
        `${answer.items.length} result${answer.items.length === 1 ? "" : "s"} for “${route.q}”`,
      ),
      answer.items.length === 0
        ? h("p", { class: "empty" }, "No entity matches.")
        : h(
            "ul",
            { class: "hits" },
            answer.items.map((item) =>
              h(
                "li",
                {},
                link(
                  { page: "entity", entityId: item.entityId, asOf: route.asOf, knownAt: "" },
                  item.name,
                ),
                " ",
                h("code", {}, item.entityId),
                item.matched !== item.name
                  ? h("span", { class: "matched" }, ` matched “${item.matched}”`)
                  : null,
                item.inForce
                  ? h(
                      "span",
                      { class: "hit-status" },
                      item.inForce.length
                        ? ` · in force on ${route.asOf}: ${item.inForce.map((s) => `${s.sanctionId} (${s.authority})`).join(", ")}`
                        : ` · none in force on ${route.asOf} (open it for pending or undetermined)`,
                    )
                  : null,
              ),
            ),
          ),
      answer.nextToken ? h("p", {}, "More entities match: refine the search.") : "",
    );
  } catch (error) {
    if (live()) results.replaceChildren(problemBox(error));
  }
}
