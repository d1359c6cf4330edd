import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

const SAMPLE = resolve(process.cwd(), "samples/ofac-sdn-sample-2025");

let ledger: RunningLedger;
beforeAll(async () => {
  ledger = await startLedger();
});
afterAll(async () => {
  await ledger.close();
});

/** Runs the CLI in-process against the test ledger; stderr is not a terminal. */
async function cli(args: string[]) {
  const out = { code: -1, stdout: "", stderr: "" };
  out.code = await run(args, {
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
    env: { LEDGER_URL: ledger.url },
  });
  return out;
}

const openOfac = async () =>
  (await ledger.get("/sanctions?authority=US-OFAC&asOf=9999-12-31&limit=1000")).body.items;

describe("sanctions-ledger import", () => {
  it("--dry-run prints the difference and writes nothing", async () => {
    const res = await cli(["import", "ofac-csv", SAMPLE, "--published", "2025-06-01", "--dry-run"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("EntityRegistered");
    expect(res.stdout).toContain("SanctionImposed");
    expect(res.stdout).toMatch(/would import ofac-sdn published 2025-06-01: 17 entries/);
    expect(await openOfac()).toEqual([]);
  });

  it("imports with a plain progress log off a terminal, and a summary", async () => {
    const res = await cli(["import", "ofac-csv", SAMPLE, "--published", "2025-06-01"]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/reading: 17\/17 entries/);
    expect(res.stderr).toMatch(/writing: \d+\/\d+ events/);
    expect(res.stdout).toMatch(/imported ofac-sdn published 2025-06-01: 17 entries/);
    expect(await openOfac()).toHaveLength(17);
  });

  it("imported again, writes nothing; --json gives the summary", async () => {
    const res = await cli(["import", "ofac-csv", SAMPLE, "--published", "2025-06-01", "--json"]);
    expect(res.code).toBe(0);
    const { summary } = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ unchanged: 17, written: 0, registered: 0, rejected: [] });
  });

  it("imports an older publication as a backfill: --dry-run shows the corrections, exit 0", async () => {
    const dry = await cli(["import", "ofac-csv", SAMPLE, "--published", "2024-01-02", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^backfill: 2024-01-02 is not after the latest publication of ofac-sdn recorded \(2025-06-01\)/,
    );
    expect(dry.stdout).toContain("EventRetracted");
    expect(dry.stdout).toContain("PublicationImported");
    const res = await cli(["import", "ofac-csv", SAMPLE, "--published", "2024-01-02", "--json"]);
    expect(res.code).toBe(0);
    const { summary } = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ backfill: true, coverage: ["2025-06-01"], rejected: [] });
    expect(summary.corrected).toBeGreaterThan(0);
    // In both publications: in force from the older one's date; unknown before it.
    const state = await cli(["state", "ofac-10278", "--as-of", "2024-06-01"]);
    expect(state.stdout).toMatch(/in force\s*│\s*ofac-sdn-sdnt\s*│\s*US-OFAC.*2024-01-02/);
    const before = await cli(["state", "ofac-10278", "--as-of", "2023-06-01"]);
    expect(before.stdout).toContain("status not known on 2023-06-01");
  });

  it("refuses an unknown format, a bad date and a missing path, exiting 1", async () => {
    for (const args of [
      ["import", "csv", SAMPLE, "--published", "2025-06-01"],
      ["import", "ofac-csv", SAMPLE, "--published", "2025-02-30"],
      ["import", "ofac-csv", `${SAMPLE}-missing`, "--published", "2025-06-01"],
      ["import", "un-xml", SAMPLE, "--published", "2025-06-01"],
    ]) {
      const res = await cli(args);
      expect(res.code, args.join(" ")).toBe(1);
      expect(res.stderr).toMatch(/^error: /);
    }
  });
});
