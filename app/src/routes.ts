/** The app's deep links: each page and the query it keeps in the URL. */

export const BASE = "/app/";

export type PageRoute =
  | { page: "search"; q: string; asOf: string }
  | { page: "entity"; entityId: string; asOf: string; knownAt: string }
  | {
      page: "sanctions";
      asOf: string;
      knownAt: string;
      authority: string;
      measure: string;
      limit: string;
      token: string;
    }
  | {
      page: "changes";
      from: string;
      to: string;
      knownAt: string;
      authority: string;
      measure: string;
      limit: string;
      token: string;
    }
  | { page: "corrections"; from: string; to: string; limit: string; token: string }
  | { page: "not-found"; path: string };

const FIELDS = {
  search: ["q", "asOf"],
  entity: ["asOf", "knownAt"],
  sanctions: ["asOf", "knownAt", "authority", "measure", "limit", "token"],
  changes: ["from", "to", "knownAt", "authority", "measure", "limit", "token"],
  corrections: ["from", "to", "limit", "token"],
} as const;

function pick<K extends string>(params: URLSearchParams, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((k) => [k, params.get(k)?.trim() ?? ""])) as Record<K, string>;
}

/** The page a location shows. */
export function parseRoute(pathname: string, search: string): PageRoute {
  const params = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, "");
  if (path === "/app" || path === "/app/index.html") {
    return { page: "search", ...pick(params, FIELDS.search) };
  }
  const entity = /^\/app\/entities\/([^/]+)$/.exec(path);
  if (entity?.[1]) {
    let entityId: string;
    try {
      entityId = decodeURIComponent(entity[1]);
    } catch {
      return { page: "not-found", path: pathname };
    }
    return { page: "entity", entityId, ...pick(params, FIELDS.entity) };
  }
  for (const page of ["sanctions", "changes", "corrections"] as const) {
    if (path === `/app/${page}`) return { page, ...pick(params, FIELDS[page]) } as PageRoute;
  }
  return { page: "not-found", path: pathname };
}

/** The URL of a page, with only the query fields that are set. */
export function hrefOf(route: PageRoute): string {
  if (route.page === "not-found") return route.path;
  const path =
    route.page === "search"
      ? BASE
      : route.page === "entity"
        ? `${BASE}entities/${encodeURIComponent(route.entityId)}`
        : `${BASE}${route.page}`;
  const params = new URLSearchParams();
  for (const key of FIELDS[route.page]) {
    const value = (route as unknown as Record<string, string>)[key];
    if (value) params.set(key, value);
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
