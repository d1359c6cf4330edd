import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Publication, PublishedEntry } from "../../cli/import/model.js";
import { parseUnXml } from "../../cli/import/un.js";
import {
  entityIdSchema,
  entityRegisteredSchema,
  sanctionImposedSchema,
} from "../../functions/api/schemas.js";

const XML = path.resolve(process.cwd(), "samples/un-consolidated-2026/UN_consolidated.xml");

function byRef(publication: Publication, ref: string): PublishedEntry {
  const entry = publication.entries.find((e) => e.ref === ref);
  if (!entry) throw new Error(`no entry ${ref}`);
  return entry;
}

describe("UN Security Council Consolidated List, February 2026 (XML)", () => {
  let un: Publication;

  beforeAll(async () => {
    un = await parseUnXml(XML);
  });

  it("reads 730 individuals and 273 entities, none rejected", () => {
    expect(un.list).toBe("un");
    expect(un.title).toBe("UN Security Council Consolidated List");
    expect(un.rejected).toEqual([]);
    expect(un.entries.filter((e) => e.kind === "person")).toHaveLength(730);
    expect(un.entries.filter((e) => e.kind === "organization")).toHaveLength(273);
  });

  it("makes valid, distinct entity ids un-<DATAID>", () => {
    for (const e of un.entries) {
      expect(e.entityId).toBe(`un-${e.ref}`);
      expect(e.entityId).toMatch(/^[a-z0-9][a-z0-9._:-]{0,127}$/);
      expect(v.safeParse(entityIdSchema, e.entityId).success).toBe(true);
    }
    expect(new Set(un.entries.map((e) => e.entityId)).size).toBe(1003);
  });

  it("reads a DPRK individual: name parts, alias, nationality, reference, listing", () => {
    expect(byRef(un, "690734")).toEqual({
      entityId: "un-690734",
      ref: "690734",
      kind: "person",
      name: "YUN HO-JIN",
      aliases: ["Yun Ho-chin"],
      country: "KP",
      identifiers: [{ scheme: "UN-REF", value: "KPi.001" }],
      sanctions: [
        {
          key: "dprk",
          authority: "UN",
          program: "DPRK",
          measures: ["asset-freeze", "travel-ban", "arms-embargo"],
          announcedOn: "2009-07-16",
          effectiveFrom: "2009-07-16",
        },
      ],
    });
    const dprk = un.entries.filter((e) => e.sanctions[0]?.program === "DPRK");
    expect(dprk).toHaveLength(155);
    expect(dprk.filter((e) => e.country === "KP").length).toBeGreaterThan(100);
  });

  it("reads an entity: FIRST_NAME, aliases, address country", () => {
    expect(byRef(un, "6908402")).toMatchObject({
      kind: "organization",
      name: "ADF",
      aliases: [
        "Allied Democratic Forces",
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
        "ADF/NALU",
        "NALU",
      ],
      country: "CD",
      sanctions: [
        {
          key: "drc",
          program: "DRC",
          measures: ["asset-freeze", "arms-embargo"],
          announcedOn: "2014-06-30",
        },
      ],
    });
  });

  it("skips empty ALIAS_NAME elements and keeps the name in original script", () => {
    // ERIC BADEGE holds one <INDIVIDUAL_ALIAS> with an empty <ALIAS_NAME/>.
    expect(byRef(un, "6907993").aliases).toEqual([]);
    for (const e of un.entries) {
      for (const alias of e.aliases) expect(alias.trim()).not.toBe("");
      expect(e.aliases).not.toContain(e.name);
    }
    expect(un.entries.filter((e) => e.aliases.length > 0).length).toBeGreaterThan(700);
    const saddam = un.entries.find((e) => e.identifiers[0]?.value === "IQi.001");
    expect(saddam?.aliases).toContain("صدام حسين التكريتي");
    // The 1518 (Iraq) list is an asset freeze only.
    expect(saddam?.sanctions[0]?.measures).toEqual(["asset-freeze"]);
  });

  it("takes the date of a LISTED_ON that carries a time zone", () => {
    // <LISTED_ON>2015-04-07-04:00</LISTED_ON>
    const fazlullah = byRef(un, "6908452");
    expect(fazlullah.name).toBe("MAULANA FAZLULLAH");
    expect(fazlullah.sanctions[0]).toMatchObject({
      key: "al-qaida",
      program: "Al-Qaida",
      announcedOn: "2015-04-07",
      effectiveFrom: "2015-04-07",
    });
    for (const e of un.entries) expect(e.sanctions[0]?.announcedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("keys every regime of the list", () => {
    const keys = new Map<string, string>();
    for (const e of un.entries) {
      const s = e.sanctions[0];
      if (s) keys.set(s.program, s.key);
    }
    expect(Object.fromEntries(keys)).toEqual({
      DRC: "drc",
      CAR: "car",
      GB: "gb",
      Haiti: "haiti",
      Iraq: "iraq",
      Iran: "iran",
      DPRK: "dprk",
      Libya: "libya",
      "Al-Qaida": "al-qaida",
      Sudan: "sudan",
      Somalia: "somalia",
      SouthSudan: "southsudan",
      Taliban: "taliban",
      Yemen: "yemen",
    });
  });

  it("maps the UN's country names", () => {
    const countries = new Set(un.entries.map((e) => e.country));
    for (const code of ["KP", "IR", "RU", "GB", "CD", "IQ", "AF", "SY", "LY", "SO"]) {
      expect(countries.has(code), code).toBe(true);
    }
    // Nationality first: an individual of the DPRK list living in Russia stays KP.
    for (const e of un.entries) if (e.country) expect(e.country).toMatch(/^[A-Z]{2}$/);
  });

  it("produces only entries the API accepts", () => {
    for (const e of un.entries) {
      const registration = v.safeParse(entityRegisteredSchema, {
        name: e.name,
        kind: e.kind,
        aliases: e.aliases,
        ...(e.country ? { country: e.country } : {}),
        identifiers: e.identifiers,
      });
      expect(registration.issues?.map((i) => i.message) ?? [], e.ref).toEqual([]);
      expect(e.sanctions).toHaveLength(1);
      for (const s of e.sanctions) {
        const imposition = v.safeParse(sanctionImposedSchema, {
          sanctionId: `${un.list}-${s.key}:2026-02-27`,
          authority: s.authority,
          program: s.program,
          measures: s.measures,
          ...(s.scope ? { scope: s.scope } : {}),
          announcedOn: s.announcedOn ?? "2026-02-27",
          effectiveFrom: s.effectiveFrom ?? "2026-02-27",
        });
        expect(imposition.issues?.map((i) => i.message) ?? [], e.ref).toEqual([]);
      }
    }
  });
});

describe("parseUnXml on small documents", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "un-parse-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads single elements as lists, keeps ids as written, rejects what it cannot use", async () => {
    const file = path.join(dir, "single.xml");
    await writeFile(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST>
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>0012</DATAID>
      <FIRST_NAME>ANA</FIRST_NAME>
      <SECOND_NAME> MARIA </SECOND_NAME>
      <THIRD_NAME/>
      <FOURTH_NAME>LOPEZ</FOURTH_NAME>
      <UN_LIST_TYPE>GB</UN_LIST_TYPE>
      <REFERENCE_NUMBER>GBi.001</REFERENCE_NUMBER>
      <LISTED_ON>2012-05-18T00:00:00</LISTED_ON>
      <NATIONALITY><VALUE>na</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>ana maria lopez</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><COUNTRY>Guinea-Bissau</COUNTRY></INDIVIDUAL_ADDRESS>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>77</DATAID>
      <FIRST_NAME>SMITH &amp; CO</FIRST_NAME>
      <UN_LIST_TYPE>Iraq</UN_LIST_TYPE>
      <ENTITY_ALIAS><ALIAS_NAME/></ENTITY_ALIAS>
    </ENTITY>
    <ENTITY>
      <DATAID>78</DATAID>
      <UN_LIST_TYPE>Iraq</UN_LIST_TYPE>
    </ENTITY>
    <ENTITY>
      <DATAID>A B</DATAID>
      <FIRST_NAME>BAD ID</FIRST_NAME>
      <UN_LIST_TYPE>Iraq</UN_LIST_TYPE>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>`,
    );
    const un = await parseUnXml(file);
    expect(un.entries).toEqual([
      {
        entityId: "un-0012",
        ref: "0012",
        kind: "person",
        name: "ANA MARIA LOPEZ",
        aliases: [],
        country: "GW",
        identifiers: [{ scheme: "UN-REF", value: "GBi.001" }],
        sanctions: [
          {
            key: "gb",
            authority: "UN",
            program: "GB",
            measures: ["travel-ban"],
            announcedOn: "2012-05-18",
            effectiveFrom: "2012-05-18",
          },
        ],
      },
      {
        entityId: "un-77",
        ref: "77",
        kind: "organization",
        name: "SMITH & CO",
        aliases: [],
        identifiers: [],
        sanctions: [{ key: "iraq", authority: "UN", program: "Iraq", measures: ["asset-freeze"] }],
      },
    ]);
    expect(un.rejected).toEqual([
      { ref: "78", reason: "ENTITY 78 has no name" },
      { ref: "A B", reason: 'DATAID "A B" makes no valid entity id' },
    ]);
  });

  it("refuses a document that is not the consolidated list", async () => {
    const file = path.join(dir, "other.xml");
    await writeFile(file, "<SOMETHING_ELSE/>");
    await expect(parseUnXml(file)).rejects.toThrow(/no CONSOLIDATED_LIST/);
  });
});
