import { describe, expect, it } from "vitest";
import { COUNTRY_OVERRIDES, countryCode } from "../../cli/import/countries.js";

describe("countryCode", () => {
  it.each([
    ["Russia", "RU"],
    ["Russian Federation", "RU"],
    ["Cuba", "CU"],
    ["United Kingdom", "GB"],
    ["United Kingdom of Great Britain and Northern Ireland", "GB"],
    ["Korea, North", "KP"],
    ["North Korea", "KP"],
    ["Democratic People's Republic of Korea", "KP"],
    ["Korea, South", "KR"],
    ["Burma", "MM"],
    ["Congo, Democratic Republic of the", "CD"],
    ["Democratic Republic of the Congo", "CD"],
    ["Congo, Republic of the", "CG"],
    ["Iran (Islamic Republic of)", "IR"],
    ["Iran", "IR"],
    ["Syria", "SY"],
    ["Syrian Arab Republic", "SY"],
    ["Bahamas, The", "BS"],
    ["Man, Isle of", "IM"],
    ["Cote d Ivoire", "CI"],
    ["Côte d'Ivoire", "CI"],
    ["Laos", "LA"],
    ["Viet Nam", "VN"],
    ["China, Hong Kong Special Administrative Region", "HK"],
    ["British Virgin Islands", "VG"],
    ["Palestinian", "PS"],
    ["West Bank", "PS"],
    ["Region: Gaza", "PS"],
    ["Region: Crimea", "UA"],
    ["Region: Northern Mali", "ML"],
    ["Turkey", "TR"],
    ["  russia  ", "RU"],
    ["UNITED ARAB EMIRATES", "AE"],
  ])("maps %j to %s", (name, code) => {
    expect(countryCode(name)).toBe(code);
  });

  it.each([
    undefined,
    "",
    "-0- ",
    "undetermined",
    "Netherlands Antilles",
    "Region: Kafia Kingi",
    "former Soviet Union",
    "na",
    "Atlantis",
  ])("maps %j to no country", (name) => {
    expect(countryCode(name)).toBeUndefined();
  });

  it("answers the same from its cache", () => {
    expect(countryCode("Korea, North")).toBe("KP");
    expect(countryCode("Korea, North")).toBe("KP");
  });

  it("overrides only with ISO 3166-1 alpha-2 codes or null", () => {
    for (const [name, code] of Object.entries(COUNTRY_OVERRIDES)) {
      expect(code === null || /^[A-Z]{2}$/.test(code), name).toBe(true);
      expect(name).toMatch(/^[a-z0-9 ]+$/);
    }
  });
});
