/** Navigation inside the app with the History API: deep links survive reload and back. */
import { hrefOf, type PageRoute, parseRoute } from "./routes.js";

type Render = (route: PageRoute) => void;

let render: Render = () => {};
let shown = "";

const key = () => `${location.pathname}${location.search}`;

export function navigate(route: PageRoute, options: { replace?: boolean } = {}): void {
  const href = hrefOf(route);
  if (options.replace) history.replaceState(null, "", href);
  else if (href !== key()) history.pushState(null, "", href);
  show();
}

function show(): void {
  shown = key();
  render(parseRoute(location.pathname, location.search));
}

/** Starts the router: links marked `data-app-link` and back/forward render without a reload. */
export function startRouter(renderPage: Render): void {
  render = renderPage;
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.("a[data-app-link]");
    if (!(anchor instanceof HTMLAnchorElement) || anchor.origin !== location.origin) return;
    event.preventDefault();
    if (`${anchor.pathname}${anchor.search}` !== key()) {
      history.pushState(null, "", anchor.href);
      show();
    }
  });
  window.addEventListener("popstate", () => {
    // A change of the fragment alone (a link to an event in the page) keeps the page.
    if (key() !== shown) show();
  });
  show();
}

/** Puts `route` in the address bar and history without rendering: the page updates itself. */
export function record(route: PageRoute, options: { replace?: boolean } = {}): void {
  const href = hrefOf(route);
  if (options.replace) history.replaceState(null, "", href);
  else if (href !== key()) history.pushState(null, "", href);
  shown = key();
}
