/**
 * Builds the web app when `app/dist` is missing or older than its sources (run before
 * `npm start`), so that `npm ci && npm start` serves a built app with no extra step.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function newest(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(
    0,
    ...readdirSync(path)
      .filter((name) => name !== "generated")
      .map((name) => newest(join(path, name))),
  );
}

function builtAt(): number | undefined {
  try {
    return statSync(join(root, "app", "dist", "index.html")).mtimeMs;
  } catch {
    return undefined;
  }
}

const sources = Math.max(
  newest(join(root, "app", "src")),
  newest(join(root, "app", "index.html")),
  newest(join(root, "app", "vite.config.mts")),
  newest(join(root, "functions", "api")),
);
const built = builtAt();
if (built === undefined || built < sources) {
  console.log(built === undefined ? "web app: building" : "web app: sources changed, rebuilding");
  execFileSync("npm", ["run", "--silent", "app:build"], { cwd: root, stdio: "inherit" });
}
