/** The list pages: filters kept in the URL, a table of one page, the next page, and a CSV. */
import { h } from "../dom.js";
import { navigate } from "../nav.js";
import type { PageRoute } from "../routes.js";
import { dataTable, formValues, heading, link, loading, problemBox } from "../ui.js";

export interface Row {
  cells: (Node | string)[];
  text: string[];
}

export interface ListOptions {
  title: string;
  lede: string;
  fields: HTMLElement[];
  /** The route the form's values ask for (the first page). */
  routeOf: (values: Record<string, string>) => PageRoute;
  /** Whether the filters are complete enough to ask the API (else the form alone is shown). */
  ready: boolean;
  load: () => Promise<{ rows: Row[]; nextToken?: string; summary: string }>;
  /** The route of the page after this one. */
  next: (token: string) => PageRoute;
  first: PageRoute | undefined;
  header: string[];
  caption: string;
  csvName: string;
  empty: string;
}

export async function listPage(page: HTMLElement, o: ListOptions, live: () => boolean) {
  document.title = `${o.title} · sanctions-ledger`;
  const form = h(
    "form",
    { class: "filters" },
    o.fields,
    h("div", { class: "field actions" }, h("button", { type: "submit" }, "Show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(o.routeOf(formValues(form)));
  });
  const results = h("div", { class: "results", "aria-live": "polite" });
  page.append(heading(o.title), h("p", { class: "lede" }, o.lede), form, results);
  if (!o.ready) return;
  results.replaceChildren(loading());
  try {
    const { rows, nextToken, summary } = await o.load();
    if (!live()) return;
    results.replaceChildren(
      h("p", { class: "summary" }, summary),
      dataTable({
        caption: o.caption,
        header: o.header,
        rows,
        csvName: o.csvName,
        empty: o.empty,
      }),
      h(
        "nav",
        { class: "pager", "aria-label": "Pages" },
        o.first ? link(o.first, "First page") : null,
        nextToken ? link(o.next(nextToken), "Next page") : null,
      ),
    );
  } catch (error) {
    if (live()) results.replaceChildren(problemBox(error));
  }
}
