import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./fixtures/fill-caches.ts", import.meta.url));

describe("caches bounded by bytes", () => {
  it("entities with the heaviest names admitted fill the caches of a 512 MB process without exhausting it", () => {
    const out = execFileSync(
      process.execPath,
      ["--max-old-space-size=512", "--import", "tsx", script, "400"],
      { encoding: "utf8", maxBuffer: 1 << 20, timeout: 170_000 },
    );
    const result = JSON.parse(out.trim().split("\n").pop() ?? "{}");
    // 400 entities of ~130 KB of names each: three times what the budget lets the cache keep.
    expect(result.cached).toBeLessThan(result.entities);
    expect(result.cachedBytes).toBeLessThanOrEqual(result.budget);
    expect(result.peakHeap).toBeLessThan(512 * 1024 * 1024);
  }, 180_000);
});
