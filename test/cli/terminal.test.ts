import { describe, expect, it } from "vitest";
import { displayWidth, esc, fitColumns, json, table, truncate } from "../../cli/format.js";
import { run } from "../../cli/main.js";

/** A name that, printed raw, erases the line, returns the cursor and reverses what follows. */
const HOSTILE = "Evil\u001b[2K\rGood Bank\u202Eknab\u2066x\u2069\u009b31m\u007f\u200f\u061c\n!";
/** Anything a terminal would act on, except the line breaks between lines. */
const RAW = /(?!\n)[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe("esc", () => {
  it("shows controls, DEL, C1 and BiDi characters as escapes", () => {
    expect(esc(HOSTILE)).toBe(
      "Evil\\x1b[2K\\rGood Bank\\u{202E}knab\\u{2066}x\\u{2069}\\x9b31m\\x7f\\u{200F}\\u{61C}\\n!",
    );
    expect(esc("tab\there\u0000\u2028")).toBe("tab\\there\\x00\\u{2028}");
    expect(esc("Сбербанк 中国银行 café")).toBe("Сбербанк 中国银行 café");
  });
});

describe("json", () => {
  it("stays JSON that reads back the same, with DEL, C1 and BiDi escaped", () => {
    const value = { name: HOSTILE, aliases: ["\u202Eabc", "é"] };
    const text = json(value);
    expect(text).not.toMatch(RAW);
    expect(text).toContain("\\u202e");
    expect(text).toContain("\\u009b");
    expect(text).toContain("\\u001b"); // JSON.stringify's own escape
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("widths", () => {
  it("counts wide and zero-width characters as a terminal shows them", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("中国")).toBe(4);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("👍🏽")).toBe(2);
    expect(truncate("中国银行股份", 7)).toBe("中国银…");
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdefg", 6)).toBe("abcde…");
  });

  it("cuts the widest columns first, down to a common cap", () => {
    // 3 columns: borders take 10 of 40, leaving 30.
    expect(fitColumns([5, 50, 40], 40)).toEqual([5, 13, 12]);
    expect(fitColumns([5, 10, 8], 40)).toEqual([5, 10, 8]);
    // Narrower than the minimum of every column: nothing below 10 (or its natural width).
    expect(fitColumns([4, 30, 30], 12)).toEqual([4, 10, 10]);
  });

  it("fits a table to the width, with an ellipsis where a cell is cut", () => {
    const rows = [
      ["ru-vtb-bank", "VTB Bank PJSC, also known as Bank VTB and Vneshtorgbank", "JP"],
      ["cn-bank", "中国银行股份有限公司 (Bank of China Limited), Beijing head office", "US-OFAC"],
    ];
    const text = table(["Entity", "Name", "Authority"], rows, 50);
    const lines = text.split("\n");
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(50);
    expect(lines.some((line) => displayWidth(line) === 50)).toBe(true);
    expect(text).toContain("…");
    expect(text).toContain("ru-vtb-bank");

    const whole = table(["Entity", "Name", "Authority"], rows);
    expect(whole).not.toContain("…");
    expect(whole).toContain("Vneshtorgbank");
  });

  it("lays rows out as blocks of lines on a terminal too narrow for the columns", () => {
    const text = table(
      ["Entity", "Name", "Authority"],
      [
        ["ru-vtb-bank", "VTB Bank PJSC", "JP"],
        ["cn-bank", "中国银行股份有限公司 (Bank of China Limited)", "US-OFAC"],
      ],
      24,
    );
    expect(text).toBe(
      [
        "Entity:    ru-vtb-bank",
        "Name:      VTB Bank PJSC",
        "Authority: JP",
        "",
        "Entity:    cn-bank",
        "Name:      中国银行股份…",
        "Authority: US-OFAC",
      ].join("\n"),
    );
  });

  it("escapes every cell, so a cell cannot break the table's lines", () => {
    const text = table(["Name"], [[HOSTILE]], 80);
    expect(text).not.toMatch(RAW);
    expect(text.split("\n")).toHaveLength(5); // top, head, rule, row, bottom
  });
});

// Answers of a ledger whose texts hold control and BiDi characters.
const STATE = {
  entityId: "x-evil",
  name: HOSTILE,
  kind: "organization",
  country: "RU",
  aliases: [HOSTILE, "plain"],
  identifiers: [{ scheme: "LEI", value: HOSTILE }],
  version: 2,
  asOf: "2022-04-03",
  knownAt: "2022-04-03T00:00:00.000Z",
  basis: [1, 2],
  inForce: [
    {
      sanctionId: "jp-asset-freeze",
      authority: "JP",
      program: `${HOSTILE} program with a long name that does not fit a narrow terminal at all`,
      measures: ["asset-freeze"],
      announcedOn: "2022-03-03",
      effectiveFrom: "2022-04-02",
      termsFrom: "2022-04-02",
      end: null,
    },
  ],
  pending: [],
};
const ANSWERS: Record<string, unknown> = {
  "/entities/x-evil": STATE,
  "/entities/x-evil/events": {
    events: [
      {
        entityId: "x-evil",
        version: 1,
        eventId: "e1",
        type: "EntityRegistered",
        data: { name: HOSTILE, kind: "organization", aliases: [HOSTILE] },
        source: { title: HOSTILE, publishedOn: "2022-01-01" },
        recordedAt: "2022-01-01T00:00:00.000Z",
        actor: HOSTILE,
        prevHash: "0".repeat(64),
        hash: "1".repeat(64),
      },
    ],
  },
  "/entities/x-evil/timeline": {
    entityId: "x-evil",
    knownAt: "2022-04-03T00:00:00.000Z",
    sanctions: [
      {
        sanctionId: "s1",
        authority: "JP",
        program: HOSTILE,
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
        end: null,
        intervals: [
          {
            from: "2022-04-02",
            until: null,
            measures: ["asset-freeze"],
            scope: { note: HOSTILE },
            legalBasis: HOSTILE,
            basis: [1],
          },
        ],
      },
    ],
  },
  "/sanctions": {
    asOf: "2022-04-03",
    knownAt: "2022-04-03T00:00:00.000Z",
    items: [
      {
        entityId: "x-evil",
        name: HOSTILE,
        kind: "organization",
        sanctions: [STATE.inForce[0]],
      },
    ],
  },
  "/search": { items: [{ entityId: "x-evil", name: HOSTILE, matched: HOSTILE, inForce: [] }] },
  "/changes": {
    from: "2022-04-01",
    to: "2022-04-10",
    knownAt: "2022-04-03T00:00:00.000Z",
    items: [
      {
        entityId: "x-evil",
        sanctionId: HOSTILE,
        authority: "JP",
        change: "entered",
        on: "2022-04-02",
      },
    ],
  },
};

const fakeFetch = (async (input: string | URL | Request) => {
  const { pathname } = new URL(String(input));
  const body = ANSWERS[pathname];
  if (body === undefined) {
    return new Response(
      JSON.stringify({ type: "about:blank", title: "Not found", status: 404, detail: HOSTILE }),
      { status: 404, headers: { "content-type": "application/problem+json" } },
    );
  }
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
}) as typeof fetch;

async function cli(args: string[], columns?: number) {
  const out = { code: -1, stdout: "", stderr: "" };
  out.code = await run(
    args,
    {
      stdout: (text) => {
        out.stdout += text;
      },
      stderr: (text) => {
        out.stderr += text;
      },
      env: { LEDGER_URL: "http://ledger.test" },
      ...(columns !== undefined ? { columns } : {}),
    },
    { fetch: fakeFetch, retry: { attempts: 1 } },
  );
  return out;
}

/** Each command, and whether every line it prints is fitted (headings and fields are not). */
const COMMANDS: [args: string[], everyLine: boolean][] = [
  [["state", "x-evil"], false],
  [["history", "x-evil"], true],
  [["timeline", "x-evil"], false],
  [["sanctions"], true],
  [["search", "evil"], true],
  [["changes", "--from", "2022-04-01", "--to", "2022-04-10"], true],
];

describe("what the commands print", () => {
  it.each(COMMANDS)(
    "%s: nothing a terminal would obey, tables within the width",
    async (args, everyLine) => {
      const whole = await cli(args);
      expect(whole.stderr).toBe("");
      expect(whole.code).toBe(0);
      expect(whole.stdout).not.toMatch(RAW);
      expect(whole.stdout).toContain("Evil\\x1b[2K\\rGood Bank\\u{202E}knab");

      for (const columns of [72, 120]) {
        const res = await cli(args, columns);
        expect(res.code).toBe(0);
        expect(res.stdout).not.toMatch(RAW);
        const lines = res.stdout.split("\n");
        const fitted = everyLine
          ? lines
          : lines.filter((line) => /^[┌│├└]|^[A-Z][a-z ]+: /.test(line)); // tables, or their rows as blocks;
        expect(fitted.length).toBeGreaterThan(0);
        for (const line of fitted) expect(displayWidth(line)).toBeLessThanOrEqual(columns);
      }
    },
  );

  it("cuts nothing when standard output is not a terminal", async () => {
    const res = await cli(["state", "x-evil"]);
    expect(res.stdout).toContain("does not fit a narrow terminal at all");
    expect(res.stdout).not.toMatch(RAW);
    const narrow = await cli(["state", "x-evil"], 120);
    expect(narrow.stdout).not.toContain("does not fit a narrow terminal at all");
    expect(narrow.stdout).toContain("…");
  });

  it("keeps --json JSON: the same values, no raw C1 or BiDi characters", async () => {
    const res = await cli(["state", "x-evil", "--json"], 72);
    expect(res.stdout).not.toMatch(RAW);
    expect(JSON.parse(res.stdout)).toEqual(STATE);
  });

  it("escapes a problem's text on stderr", async () => {
    const res = await cli(["state", "x-nobody"]);
    expect(res.code).toBe(1);
    expect(res.stderr).not.toMatch(RAW);
    expect(res.stderr).toBe(
      "error: 404 Not found: Evil\\x1b[2K\\rGood Bank\\u{202E}knab\\u{2066}x\\u{2069}\\x9b31m\\x7f\\u{200F}\\u{61C}\\n!\n",
    );
  });

  it("escapes what commander echoes of the arguments", async () => {
    const res = await cli(["stat\u001b[2Ke"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("stat\\x1b[2Ke");
    expect(res.stderr).not.toMatch(RAW);
  });
});
