/** Pieces that every page uses: headings, problems, tables with CSV, links inside the app. */
import { ApiError } from "./api.js";
import { toCsv } from "./csv.js";
import { h } from "./dom.js";
import { hrefOf, type PageRoute } from "./routes.js";

/** A link to a page of the app, followed without reloading. */
export function link(route: PageRoute, ...children: (Node | string)[]): HTMLAnchorElement {
  return h("a", { href: hrefOf(route), "data-app-link": true }, ...children);
}

/** The page's heading, which receives focus after a navigation. */
export function heading(text: string, ...rest: (Node | string)[]): HTMLHeadingElement {
  return h("h1", { tabindex: -1 }, text, ...rest);
}

/** An API error as its problem: title, status and `detail`, announced to screen readers. */
export function problemBox(error: unknown, context?: string): HTMLElement {
  const problem =
    error instanceof ApiError
      ? error.problem
      : {
          title: "Unexpected error",
          status: 0,
          detail: error instanceof Error ? error.message : String(error),
          errors: undefined,
        };
  return h(
    "div",
    { class: "problem", role: "alert" },
    h(
      "p",
      {},
      h("strong", {}, context ? `${context}: ` : "", problem.title),
      problem.status ? ` (${problem.status})` : "",
    ),
    h("p", { class: "detail" }, problem.detail),
    problem.errors?.length
      ? h(
          "ul",
          {},
          problem.errors.map((e) => h("li", {}, h("code", {}, e.path || "/"), ` ${e.message}`)),
        )
      : null,
  );
}

export function loading(text = "Loading…"): HTMLElement {
  return h("p", { class: "loading", role: "status" }, text);
}

/** A table of rows with a caption, scrollable on narrow screens, and a CSV of what it shows. */
export function dataTable(options: {
  caption: string;
  header: string[];
  rows: { cells: (Node | string)[]; text: string[] }[];
  csvName: string;
  empty: string;
}): HTMLElement {
  if (options.rows.length === 0) return h("p", { class: "empty" }, options.empty);
  const csv = toCsv(
    options.header,
    options.rows.map((r) => r.text),
  );
  const download = h(
    "a",
    {
      class: "button",
      download: options.csvName,
      href: URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" })),
    },
    `Download CSV (${options.rows.length} row${options.rows.length === 1 ? "" : "s"})`,
  );
  return h(
    "div",
    { class: "table-block" },
    h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": options.caption },
      h(
        "table",
        {},
        h("caption", {}, options.caption),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            options.header.map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h(
          "tbody",
          {},
          options.rows.map((r) =>
            h(
              "tr",
              {},
              r.cells.map((c) => h("td", {}, c)),
            ),
          ),
        ),
      ),
    ),
    h("p", { class: "table-actions" }, download),
  );
}

/** A labelled form field. */
export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  hint?: string,
): HTMLElement {
  const id = `field-${input.name}`;
  input.id = id;
  const hintId = `${id}-hint`;
  if (hint) input.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("small", { id: hintId }, hint) : null,
  );
}

export function textInput(
  name: string,
  value: string,
  attrs: Record<string, string | boolean> = {},
): HTMLInputElement {
  return h("input", { name, value, type: "text", autocomplete: "off", ...attrs });
}

export function select(name: string, value: string, options: string[]): HTMLSelectElement {
  return h(
    "select",
    { name },
    h("option", { value: "" }, "any"),
    options.map((o) => h("option", { value: o, selected: o === value }, o)),
  );
}

/** The form's fields, trimmed, as a record. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) out[k] = String(v).trim();
  return out;
}
