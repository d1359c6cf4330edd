import { describe, expect, it } from "vitest";
import {
  clamp,
  cleanName,
  decodeText,
  distinctAliases,
  field,
  parseDate,
  readCsv,
  sanctionKey,
} from "../../cli/import/text.js";

describe("decodeText", () => {
  it("reads UTF-8, drops a byte order mark and the DOS end-of-file marker", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Müller\r\n\u001a")]);
    expect(decodeText(bytes)).toEqual({ text: "Müller\r\n", encoding: "utf-8" });
  });

  it("falls back to Windows-1252 where the bytes are not UTF-8", () => {
    expect(
      decodeText(Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x20, 0x93, 0x41, 0x94])),
    ).toEqual({
      text: "Müller \u201cA\u201d",
      encoding: "windows-1252",
    });
  });
});

describe("readCsv", () => {
  it("reads a clean file a line a record, with line numbers", () => {
    const { rows, problems } = readCsv('1,"A, B",-0- \r\n\r\n2,"C",x\r\n');
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 1, fields: ["1", "A, B", "-0- "] },
      { line: 3, fields: ["2", "C", "x"] },
    ]);
  });

  it("keeps ragged rows and stray quotes", () => {
    const { rows } = readCsv('1,"A"\n2,"B",c,d,e\n3,say "hi",x\n');
    expect(rows.map((r) => r.fields)).toEqual([
      ["1", "A"],
      ["2", "B", "c", "d", "e"],
      ["3", 'say "hi"', "x"],
    ]);
  });

  it("reads the rows an unbalanced quote would swallow line by line", () => {
    const { rows, problems } = readCsv('1,"A\n2,"B",x\n3,"C",y\n4,"D');
    expect(rows).toEqual([
      { line: 2, fields: ["2", "B", "x"] },
      { line: 3, fields: ["3", "C", "y"] },
    ]);
    expect(problems).toEqual([
      { line: 1, text: '1,"A', reason: "a quoted field is not closed" },
      { line: 4, text: '4,"D', reason: "a quoted field is not closed" },
    ]);
  });

  it("keeps a quoted field that spans lines when no record starts inside it", () => {
    const { rows, problems } = readCsv('1,"first\nsecond",x\n2,"B",y\n');
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 1, fields: ["1", "first\nsecond", "x"] },
      { line: 3, fields: ["2", "B", "y"] },
    ]);
  });

  it("skips rows of blank fields", () => {
    expect(readCsv("  \n1,a\n , \n").rows.map((r) => r.line)).toEqual([2]);
  });
});

describe("field, names and aliases", () => {
  it("reads -0- and blanks as null", () => {
    expect(field(["-0- ", "-0-", " ", " x "], 0)).toBeUndefined();
    expect(field(["-0- ", "-0-", " ", " x "], 1)).toBeUndefined();
    expect(field(["-0- ", "-0-", " ", " x "], 2)).toBeUndefined();
    expect(field(["-0- ", "-0-", " ", " x "], 3)).toBe("x");
    expect(field(["a"], 5)).toBeUndefined();
  });

  it("cleans names", () => {
    expect(cleanName("  TING SHING TAI JEWELLERY (HK)  CO. LIMITED ")).toBe(
      "TING SHING TAI JEWELLERY (HK) CO. LIMITED",
    );
    expect(cleanName(" \n ")).toBeUndefined();
    expect(cleanName("x".repeat(600))).toHaveLength(512);
  });

  it("clamps without splitting a surrogate pair", () => {
    expect(clamp(`${"a".repeat(9)}😀`, 10)).toBe("a".repeat(9));
    expect(clamp("abc", 10)).toBe("abc");
  });

  it("makes aliases distinct, without the name and blanks, at most 1,000", () => {
    expect(
      distinctAliases("VTB BANK", [
        "vtb bank",
        "BANK VTB",
        " BANK  VTB ",
        "",
        undefined,
        "Bank Vtb",
      ]),
    ).toEqual(["BANK VTB"]);
    const many = Array.from({ length: 1500 }, (_, i) => `A${i}`);
    expect(distinctAliases("N", many)).toHaveLength(1000);
  });
});

describe("sanctionKey", () => {
  it.each([
    ["SDGT", "sdgt"],
    ["CAATSA - RUSSIA", "caatsa-russia"],
    ["561-Related", "561-related"],
    ["SOUTH SUDAN", "south-sudan"],
    ["Al-Qaida", "al-qaida"],
    ["  [weird]__name!! ", "weird-name"],
    ["EO 14024 Directive 1A", "eo-14024-directive-1a"],
  ])("keys %j as %s", (value, key) => {
    expect(sanctionKey(value)).toBe(key);
  });

  it("stays within 100 characters and never ends with a dash", () => {
    const key = sanctionKey(`${"a".repeat(99)} b`);
    expect(key.length).toBeLessThanOrEqual(100);
    expect(key).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
  });
});

describe("parseDate", () => {
  it.each([
    ["24 Feb 2022", "2022-02-24"],
    ["1 Mar 2022.", "2022-03-01"],
    ["01 March 2022", "2022-03-01"],
    ["2009-07-16", "2009-07-16"],
    ["2015-04-07-04:00", "2015-04-07"],
    ["2012-05-18T00:00:00", "2012-05-18"],
    ["2012-05-18Z", "2012-05-18"],
  ])("reads %j", (text, date) => {
    expect(parseDate(text)).toBe(date);
  });

  it.each([undefined, "", "30 Feb 2022", "24 Foo 2022", "2022-13-01", "Feb 2022", "2022"])(
    "refuses %j",
    (text) => {
      expect(parseDate(text)).toBeUndefined();
    },
  );
});
