import { configDefaults, defineConfig } from "vitest/config";
import { longestFirst, QUIET_SDK, SCALED_FILES, SLOW_FILES, shared } from "./vitest.config.mjs";

/**
 * `npm run test:slow`: the full 2019 SDN import, the imports of the consolidated and UN
 * lists, the 32 × 50 concurrency races, histories of hundreds of events, and every run of
 * the fuzz and property tests.
 */
export default defineConfig({
  test: {
    ...shared,
    include: [...SLOW_FILES, ...SCALED_FILES],
    exclude: [...configDefaults.exclude],
    env: { ...QUIET_SDK, LEDGER_TEST_SLOW: "1" },
    // As in the fast suite: the files wait on the engine's thread and on child processes as
    // much as they compute, so a third worker on two cores overlaps those waits.
    maxWorkers: 3,
    sequence: {
      sequencer: longestFirst([
        "import/import.slow.test.ts",
        "import/import-lists.slow.test.ts",
        "integration/concurrency.slow.test.ts",
        "integration/history.slow.test.ts",
      ]),
    },
  },
});
