import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveApp } from "../../local/static.js";

/** A raw request, so that paths such as /app/../x reach the server unnormalised. */
function get(url: string, path: string, method = "GET") {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const { hostname, port } = new URL(url);
      const req = request({ hostname, port, path, method }, (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("the web app served by the local runtime", () => {
  let dir: string;
  let server: Server;
  let url: string;
  let root: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "app-static-"));
    root = join(dir, "dist");
    mkdirSync(join(root, "assets"), { recursive: true });
    writeFileSync(join(root, "index.html"), "<!doctype html><title>app</title>");
    writeFileSync(join(root, "assets", "index-abc.js"), "console.log(1)");
    writeFileSync(join(root, "assets", "index-abc.css"), "body{}");
    writeFileSync(join(dir, "secret.txt"), "confidential-bytes");
    server = createServer((req, res) => {
      if (serveApp(req, res, req.headers["x-root"] === "none" ? join(dir, "none") : root)) return;
      res.writeHead(418).end("api");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the files of the build with their content types and caching", async () => {
    const js = await get(url, "/app/assets/index-abc.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toContain("immutable");
    expect(js.body).toBe("console.log(1)");
    const css = await get(url, "/app/assets/index-abc.css");
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const index = await get(url, "/app/");
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.headers["x-content-type-options"]).toBe("nosniff");
    expect(index.body).toContain("<title>app</title>");
  });

  it("answers index.html for the app's deep links, so that a reload finds the page", async () => {
    for (const path of ["/app/entities/country-ru?asOf=2022-04-05", "/app/sanctions", "/app/x/y"]) {
      const page = await get(url, path);
      expect(page.status, path).toBe(200);
      expect(page.body).toContain("<title>app</title>");
    }
    const head = await get(url, "/app/changes", "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });

  it("a missing asset is a 404 problem, not the page", async () => {
    const missing = await get(url, "/app/assets/gone.js");
    expect(missing.status).toBe(404);
    expect(missing.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(missing.body).detail).toBe("No file /app/assets/gone.js.");
  });

  it("never serves a file outside the build", async () => {
    for (const path of [
      "/app/../secret.txt",
      "/app/%2e%2e/secret.txt",
      "/app/assets/..%2f..%2fsecret.txt",
      "/app/..%5csecret.txt",
      "/app/%00",
    ]) {
      const answer = await get(url, path);
      expect(answer.body, path).not.toContain("confidential-bytes");
      expect([400, 404], path).toContain(answer.status);
    }
    expect((await get(url, "/app/%E0%A4%A")).status).toBe(400);
  });

  it("redirects /app to /app/, refuses writes, and leaves other paths to the API", async () => {
    const bare = await get(url, "/app");
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe("/app/");
    expect((await get(url, "/app/", "POST")).status).toBe(405);
    expect((await get(url, "/application")).status).toBe(418);
    expect((await get(url, "/entities/x")).status).toBe(418);
  });
});
