import { defineConfig } from "vitest/config";

/**
 * End-to-end tests of the web app in Debian's Chromium (headless, driven by playwright-core)
 * against `npm start -- --memory --demo`, started once on a free port by the global setup.
 */
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    globalSetup: ["test/browser/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
