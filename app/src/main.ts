import "./style.css";
import { configureFromServer } from "./config.js";
import { h } from "./dom.js";
import { startRouter } from "./nav.js";
import { changesPage } from "./pages/changes.js";
import { correctionsPage } from "./pages/corrections.js";
import { entityPage } from "./pages/entity.js";
import { sanctionsPage } from "./pages/sanctions.js";
import { searchPage } from "./pages/search.js";
import type { PageRoute } from "./routes.js";
import { heading, link, problemBox } from "./ui.js";

const main = document.getElementById("main") as HTMLElement;

const NAV: [PageRoute["page"], string, PageRoute][] = [
  ["search", "Search", { page: "search", q: "", asOf: "" }],
  [
    "sanctions",
    "Sanctions in force",
    { page: "sanctions", asOf: "", knownAt: "", authority: "", measure: "", limit: "", token: "" },
  ],
  [
    "changes",
    "Changes",
    {
      page: "changes",
      from: "",
      to: "",
      knownAt: "",
      authority: "",
      measure: "",
      limit: "",
      token: "",
    },
  ],
  ["corrections", "Corrections", { page: "corrections", from: "", to: "", limit: "", token: "" }],
];

function markNav(page: PageRoute["page"]): void {
  const nav = document.getElementById("nav") as HTMLElement;
  nav.replaceChildren(
    h(
      "ul",
      {},
      NAV.map(([p, label, route]) => {
        const a = link(route, label);
        if (p === page) a.setAttribute("aria-current", "page");
        return h("li", {}, a);
      }),
    ),
  );
}

let renders = 0;

async function renderPage(route: PageRoute): Promise<void> {
  markNav(route.page);
  const token = ++renders;
  const page = h("div", { class: "page" });
  main.replaceChildren(page);
  /** Whether this render is still the one on screen (a later navigation replaces it). */
  const live = () => token === renders && main.contains(page);
  try {
    switch (route.page) {
      case "search":
        await searchPage(page, route, live);
        break;
      case "entity":
        await entityPage(page, route, live);
        break;
      case "sanctions":
        await sanctionsPage(page, route, live);
        break;
      case "changes":
        await changesPage(page, route, live);
        break;
      case "corrections":
        await correctionsPage(page, route, live);
        break;
      default:
        document.title = "Not found · sanctions-ledger";
        page.replaceChildren(
          heading("Page not found"),
          problemBox(new Error(`There is no page at ${route.path}.`)),
          h("p", {}, link({ page: "search", q: "", asOf: "" }, "Search the ledger")),
        );
    }
  } catch (error) {
    if (live()) page.append(problemBox(error));
  }
  // After a navigation inside the app, focus goes to the new page's heading (as a page load
  // would put it at the top); the first load leaves it at the start, before the skip link.
  if (live() && token > 1) {
    const h1 = page.querySelector("h1");
    if (h1 && document.activeElement === document.body) h1.focus({ preventScroll: true });
  }
}

await configureFromServer();
startRouter((route) => {
  void renderPage(route);
});
