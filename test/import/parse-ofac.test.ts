import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Publication, PublishedEntry } from "../../cli/import/model.js";
import { parseOfacCsv } from "../../cli/import/ofac.js";
import {
  entityIdSchema,
  entityRegisteredSchema,
  sanctionImposedSchema,
} from "../../functions/api/schemas.js";
import { DATA } from "./support.js";

const DUMMY_DATE = "2026-01-15";

/** Every entry as the API would take it: the registration and each imposition. */
function expectAcceptable(publication: Publication): void {
  const keys = new Set<string>();
  for (const entry of publication.entries) {
    expect(v.safeParse(entityIdSchema, entry.entityId).success, entry.entityId).toBe(true);
    const registration = v.safeParse(entityRegisteredSchema, {
      name: entry.name,
      kind: entry.kind,
      aliases: entry.aliases,
      ...(entry.country ? { country: entry.country } : {}),
      identifiers: entry.identifiers,
    });
    expect(registration.issues?.map((i) => i.message) ?? [], entry.ref).toEqual([]);
    expect(entry.aliases).not.toContain(entry.name);
    expect(new Set(entry.aliases).size).toBe(entry.aliases.length);
    keys.clear();
    for (const s of entry.sanctions) {
      expect(s.key, entry.ref).toMatch(/^[a-z0-9.-]+$/);
      expect(keys.has(s.key), `${entry.ref} ${s.key} twice`).toBe(false);
      keys.add(s.key);
      const effectiveFrom = s.effectiveFrom ?? DUMMY_DATE;
      const announcedOn = s.announcedOn ?? effectiveFrom;
      expect(announcedOn <= effectiveFrom, `${entry.ref} ${s.key}`).toBe(true);
      const imposition = v.safeParse(sanctionImposedSchema, {
        // With the importer's re-listing suffix, the longest form the id takes.
        sanctionId: `${publication.list}-${s.key}:${DUMMY_DATE}`,
        authority: s.authority,
        program: s.program,
        measures: s.measures,
        ...(s.scope ? { scope: s.scope } : {}),
        announcedOn,
        effectiveFrom,
        ...(s.legalBasis ? { legalBasis: s.legalBasis } : {}),
      });
      expect(imposition.issues?.map((i) => i.message) ?? [], `${entry.ref} ${s.key}`).toEqual([]);
    }
  }
}

function byRef(publication: Publication, ref: string): PublishedEntry {
  const entry = publication.entries.find((e) => e.ref === ref);
  if (!entry) throw new Error(`no entry ${ref}`);
  return entry;
}

function sanction(entry: PublishedEntry, key: string) {
  const found = entry.sanctions.find((s) => s.key === key);
  if (!found) throw new Error(`${entry.ref} has no sanction ${key}`);
  return found;
}

describe("OFAC SDN list, January 2019 (legacy CSV)", () => {
  let sdn: Publication;

  beforeAll(async () => {
    sdn = await parseOfacCsv(path.join(DATA, "ofac-sdn-2019"));
  });

  it("reads every row of sdn.csv: 7,379 entries, none rejected", () => {
    // The README says 7,378: that is `wc -l`, which misses the last row because the
    // file does not end with a line break. sdn.csv holds 7,379 rows with 7,379 distinct
    // ent_nums, and every one of them is a well-formed entry.
    expect(sdn.list).toBe("ofac-sdn");
    expect(sdn.title).toBe("OFAC Specially Designated Nationals (SDN) list");
    expect(sdn.rejected).toEqual([]);
    expect(sdn.entries.length + sdn.rejected.length).toBe(7379);
    expect(new Set(sdn.entries.map((e) => e.entityId)).size).toBe(7379);
  });

  it("reads AEROCARIBBEAN AIRLINES (36): alias, country, program", () => {
    expect(byRef(sdn, "36")).toEqual({
      entityId: "ofac-36",
      ref: "36",
      kind: "organization",
      name: "AEROCARIBBEAN AIRLINES",
      aliases: ["AERO-CARIBBEAN"],
      country: "CU",
      identifiers: [{ scheme: "OFAC-ENT", value: "36" }],
      sanctions: [
        { key: "cuba", authority: "US-OFAC", program: "CUBA", measures: ["asset-freeze"] },
      ],
    });
  });

  it("takes the country of the first address (BANCO NACIONAL DE CUBA, 306: Zurich)", () => {
    const bank = byRef(sdn, "306");
    expect(bank.name).toBe("BANCO NACIONAL DE CUBA");
    expect(bank.aliases).toEqual(["NATIONAL BANK OF CUBA"]);
    // add.csv lists Zurich, Madrid, Tokyo and Panama City, in this order.
    expect(bank.country).toBe("CH");
    expect(bank.sanctions.map((s) => s.program)).toEqual(["CUBA"]);
  });

  it("makes one sanction per program of a multi-program entry", () => {
    // TIDEWATER MIDDLE EAST CO.: "SDGT] [NPWMD] [IRGC] [IFSR] [IFCA"
    const tidewater = byRef(sdn, "12803");
    expect(tidewater.sanctions.map((s) => [s.key, s.program])).toEqual([
      ["sdgt", "SDGT"],
      ["npwmd", "NPWMD"],
      ["irgc", "IRGC"],
      ["ifsr", "IFSR"],
      ["ifca", "IFCA"],
    ]);
    for (const s of tidewater.sanctions) {
      expect(s.measures).toEqual(["asset-freeze"]);
      expect(s.announcedOn).toBeUndefined();
      expect(s.effectiveFrom).toBeUndefined();
    }
    const multi = sdn.entries.filter((e) => e.sanctions.length > 1);
    expect(multi.length).toBeGreaterThan(500);
  });

  it("keys programs with spaces and reads kinds", () => {
    const caatsa = sdn.entries.find((e) =>
      e.sanctions.some((s) => s.program === "CAATSA - RUSSIA"),
    );
    expect(caatsa && sanction(caatsa, "caatsa-russia").measures).toEqual(["asset-freeze"]);
    const kinds = new Map<string, number>();
    for (const e of sdn.entries) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({
      organization: 2994,
      person: 3845,
      vessel: 323,
      aircraft: 217,
    });
  });

  it("reads an EO 13662 directive determination as a sanction of its own", () => {
    // ROSOBORONEKSPORT OAO: "SYRIA] [UKRAINE-EO13662", "Subject to Directive 3".
    const roe = byRef(sdn, "18782");
    expect(sanction(roe, "syria").measures).toEqual(["asset-freeze"]);
    expect(sanction(roe, "ukraine-eo13662").measures).toEqual(["investment-ban"]);
    expect(sanction(roe, "eo13662-directive-3")).toMatchObject({
      program: "UKRAINE-EO13662",
      measures: ["investment-ban"],
      scope: { note: expect.stringMatching(/^EO 13662 Directive 3: /) },
    });
  });

  it("reads checkable identifiers from the remarks", () => {
    const withImo = sdn.entries.filter((e) => e.identifiers.some((i) => i.scheme === "IMO"));
    expect(withImo.length).toBeGreaterThan(300);
    for (const e of sdn.entries) {
      expect(e.identifiers[0]).toEqual({ scheme: "OFAC-ENT", value: e.ref });
      for (const i of e.identifiers) {
        if (i.scheme === "IMO") expect(i.value).toMatch(/^\d{7}$/);
        if (i.scheme === "SWIFT-BIC") expect(i.value).toMatch(/^[A-Z0-9]{8}([A-Z0-9]{3})?$/);
      }
    }
  });

  it("produces only entries the API accepts", () => {
    expectAcceptable(sdn);
  });
});

describe("OFAC SDN list, 2025 sample with sdn_comments.csv", () => {
  let sample: Publication;

  beforeAll(async () => {
    sample = await parseOfacCsv(path.join(DATA, "ofac-sdn-sample-2025"));
  });

  it("reads its 17 entries", () => {
    expect(sample.list).toBe("ofac-sdn");
    expect(sample.rejected).toEqual([]);
    expect(sample.entries).toHaveLength(17);
  });

  it("continues remarks with the comments file (SUEX OTC, 33151)", () => {
    // sdn.csv cuts the remarks at 1,000 characters in the middle of a digital currency
    // address; the LEI is stated in the continuation only.
    const suex = byRef(sample, "33151");
    expect(suex.identifiers).toEqual([
      { scheme: "OFAC-ENT", value: "33151" },
      { scheme: "LEI", value: "5299007NTWCC3U23WM81" },
    ]);
  });

  it("ignores alias and address rows of entries the excerpt does not hold", () => {
    // alt.csv holds "10416,10278,aka,KARADH AL-HASSAN": alt_num 10278 is the ent_num of
    // LOGAN MOREY, but the row belongs to entry 10416.
    expect(byRef(sample, "10278").aliases).toEqual([]);
    expect(byRef(sample, "50972").country).toBeUndefined();
  });

  it("reads vessels, aircraft and the newer programs", () => {
    const nsLeader = byRef(sample, "47371");
    expect(nsLeader.kind).toBe("vessel");
    expect(nsLeader.identifiers).toContainEqual({ scheme: "IMO", value: "9339301" });
    expect(nsLeader.identifiers).toContainEqual({ scheme: "MMSI", value: "636013272" });
    expect(sanction(nsLeader, "russia-eo14024").measures).toEqual(["asset-freeze"]);
    expect(byRef(sample, "48727").kind).toBe("aircraft");
    expect(byRef(sample, "48727").sanctions.map((s) => s.key)).toEqual([
      "sdgt",
      "npwmd",
      "irgc",
      "ifsr",
    ]);
    expect(byRef(sample, "44525").sanctions.map((s) => s.key)).toEqual(["belarus-eo14038"]);
  });

  it("gives a sectoral program the measures of the entry's directives", () => {
    // TNK TRADING INTERNATIONAL: UKRAINE-EO13662 with Directives 2 and 4, and blocked
    // under VENEZUELA-EO13850.
    const tnk = byRef(sample, "28603");
    expect(sanction(tnk, "ukraine-eo13662").measures).toEqual(["export-ban", "investment-ban"]);
    expect(sanction(tnk, "venezuela-eo13850").measures).toEqual(["asset-freeze"]);
    expect(sanction(tnk, "eo13662-directive-2").measures).toEqual(["investment-ban"]);
    expect(sanction(tnk, "eo13662-directive-4").measures).toEqual(["export-ban"]);
  });

  it("produces only entries the API accepts", () => {
    expectAcceptable(sample);
  });
});

describe("OFAC consolidated (non-SDN) list, December 2025", () => {
  let cons: Publication;

  beforeAll(async () => {
    cons = await parseOfacCsv(path.join(DATA, "ofac-consolidated-2025"));
  });

  it("reads its 442 entries despite the DOS end-of-file marker", () => {
    expect(cons.list).toBe("ofac-cons");
    expect(cons.title).toBe("OFAC Consolidated (non-SDN) list");
    expect(cons.rejected).toEqual([]);
    expect(cons.entries).toHaveLength(442);
  });

  it("reads VTB BANK (17013): its programs and its EO 13662 directive", () => {
    const vtb = byRef(cons, "17013");
    expect(vtb.name).toBe("VTB BANK PUBLIC JOINT STOCK COMPANY");
    expect(vtb.aliases).toContain("VTB BANK PJSC");
    expect(vtb.aliases).toHaveLength(27);
    expect(vtb.country).toBe("RU");
    expect(vtb.identifiers).toEqual([
      { scheme: "OFAC-ENT", value: "17013" },
      { scheme: "SWIFT-BIC", value: "VTBRRUMM" },
      { scheme: "LEI", value: "253400V1H6ART1UQ0N98" },
    ]);
    // Its remarks state "Subject to Directive 1" of EO 13662 and no EO 14024 directive
    // (VTB is an SDN under EO 14024 since 24 Feb 2022, so the tag means blocking); they
    // state no Listing or Effective Date.
    expect(vtb.sanctions).toEqual([
      {
        key: "ukraine-eo13662",
        authority: "US-OFAC",
        program: "UKRAINE-EO13662",
        measures: ["investment-ban"],
      },
      {
        key: "russia-eo14024",
        authority: "US-OFAC",
        program: "RUSSIA-EO14024",
        measures: ["asset-freeze"],
      },
      {
        key: "eo13662-directive-1",
        authority: "US-OFAC",
        program: "UKRAINE-EO13662",
        measures: ["investment-ban"],
        scope: { note: expect.stringMatching(/^EO 13662 Directive 1: financial services/) },
      },
    ]);
  });

  it("reads JSCB NOVIKOMBANK (18784)", () => {
    const novikom = byRef(cons, "18784");
    expect(novikom.name).toBe("JOINT STOCK COMMERCIAL BANK NOVIKOMBANK");
    expect(novikom.aliases).toContain("AO AKB NOVIKOMBANK");
    expect(novikom.country).toBe("RU");
    expect(novikom.sanctions.map((s) => [s.key, s.program, s.measures])).toEqual([
      ["ukraine-eo13662", "UKRAINE-EO13662", ["investment-ban"]],
      ["russia-eo14024", "RUSSIA-EO14024", ["asset-freeze"]],
      ["eo13662-directive-3", "UKRAINE-EO13662", ["investment-ban"]],
    ]);
  });

  it("dates EO 14024 Directives 2 and 3 from remarks continued mid-word (SBERBANK, 17018)", () => {
    // cons_prim.csv ends "…Listing Date (EO 14024 Direct", cons_comments.csv goes on with
    // "ive 2): 24 Feb 2022; Effective Date (EO 14024 Directive 2): 26 Mar 2022; …".
    const sber = byRef(cons, "17018");
    expect(sanction(sber, "eo14024-directive-2")).toEqual({
      key: "eo14024-directive-2",
      authority: "US-OFAC",
      program: "RUSSIA-EO14024",
      measures: ["transaction-licence-required"],
      scope: { note: expect.stringMatching(/^EO 14024 Directive 2: .*correspondent/) },
      announcedOn: "2022-02-24",
      effectiveFrom: "2022-03-26",
    });
    expect(sanction(sber, "eo14024-directive-3")).toMatchObject({
      measures: ["investment-ban"],
      announcedOn: "2022-02-24",
      effectiveFrom: "2022-03-26",
    });
    expect(sanction(sber, "russia-eo14024").measures).toEqual([
      "investment-ban",
      "transaction-licence-required",
    ]);
    expect(sber.sanctions.map((s) => s.key)).toEqual([
      "ukraine-eo13662",
      "russia-eo14024",
      "eo13662-directive-1",
      "eo14024-directive-2",
      "eo14024-directive-3",
    ]);
  });

  it("dates every EO 14024 Directive 2 and 3 the list states", () => {
    const dated = (key: string) =>
      cons.entries.filter((e) => e.sanctions.some((s) => s.key === key && s.announcedOn));
    expect(dated("eo14024-directive-2")).toHaveLength(14);
    expect(dated("eo14024-directive-3")).toHaveLength(9);
    for (const e of [...dated("eo14024-directive-2"), ...dated("eo14024-directive-3")]) {
      for (const s of e.sanctions.filter((x) => x.key.startsWith("eo14024-directive-"))) {
        expect([s.announcedOn, s.effectiveFrom]).toEqual(["2022-02-24", "2022-03-26"]);
      }
    }
  });

  it("reads Directives 1A (dated) and 4 (undated) on the CENTRAL BANK (31695)", () => {
    const cbr = byRef(cons, "31695");
    expect(sanction(cbr, "eo14024-directive-1a")).toMatchObject({
      program: "RUSSIA-EO14024",
      measures: ["investment-ban"],
      announcedOn: "2022-02-22",
      effectiveFrom: "2022-03-01",
    });
    const d4 = sanction(cbr, "eo14024-directive-4");
    expect(d4.measures).toEqual(["transaction-licence-required"]);
    expect(d4.announcedOn).toBeUndefined();
    expect(d4.effectiveFrom).toBeUndefined();
  });

  it("reads EO 14014 Directive 1 on MOGE (46072) and CMIC dates (30882)", () => {
    expect(sanction(byRef(cons, "46072"), "eo14014-directive-1")).toMatchObject({
      program: "BURMA-EO14014",
      measures: ["transaction-licence-required"],
      announcedOn: "2023-10-31",
      effectiveFrom: "2023-12-15",
    });
    expect(sanction(byRef(cons, "30882"), "cmic-eo13959")).toEqual({
      key: "cmic-eo13959",
      authority: "US-OFAC",
      program: "CMIC-EO13959",
      measures: ["investment-ban"],
      announcedOn: "2021-06-03",
      effectiveFrom: "2021-08-02",
    });
  });

  it("maps the non-SDN programs to their own measures", () => {
    expect(sanction(byRef(cons, "15268"), "561-related").measures).toEqual([
      "transaction-licence-required",
    ]);
    expect(sanction(byRef(cons, "9639"), "ns-plc").measures).toEqual([
      "transaction-licence-required",
    ]);
    expect(sanction(byRef(cons, "27016"), "caatsa-russia").measures).toEqual([
      "export-ban",
      "other",
    ]);
    expect(sanction(byRef(cons, "50476"), "illicit-drugs-eo14059").measures).toEqual([
      "investment-ban",
      "transaction-licence-required",
    ]);
    // The "Palestinian" address country of the NS-PLC entries.
    expect(byRef(cons, "9641").country).toBe("PS");
  });

  it("produces only entries the API accepts", () => {
    expectAcceptable(cons);
  });
});

describe("parseOfacCsv on damaged files", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ofac-parse-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function folder(name: string, files: Record<string, string | Buffer>): Promise<string> {
    const target = path.join(dir, name);
    await import("node:fs/promises").then((fs) => fs.mkdir(target));
    for (const [file, content] of Object.entries(files)) {
      await writeFile(path.join(target, file), content);
    }
    return target;
  }

  it("rejects malformed rows with a reason and keeps the rest", async () => {
    const sdn = [
      '1,"GOOD ONE",-0- ,"[SDGT] [IRAN]",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      "",
      '2,"SHORT"',
      'x3,"NOT A NUMBER",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      '4,-0- ,-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      '5,"NO PROGRAM",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      '1,"GOOD ONE AGAIN",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      '6,"RAGGED, LTD.","vessel","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"IMO 9486910; extra",unquoted, tail',
      '7,"UNBALANCED QUOTE,-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      '8,"AFTER THE BAD ONE",individual,"SDNT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      '9,"LAST, UNTERMINATED",individual,"SDNT',
    ].join("\r\n");
    const add = [
      "1,10,-0- ,-0- ,-0- ,-0- ",
      '1,11,-0- ,"Pyongyang","Korea, North",-0- ',
      '6,12,-0- ,-0- ,"Atlantis",-0- ',
    ].join("\n");
    const alt = [
      '1,20,"aka","GOOD ONE",-0- ',
      '1,21,"aka","  GOOD   TWO ",-0- ',
      '1,22,"fka","good two",-0- ',
      '1,23,"aka",-0- ,-0- ',
      '99,24,"aka","ORPHAN",-0- ',
    ].join("\n");
    const target = await folder("damaged", {
      "sdn.csv": `${sdn}\r\n\u001a`,
      "add.csv": add,
      "alt.csv": alt,
    });
    const publication = await parseOfacCsv(target);
    expect(publication.entries.map((e) => e.ref)).toEqual(["1", "6", "8"]);
    const good = byRef(publication, "1");
    expect(good.aliases).toEqual(["GOOD TWO"]);
    expect(good.country).toBe("KP");
    expect(good.sanctions.map((s) => s.key)).toEqual(["sdgt", "iran"]);
    const ragged = byRef(publication, "6");
    expect(ragged.kind).toBe("vessel");
    expect(ragged.country).toBeUndefined();
    expect(ragged.identifiers).toContainEqual({ scheme: "IMO", value: "9486910" });
    const reasons = new Map(publication.rejected.map((r) => [r.ref, r.reason]));
    expect([...reasons.keys()].sort()).toEqual(["1", "2", "4", "5", "7", "9", "x3"]);
    expect(reasons.get("2")).toMatch(/line 3: 2 fields/);
    expect(reasons.get("x3")).toMatch(/not a number/);
    expect(reasons.get("4")).toMatch(/no name/);
    expect(reasons.get("5")).toMatch(/no program/);
    expect(reasons.get("1")).toMatch(/line 7: ent_num 1 repeats/);
    expect(reasons.get("7")).toMatch(/line 9/);
    expect(reasons.get("9")).toMatch(/line 11: a quoted field is not closed/);
    expectAcceptable(publication);
  });

  it("decodes a Windows-1252 file and reads its comments", async () => {
    const sdn = Buffer.concat([
      Buffer.from('10,"CAF'),
      Buffer.from([0xc9]),
      Buffer.from(
        '", individual,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Listing Date (EO 14024 Directive 2): 26 Mar 2022; Effective Date (EO 14024 Directive 2): 24 Feb 2022; Legal Entity Number 2534"\n',
      ),
      Buffer.from(
        '11,"ONE DATE",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Effective Date (EO 14024 Directive 3): 26 Mar 2022; Subject to Directive 9"\n',
      ),
    ]);
    const target = await folder("latin", {
      "sdn.csv": sdn,
      "add.csv": "",
      "alt.csv": Buffer.from([
        0x31, 0x30, 0x2c, 0x31, 0x2c, 0x22, 0x61, 0x6b, 0x61, 0x22, 0x2c, 0x22, 0x4d, 0xdc, 0x4c,
        0x4c, 0x45, 0x52, 0x22,
      ]),
      "sdn_comments.csv": '10,"00V1H6ART1UQ0N98 (Russia)."\n',
    });
    const publication = await parseOfacCsv(target);
    expect(publication.rejected).toEqual([]);
    const cafe = byRef(publication, "10");
    expect(cafe.name).toBe("CAFÉ");
    expect(cafe.kind).toBe("person");
    expect(cafe.aliases).toEqual(["MÜLLER"]);
    expect(cafe.identifiers).toContainEqual({ scheme: "LEI", value: "253400V1H6ART1UQ0N98" });
    // Listing after Effective: announced on the effective date.
    expect(sanction(cafe, "eo14024-directive-2")).toMatchObject({
      announcedOn: "2022-02-24",
      effectiveFrom: "2022-02-24",
    });
    // One date stated: both.
    expect(sanction(byRef(publication, "11"), "eo14024-directive-3")).toMatchObject({
      announcedOn: "2022-03-26",
      effectiveFrom: "2022-03-26",
    });
    expectAcceptable(publication);
  });

  it("clamps what the API would refuse", async () => {
    const long = "N".repeat(700);
    const alts = Array.from({ length: 1200 }, (_, i) => `12,${i},"aka","ALIAS ${i} ${long}",-0- `);
    const target = await folder("long", {
      "sdn.csv": `12,"${long}",-0- ,"${"P".repeat(80)}] [SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n`,
      "add.csv": "",
      "alt.csv": alts.join("\n"),
    });
    const publication = await parseOfacCsv(target);
    const entry = byRef(publication, "12");
    expect(entry.name).toHaveLength(512);
    expect(entry.aliases).toHaveLength(1000);
    expect(entry.sanctions[0]?.program).toHaveLength(64);
    expectAcceptable(publication);
  });

  it("refuses a folder that holds no OFAC list", async () => {
    const target = await folder("empty", { "readme.txt": "nothing" });
    await expect(parseOfacCsv(target)).rejects.toThrow(/neither sdn.csv nor cons_prim.csv/);
    const missing = await folder("no-alt", { "sdn.csv": "", "add.csv": "" });
    await expect(parseOfacCsv(missing)).rejects.toThrow(/alt.csv is missing/);
  });
});
