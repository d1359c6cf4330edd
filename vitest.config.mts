import { configDefaults, defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The slow suite's own files (`npm run test:slow`): the long imports, histories and races. */
export const SLOW_FILES = ["test/**/*.slow.test.ts"];

/**
 * Files whose fuzz and property tests run a quick share of their runs in `npm test` and all
 * of them in the slow suite (see `scaledRuns` in test/support/runs.ts).
 */
export const SCALED_FILES = [
  "test/domain/pages.test.ts",
  "test/domain/properties.test.ts",
  "test/reliability/fuzz.test.ts",
  "test/reliability/projector-faults.test.ts",
];

/** A sequencer that starts the named files first, so that the two workers finish together. */
export function longestFirst(longest: string[]): typeof BaseSequencer {
  return class LongestFirst extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files);
      const rank = (f: TestSpecification) => {
        const i = longest.findIndex((name) => f.moduleId.endsWith(name));
        return i === -1 ? longest.length : i;
      };
      return [...sorted].sort((a, b) => rank(a) - rank(b));
    }
  };
}

/**
 * The AWS SDK's notice that its releases after January 2027 will need Node.js 22: the SDK is
 * pinned, so it concerns none of the versions the ledger runs on (`engines`: 20.19 and later).
 */
export const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } as const;

/** What both suites share. */
export const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: "forks",
  env: QUIET_SDK,
} as const;

export default defineConfig({
  test: {
    ...shared,
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "test/browser/**", ...SLOW_FILES],
    // The CDK tests' templates, synthesized once while the other suites run.
    globalSetup: ["test/infra/templates-setup.ts"],
    // Most files wait on the engine's worker thread as much as they compute: a third
    // worker on two cores overlaps those waits.
    maxWorkers: 3,
    sequence: {
      sequencer: longestFirst([
        "app/sequencer.test.ts",
        "reliability/bounded.test.ts",
        "local/main.test.ts",
        "infra/functions.test.ts",
      ]),
    },
  },
});
