/** Which function serves a route: the writer appends, the reader answers queries. */
export type RouteTarget = "writer" | "reader";

/** One HTTP route of the API, in API Gateway's resource notation. */
export interface Route {
  readonly method: "GET" | "POST";
  readonly resource: string;
  readonly target: RouteTarget;
}

/**
 * Every route of the API. The CDK stack builds its REST API from this list and the
 * local runtime routes requests with it, so both always serve the same surface.
 */
export const ROUTES: readonly Route[] = [
  { method: "POST", resource: "/entities/{entityId}/events", target: "writer" },
  { method: "GET", resource: "/entities/{entityId}", target: "reader" },
  { method: "GET", resource: "/entities/{entityId}/events", target: "reader" },
  { method: "GET", resource: "/entities/{entityId}/timeline", target: "reader" },
  { method: "GET", resource: "/entities/{entityId}/verify", target: "reader" },
  { method: "POST", resource: "/batches", target: "writer" },
  { method: "GET", resource: "/sanctions", target: "reader" },
  { method: "GET", resource: "/changes", target: "reader" },
  { method: "GET", resource: "/search", target: "reader" },
  { method: "GET", resource: "/openapi.json", target: "reader" },
];
