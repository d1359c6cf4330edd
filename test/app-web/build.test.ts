import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { APP_DIST } from "../../local/static.js";

describe("the built web app (npm run app:build)", () => {
  it("exists: npm test and npm start build it first", () => {
    expect(
      existsSync(join(APP_DIST, "index.html")),
      "app/dist/index.html is missing: run `npm run app:build`",
    ).toBe(true);
  });

  it("loads its script and styles from /app/", () => {
    const html = readFileSync(join(APP_DIST, "index.html"), "utf8");
    expect(html).toMatch(/<script type="module" crossorigin src="\/app\/assets\/[^"]+\.js">/);
    expect(html).toMatch(/href="\/app\/assets\/[^"]+\.css"/);
  });

  it("its JavaScript is at most 200 KB gzipped", () => {
    const scripts = readdirSync(join(APP_DIST, "assets")).filter((f) => f.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (n, f) => n + gzipSync(readFileSync(join(APP_DIST, "assets", f))).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(200 * 1024);
  });
});
