import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";
import { EVENTS_TABLE, VIEWS_TABLE } from "../../functions/store/keys.js";
import { VIEW_KEYS } from "../../functions/store/views.js";
import { loadDemo } from "../../local/demo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let ledger: RunningLedger;
let dir: string;

beforeAll(async () => {
  ledger = await startLedger();
  await loadDemo(ledger.engine);
  dir = mkdtempSync(join(tmpdir(), "sanctions-ledger-cli-"));
});
afterAll(async () => {
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process against the test ledger (through `LEDGER_URL`). */
async function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const out: Run = { code: -1, stdout: "", stderr: "" };
  out.code = await run(args, {
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
    env: options.env ?? { LEDGER_URL: ledger.url },
    readStdin: async () => options.stdin ?? "",
  });
  return out;
}

/** Runs a command that must succeed, and parses its JSON output. */
async function cliJson(args: string[]) {
  const res = await cli([...args, "--json"]);
  expect(res.stderr).toBe("");
  expect(res.code).toBe(0);
  return JSON.parse(res.stdout);
}

async function ok(args: string[]) {
  const res = await cli(args);
  expect(res.stderr).toBe("");
  expect(res.code).toBe(0);
  return res.stdout;
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const BEFORE_CORRECTIONS = "2022-03-26T00:00:00Z";

describe("state", () => {
  it("shows a pending sanction in a table", async () => {
    const out = await ok(["state", "ru-vtb-bank", "--as-of", "2022-03-28"]);
    expect(out).toMatch(/^name:\s+VTB Bank$/m);
    expect(out).toMatch(/^kind:\s+organization$/m);
    expect(out).toMatch(/^country:\s+RU$/m);
    expect(out).toMatch(/^aliases:\s+VTB Bank PJSC; Bank VTB$/m);
    expect(out).toMatch(/^asOf:\s+2022-03-28$/m);
    expect(out).toMatch(/^basis:\s+1, 2$/m);
    expect(out).toMatch(
      /│ pending +│ jp-asset-freeze +│ JP +│ JP-RUSSIA-2022 +│ asset-freeze, transaction-licence-required +│ 2022-03-03 +│ 2022-04-02 +│ 2022-04-02 +│ — +│/,
    );
    expect(out).not.toContain("in force");
  });

  it("answers with what was known at --known-at", async () => {
    const then = await ok([
      "state",
      "country-ru",
      "--as-of",
      "2022-04-05",
      "--known-at",
      BEFORE_CORRECTIONS,
    ]);
    expect(then).toMatch(/^version:\s+3$/m);
    expect(then).toMatch(/^knownAt:\s+2022-03-26T00:00:00.000Z$/m);
    expect(then).toMatch(/│ in force +│ jp-luxury-export-ban .*│ 2022-04-01 +│/);
    expect(then).toMatch(/│ in force +│ jp-mfn-revocation .*│ 2022-03-25 +│/);

    const now = await ok(["state", "country-ru", "--as-of", "2022-04-05"]);
    expect(now).toMatch(/^basis:\s+1, 5, 7$/m);
    expect(now).toMatch(/│ in force +│ jp-luxury-export-ban .*│ 2022-04-05 +│/);
    expect(now).toMatch(/│ pending +│ jp-mfn-revocation .*│ 2022-04-21 +│/);
  });

  it("prints the raw answer with --json, before or after the command", async () => {
    const direct = await ledger.get(
      `/entities/country-ru?asOf=2022-04-05&knownAt=${BEFORE_CORRECTIONS}`,
    );
    const json = await cliJson([
      "state",
      "country-ru",
      "--as-of",
      "2022-04-05",
      "--known-at",
      BEFORE_CORRECTIONS,
    ]);
    expect(json).toEqual(direct.body);
    const before = await cli([
      "--json",
      "state",
      "ru-vtb-bank",
      "--as-of",
      "2022-04-03",
      "--url",
      ledger.url,
    ]);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).inForce[0].sanctionId).toBe("jp-asset-freeze");
  });

  it("says when nothing is in force or pending", async () => {
    const out = await ok(["state", "ru-vtb-bank", "--as-of", "2022-03-01"]);
    expect(out).toContain("No sanction in force or pending on 2022-03-01.");
  });
});

describe("problems", () => {
  it("an unknown entity exits non-zero with the problem on stderr", async () => {
    const res = await cli(["state", "ru-nobody"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toBe(
      "error: 404 Entity not found: The ledger knows no entity 'ru-nobody'.\n",
    );
  });

  it("with --json, also prints the problem JSON on stdout", async () => {
    const res = await cli(["state", "ru-nobody", "--json"]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 404, title: "Entity not found" });
    expect(res.stderr).toContain("404 Entity not found");
  });

  it("lists each error path and message", async () => {
    const res = await cli(["state", "ru-vtb-bank", "--as-of", "2022-02-30"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: 400 .+: .+$/m);
    expect(res.stderr).toContain("\n  /asOf: must be a calendar date YYYY-MM-DD\n");
  });

  it("a knownAt before the registration is a 404 too", async () => {
    const res = await cli(["history", "country-ru", "--known-at", "2022-01-01T00:00:00Z"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("404");
  });

  it("usage errors exit non-zero with commander's message", async () => {
    const missing = await cli(["changes", "--from", "2022-04-01"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--to <date>' not specified");
    const limit = await cli(["sanctions", "--limit", "0"]);
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain("must be a whole number of at least 1");
    const unknown = await cli(["stat", "x"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown command 'stat'");
  });

  it("a refused connection names the URL", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const res = await cli(["state", "x"], { env: { LEDGER_URL: url } });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `error: Cannot reach the ledger at ${url}: connection refused. Is it running (npm start), or is --url / LEDGER_URL wrong?\n`,
    );
    const bad = await cli(["state", "x", "--url", "not a url"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--url: "not a url" is not a URL');
  });
});

describe("help", () => {
  it("every command has a description and examples", async () => {
    const top = await cli(["--help"]);
    expect(top.code).toBe(0);
    for (const name of [
      "state",
      "history",
      "timeline",
      "verify",
      "sanctions",
      "changes",
      "search",
      "append",
    ]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${name} .*\\S`, "m"));
      const help = await cli([name, "--help"]);
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toContain(`Usage: sanctions-ledger ${name}`);
      expect(help.stdout, name).toContain("Examples:\n  $ sanctions-ledger ");
    }
    expect(top.stdout).toContain("--url <url>");
    expect(top.stdout.replace(/\s+/g, " ")).toContain(
      "(default: $LEDGER_URL, else http://localhost:3000)",
    );
  });

  it("prints the version", async () => {
    const res = await cli(["--version"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe("history", () => {
  it("lists every event with summaries, sources and retractions", async () => {
    const out = await ok(["history", "country-ru", "--page-size", "2"]);
    for (const v of [1, 2, 3, 4, 5, 6, 7]) expect(out).toMatch(new RegExp(`│ ${v} +│ 2022-`));
    expect(out).toMatch(
      /│ 2 +│ 2022-03-25T12:00:01.000Z │ SanctionImposed +│ demo-ru-2 +│ local +│ jp-luxury-export-ban JP: export-ban, announced 2022-03-25, effective 2022-04-01 \[retracted by v4\]/,
    );
    expect(out).toContain("retracts v2: The ban takes effect on 5 April");
    expect(out).toContain("METI: ban on exports of luxury goods");
    expect(out).toContain("7 events of country-ru.");
  });

  it("follows nextToken for --json and matches the stream", async () => {
    const json = await cliJson(["history", "country-ru", "--page-size", "2"]);
    expect(json.entityId).toBe("country-ru");
    expect(json.nextToken).toBeUndefined();
    expect(json.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const direct = await ledger.get("/entities/country-ru/events");
    expect(json.events).toEqual(direct.body.events);
  });

  it("--known-at shows only what was recorded then; --limit caps it", async () => {
    const then = await cliJson(["history", "country-ru", "--known-at", BEFORE_CORRECTIONS]);
    expect(then.events).toHaveLength(3);
    const limited = await cliJson(["history", "country-ru", "--limit", "3", "--page-size", "2"]);
    expect(limited.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3]);
    expect(limited.nextToken).toEqual(expect.any(String));
    const human = await ok(["history", "country-ru", "--limit", "2"]);
    expect(human).toContain("2 events of country-ru.");
    expect(human).toContain("More events remain");
    const from = await cliJson(["history", "country-ru", "--from-version", "6"]);
    expect(from.events.map((e: { version: number }) => e.version)).toEqual([6, 7]);
  });
});

describe("timeline", () => {
  it("shows each sanction's intervals", async () => {
    const out = await ok(["timeline", "country-ru"]);
    expect(out).toContain(
      "jp-luxury-export-ban (JP, JP-RUSSIA-2022): announced 2022-03-25, effective 2022-04-05, end —",
    );
    expect(out).toMatch(/│ 2022-04-05 │ — +│ export-ban +│ goods: luxury goods.*│ 5 +│/);
    expect(out).toMatch(/│ 2022-04-21 │ — +│ trade-status-revoked +│ Most-favoured-nation.*│ 7 +│/);
    expect(out).toContain("2 sanctions.");
  });

  it("--known-at and --json", async () => {
    const json = await cliJson(["timeline", "country-ru", "--known-at", BEFORE_CORRECTIONS]);
    const direct = await ledger.get(`/entities/country-ru/timeline?knownAt=${BEFORE_CORRECTIONS}`);
    expect(json).toEqual(direct.body);
    const froms = json.sanctions.map(
      (s: { intervals: { from: string }[] }) => s.intervals[0]?.from,
    );
    expect(froms.sort()).toEqual(["2022-03-25", "2022-04-01"]);
    const human = await ok(["timeline", "country-ru", "--known-at", BEFORE_CORRECTIONS]);
    expect(human).toContain("country-ru, known at 2022-03-26T00:00:00.000Z");
    expect(human).toMatch(/│ 2022-04-01 │ — +│ export-ban +│/);
  });
});

describe("verify", () => {
  it("reports a valid chain", async () => {
    const out = await ok(["verify", "country-ru"]);
    expect(out).toMatch(/^valid: chain of 7 events, head [0-9a-f]{64}\n$/);
    const json = await cliJson(["verify", "country-ru"]);
    expect(json).toMatchObject({ valid: true, version: 7 });
  });

  it("reports a broken chain with exit code 2", async () => {
    await ledger.post("/entities/xx-tampered/events", {
      type: "EntityRegistered",
      data: { name: "Tampered Ltd", kind: "organization" },
    });
    await ledger.post("/entities/xx-tampered/events", {
      type: "EntityAmended",
      data: { name: "Tampered Limited" },
    });
    await ledger.engine.doc.send(
      new UpdateCommand({
        TableName: ledger.engine.tables.events,
        Key: { [EVENTS_TABLE.partitionKey]: "xx-tampered", [EVENTS_TABLE.sortKey]: 2 },
        UpdateExpression: "SET canonical = :c",
        ExpressionAttributeValues: { ":c": '{"tampered":true}' },
      }),
    );
    const res = await cli(["verify", "xx-tampered"]);
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(
      /^BROKEN at version 2 \(sound up to version 1, hash [0-9a-f]{64}\)\n$/,
    );
    const json = await cli(["verify", "xx-tampered", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, firstBrokenVersion: 2 });
  });

  it("reports a missing witness with exit code 2, the chain itself sound", async () => {
    await ledger.post("/entities/xx-unwitnessed/events", {
      type: "EntityRegistered",
      data: { name: "Unwitnessed Ltd", kind: "organization" },
    });
    // The views' record of the stream's head is one witness: remove it.
    const { Items = [] } = await ledger.engine.doc.send(
      new QueryCommand({
        TableName: ledger.engine.tables.views,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": VIEWS_TABLE.partitionKey },
        ExpressionAttributeValues: { ":pk": VIEW_KEYS.record("head", "xx-unwitnessed") },
      }),
    );
    expect(Items.length).toBeGreaterThan(0);
    for (const item of Items) {
      await ledger.engine.doc.send(
        new DeleteCommand({
          TableName: ledger.engine.tables.views,
          Key: {
            [VIEWS_TABLE.partitionKey]: item[VIEWS_TABLE.partitionKey],
            [VIEWS_TABLE.sortKey]: item[VIEWS_TABLE.sortKey],
          },
        }),
      );
    }
    const res = await cli(["verify", "xx-unwitnessed"]);
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/^valid: chain of 1 event, head [0-9a-f]{64}\nMISSING WITNESS: /);
    const json = await cli(["verify", "xx-unwitnessed", "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: true,
      missingWitnesses: ["the views hold no record of this stream's head"],
    });
  });
});

describe("sanctions", () => {
  const asOf = ["--as-of", "2022-04-03"];
  const banks = ["ru-novikombank", "ru-otkritie", "ru-sovcombank", "ru-vtb-bank"];

  it("lists entities and sanctions, following every page", async () => {
    const out = await ok(["sanctions", ...asOf, "--authority", "JP", "--page-size", "1"]);
    for (const id of banks) {
      expect(out).toMatch(new RegExp(`│ ${id} +│ .+ +│ organization +│ jp-asset-freeze +│ JP +│`));
    }
    expect(out).toMatch(/│ country-kp +│ Democratic People's Republic of Korea +│ country +│/);
    expect(out).toContain("5 entities, 5 sanctions.");
    expect(out).not.toContain("More entities remain");
  });

  it("filters, --json and --limit", async () => {
    const json = await cliJson([
      "sanctions",
      ...asOf,
      "--authority",
      "JP",
      "--measure",
      "asset-freeze",
      "--program",
      "JP-RUSSIA-2022",
      "--page-size",
      "3",
    ]);
    expect(json.asOf).toBe("2022-04-03");
    expect(json.items.map((i: { entityId: string }) => i.entityId)).toEqual(banks);
    expect(json.nextToken).toBeUndefined();

    const limited = await cliJson(["sanctions", ...asOf, "--limit", "2"]);
    expect(limited.items).toHaveLength(2);
    expect(limited.nextToken).toEqual(expect.any(String));
    const human = await ok(["sanctions", ...asOf, "--limit", "2"]);
    expect(human).toContain("2 entities, 2 sanctions.");
    expect(human).toContain("More entities remain");
  });

  it("--known-at answers as the ledger would have then", async () => {
    const now = await cliJson(["sanctions", "--as-of", "2022-04-01", "--measure", "export-ban"]);
    expect(now.items.map((i: { entityId: string }) => i.entityId)).toEqual(["country-kp"]);
    const then = await cliJson([
      "sanctions",
      "--as-of",
      "2022-04-01",
      "--measure",
      "export-ban",
      "--known-at",
      BEFORE_CORRECTIONS,
    ]);
    expect(then.knownAt).toBe("2022-03-26T00:00:00.000Z");
    expect(then.items.map((i: { entityId: string }) => i.entityId)).toEqual([
      "country-kp",
      "country-ru",
    ]);
  });

  it("says when nothing matches", async () => {
    const out = await ok(["sanctions", ...asOf, "--authority", "EU"]);
    expect(out).toContain("No entity has a matching sanction in force or undetermined.");
  });
});

describe("changes", () => {
  const period = ["--from", "2022-04-01", "--to", "2022-04-10"];

  it("lists the changes of a period, following pages", async () => {
    const out = await ok(["changes", ...period, "--page-size", "2"]);
    expect(out).toMatch(/│ 2022-04-02 │ entered │ ru-vtb-bank +│ jp-asset-freeze +│ JP +│/);
    expect(out).toMatch(/│ 2022-04-05 │ entered │ country-ru +│ jp-luxury-export-ban +│ JP +│/);
    expect(out).toContain("5 changes.");
  });

  it("--known-at, filters and --json", async () => {
    const then = await cliJson([
      "changes",
      ...period,
      "--known-at",
      BEFORE_CORRECTIONS,
      "--measure",
      "export-ban",
      "--page-size",
      "1",
    ]);
    expect(then.items).toEqual([
      {
        entityId: "country-ru",
        sanctionId: "jp-luxury-export-ban",
        authority: "JP",
        change: "entered",
        on: "2022-04-01",
      },
    ]);
    const all = await cliJson(["changes", ...period, "--page-size", "2"]);
    expect(all.items).toHaveLength(5);
    const direct = await ledger.get("/changes?from=2022-04-01&to=2022-04-10");
    expect(all.items).toEqual(direct.body.items);
  });
});

describe("corrections", () => {
  const window = ["--from", BEFORE_CORRECTIONS, "--to", "2022-05-01T00:00:00Z"];

  it("lists the corrected ranges of a window, following pages", async () => {
    const out = await ok(["corrections", ...window, "--page-size", "1"]);
    expect(out).toMatch(
      /│ country-ru +│ jp-luxury-export-ban +│ JP +│ 2022-04-01 to 2022-04-04 +│ in-force +│ pending +│ 4, 5 +│/,
    );
    expect(out).toMatch(/│ country-ru +│ jp-mfn-revocation +│ JP +│ 2022-03-25 to 2022-04-20 +│/);
    expect(out).toContain("2 corrected ranges.");
    const json = await cliJson(["corrections", ...window]);
    const direct = await ledger.get(
      "/corrections?from=2022-03-26T00:00:00Z&to=2022-05-01T00:00:00Z",
    );
    expect(json.items).toEqual(direct.body.items);
  });
});

describe("search", () => {
  it("finds by name, ignoring accents, with in-force sanctions for --as-of", async () => {
    const out = await ok(["search", "Növikombank", "--as-of", "2022-04-03"]);
    expect(out).toMatch(/│ ru-novikombank │ Novikombank │ Novikombank │ jp-asset-freeze \(JP\) +│/);
    expect(out).toContain("1 match.");
  });

  it("joins the words, --json, and --limit", async () => {
    const json = await cliJson(["search", "bank", "vtb"]);
    expect(json.items.map((i: { entityId: string }) => i.entityId)).toEqual(["ru-vtb-bank"]);
    const many = await cliJson(["search", "bank", "--page-size", "1"]);
    expect(many.items.map((i: { entityId: string }) => i.entityId).sort()).toEqual([
      "ru-otkritie",
      "ru-vtb-bank",
    ]);
    const one = await cliJson(["search", "bank", "--limit", "1"]);
    expect(one.items).toHaveLength(1);
    expect(one.nextToken).toEqual(expect.any(String));
    expect(await ok(["search", "zzzz"])).toBe("No match.\n");
  });
});

describe("append", () => {
  const lift = {
    type: "SanctionLifted",
    eventId: "jp-otkritie-lift-2023",
    expectedVersion: 2,
    data: { sanctionId: "jp-asset-freeze", effectiveFrom: "2023-01-10", reason: "Delisted" },
    source: { title: "MOF notice", publishedOn: "2023-01-09" },
  };

  it("writes from a file, and a retry writes nothing", async () => {
    const file = join(dir, "lift.json");
    writeFileSync(file, JSON.stringify(lift));
    const first = await ok(["append", "ru-otkritie", "--file", file]);
    expect(first).toMatch(
      /^201 written version 3 \(eventId jp-otkritie-lift-2023, SanctionLifted, recorded \S+Z, hash [0-9a-f]{64}\)\n$/,
    );
    const again = await ok(["append", "ru-otkritie", "--file", file]);
    expect(again).toMatch(/^200 already recorded as version 3 \(eventId jp-otkritie-lift-2023/);
    const json = await cliJson(["append", "ru-otkritie", "--file", file]);
    expect(json).toMatchObject({ status: 200, entityId: "ru-otkritie", version: 3 });
    const state = await cliJson(["state", "ru-otkritie", "--as-of", "2023-01-10"]);
    expect(state.inForce).toEqual([]);
  });

  it("reads standard input for -", async () => {
    const body = {
      type: "EntityRegistered",
      eventId: "xx-stdin-reg",
      data: { name: "Stdin Trading", kind: "organization" },
    };
    const res = await cli(["append", "xx-stdin", "--file", "-", "--json"], {
      stdin: JSON.stringify(body),
    });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      status: 201,
      version: 1,
      eventId: "xx-stdin-reg",
    });
  });

  it("reports conflicts, invalid bodies and unreadable files", async () => {
    const file = join(dir, "conflict.json");
    writeFileSync(file, JSON.stringify({ ...lift, eventId: "other-id", expectedVersion: 1 }));
    const conflict = await cli(["append", "ru-otkritie", "--file", file]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^error: 409 /);
    expect(conflict.stderr).toContain("current version: 3");

    const typo = join(dir, "typo.json");
    writeFileSync(
      typo,
      JSON.stringify({ ...lift, eventId: "typo", data: { ...lift.data, effectiveUntill: "x" } }),
    );
    const invalid = await cli(["append", "ru-sovcombank", "--file", typo]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error: 400 /);
    expect(invalid.stderr).toContain("  /data/effectiveUntill: ");

    const notJson = join(dir, "not.json");
    writeFileSync(notJson, "{");
    const bad = await cli(["append", "ru-sovcombank", "--file", notJson]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`error: ${notJson} is not JSON`);

    const missing = await cli(["append", "ru-sovcombank", "--file", join(dir, "nope.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no such file");

    const noFile = await cli(["append", "ru-sovcombank"]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain("required option '--file <path>' not specified");
  });
});
