import { createReadStream, type Stats, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The built web app (`npm run app:build`). */
export const APP_DIST = fileURLToPath(new URL("../app/dist", import.meta.url));

/** The path under which the app is served, on the API's own origin. */
export const APP_PREFIX = "/app";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
  ".woff2": "font/woff2",
};

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

function fileAt(path: string): Stats | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  res.writeHead(status, { "content-type": "application/problem+json" });
  res.end(JSON.stringify({ type: "about:blank", title, status, detail }));
}

/**
 * Serves the built app at /app/ (GET and HEAD): a file of the build if the path names one, else
 * index.html for the app's own deep links (/app/entities/…), so that a reload finds the page.
 * Answers true when it handled the request; every other path goes on to the API's routes.
 */
export function serveApp(req: IncomingMessage, res: ServerResponse, root = APP_DIST): boolean {
  const raw = (req.url ?? "/").split("?")[0] ?? "/";
  if (raw !== APP_PREFIX && !raw.startsWith(`${APP_PREFIX}/`)) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    problem(res, 405, "Method not allowed", `No route ${req.method} ${raw}.`);
    return true;
  }
  if (raw === APP_PREFIX) {
    res.writeHead(308, { location: `${APP_PREFIX}/` });
    res.end();
    return true;
  }
  let path: string;
  try {
    path = decodeURIComponent(raw.slice(APP_PREFIX.length + 1));
  } catch {
    problem(res, 400, "Invalid request", "the path holds an invalid percent-encoding");
    return true;
  }
  const base = resolve(root);
  const target = resolve(base, path);
  const inside = relative(base, target);
  if (path.includes("\0") || inside.startsWith("..") || inside.split(sep).includes("..")) {
    problem(res, 404, "Not found", `No file ${raw}.`);
    return true;
  }
  const index = join(base, "index.html");
  if (!fileAt(index)) {
    problem(
      res,
      503,
      "App not built",
      "The web app has not been built: run `npm run app:build` (npm start builds it when missing).",
    );
    return true;
  }
  let file = inside === "" ? index : target;
  let stats = fileAt(file);
  if (!stats) {
    // A missing file with an extension is a missing asset; any other path is a page of the app.
    if (extname(path) !== "") {
      problem(res, 404, "Not found", `No file ${raw}.`);
      return true;
    }
    file = index;
    stats = fileAt(index) as Stats;
  }
  const hashed = relative(base, file).startsWith(`assets${sep}`);
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": String(stats.size),
    "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    ...SECURITY_HEADERS,
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
  return true;
}
