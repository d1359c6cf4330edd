import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseOfacCsv, programsOf } from "../../cli/import/ofac.js";
import {
  DIRECTIVES,
  directiveOf,
  EO_PROGRAMS,
  measuresOf,
  OFAC_PROGRAMS,
  UN_DEFAULT_MEASURES,
  UN_REGIMES,
  unMeasuresOf,
} from "../../cli/import/programs.js";
import { MEASURES } from "../../functions/domain/events.js";
import { DATA } from "./support.js";

/** The rows of the Markdown tables of docs/program-measures.md: cells without backticks. */
async function docRows(): Promise<string[][]> {
  const doc = await readFile(path.resolve(process.cwd(), "docs/program-measures.md"), "utf8");
  return doc
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    );
}

const measures = (cell: string | undefined) =>
  (cell ?? "")
    .split(",")
    .map((m) => m.trim().replaceAll("`", ""))
    .filter((m) => m !== "");

describe("the program table", () => {
  let rows: string[][];

  beforeAll(async () => {
    rows = await docRows();
  });

  it("documents every OFAC program with the measures of the code", () => {
    for (const [program, entry] of Object.entries(OFAC_PROGRAMS)) {
      const row = rows.find((r) => r[0] === `\`${program}\``);
      expect(row, program).toBeDefined();
      expect(measures(row?.[1]), `${program} SDN`).toEqual(entry.sdn);
      expect(measures(row?.[2]), `${program} consolidated`).toEqual(entry.cons);
    }
  });

  it("documents every directive with its program, key and measures", () => {
    for (const d of Object.values(DIRECTIVES)) {
      const row = rows.find((r) => r[0] === `EO ${d.eo} Directive ${d.directive}`);
      expect(row, `${d.eo}:${d.directive}`).toBeDefined();
      expect(row?.[1]).toBe(`\`${EO_PROGRAMS[d.eo]}\``);
      expect(row?.[2]).toBe(`\`eo${d.eo}-directive-${d.directive.toLowerCase()}\``);
      expect(measures(row?.[3])).toEqual(d.measures);
    }
  });

  it("documents the UN regimes", () => {
    const standard = rows.find((r) => r[0] === "(every other regime)");
    expect(measures(standard?.[1])).toEqual(UN_DEFAULT_MEASURES.individual);
    expect(measures(standard?.[2])).toEqual(UN_DEFAULT_MEASURES.entity);
    for (const [type, regime] of Object.entries(UN_REGIMES)) {
      const row = rows.find((r) => r[0] === `\`${type}\``);
      expect(measures(row?.[1]), type).toEqual(regime.individual);
      expect(measures(row?.[2]), type).toEqual(regime.entity);
    }
  });

  it("uses only measures of the domain, each once", () => {
    const all = [
      ...Object.values(OFAC_PROGRAMS).flatMap((p) => [p.sdn, p.cons]),
      ...Object.values(DIRECTIVES).map((d) => d.measures),
      ...Object.values(UN_REGIMES).flatMap((r) => [r.individual, r.entity]),
      UN_DEFAULT_MEASURES.individual,
      UN_DEFAULT_MEASURES.entity,
    ];
    for (const list of all) {
      expect(list.length).toBeGreaterThan(0);
      expect(new Set(list).size).toBe(list.length);
      for (const m of list) expect(MEASURES).toContain(m);
    }
  });

  it("maps every program that occurs in the four OFAC folders explicitly", async () => {
    const found = new Set<string>();
    for (const folder of ["ofac-sdn-2019", "ofac-sdn-sample-2025", "ofac-consolidated-2025"]) {
      const publication = await parseOfacCsv(path.join(DATA, folder));
      for (const e of publication.entries) {
        for (const s of e.sanctions) if (!s.key.includes("-directive-")) found.add(s.program);
      }
    }
    expect(found.size).toBe(59);
    for (const program of found) expect(Object.keys(OFAC_PROGRAMS), program).toContain(program);
  });
});

describe("measuresOf", () => {
  it("reads the table per list", () => {
    expect(measuresOf("SDGT")).toEqual(["asset-freeze"]);
    expect(measuresOf("SDGT", "ofac-cons")).toEqual(["asset-freeze"]);
    expect(measuresOf("CMIC-EO13959", "ofac-cons")).toEqual(["investment-ban"]);
    expect(measuresOf("UKRAINE-EO13662", "ofac-sdn")).toEqual(["asset-freeze"]);
    expect(measuresOf("UKRAINE-EO13662", "ofac-cons")).toEqual(["investment-ban"]);
    expect(measuresOf("561-Related", "ofac-cons")).toEqual(["transaction-licence-required"]);
    expect(measuresOf("NS-PLC", "ofac-cons")).toEqual(["transaction-licence-required"]);
  });

  it("treats an unknown program as blocking on the SDN list and as other elsewhere", () => {
    expect(measuresOf("NEW-PROGRAM-EO99999", "ofac-sdn")).toEqual(["asset-freeze"]);
    expect(measuresOf("NEW-PROGRAM-EO99999", "ofac-cons")).toEqual(["other"]);
  });

  it("hands out copies", () => {
    const m = measuresOf("SDGT");
    m.push("other");
    expect(measuresOf("SDGT")).toEqual(["asset-freeze"]);
  });

  it("knows directives by executive order, in any case", () => {
    expect(directiveOf("14024", "1a")).toMatchObject({
      directive: "1A",
      program: "RUSSIA-EO14024",
      measures: ["investment-ban"],
    });
    expect(directiveOf("14024", "9")).toMatchObject({
      program: "RUSSIA-EO14024",
      measures: ["other"],
    });
    expect(directiveOf("99999", "1")).toMatchObject({ program: "EO99999", measures: ["other"] });
  });

  it("gives UN regimes their measures", () => {
    expect(unMeasuresOf("DPRK", "individual")).toEqual([
      "asset-freeze",
      "travel-ban",
      "arms-embargo",
    ]);
    expect(unMeasuresOf("DPRK", "entity")).toEqual(["asset-freeze", "arms-embargo"]);
    expect(unMeasuresOf("Iraq", "individual")).toEqual(["asset-freeze"]);
    expect(unMeasuresOf("GB", "individual")).toEqual(["travel-ban"]);
  });
});

describe("programsOf", () => {
  it.each([
    ["SDGT", ["SDGT"]],
    ["SDGT] [IFSR", ["SDGT", "IFSR"]],
    ["[SDGT] [IFSR]", ["SDGT", "IFSR"]],
    ["CAATSA - RUSSIA] [ UKRAINE-EO13662 ", ["CAATSA - RUSSIA", "UKRAINE-EO13662"]],
    ["SDGT]  [SDGT", ["SDGT"]],
    ["-0- ", []],
  ])("splits %j", (value, expected) => {
    expect(programsOf(value)).toEqual(expected);
  });
});
