import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOfacCsv } from "../../cli/import/ofac.js";
import { runImport } from "../../cli/import/run.js";
import { parseUnXml } from "../../cli/import/un.js";
import { DATA, importSetup } from "./support.js";

const t = importSetup();

describe("the OFAC consolidated 2025 publication", () => {
  let publication: Awaited<ReturnType<typeof parseOfacCsv>>;

  it("yields VTB BANK PJSC with its programs", async () => {
    publication = await parseOfacCsv(join(DATA, "ofac-consolidated-2025"));
    const { summary } = await runImport(t.client, publication, { published: "2025-12-01" });
    expect(summary.rejected.filter((r) => r.entityId !== "")).toEqual([]);
    const vtb = publication.entries.find((e) => e.ref === "17013");
    // OFAC lists entry 17013 as VTB BANK PUBLIC JOINT STOCK COMPANY, a.k.a. VTB BANK PJSC.
    expect(vtb?.name).toBe("VTB BANK PUBLIC JOINT STOCK COMPANY");
    expect(vtb?.aliases).toContain("VTB BANK PJSC");
    const state = await t.api.get("/entities/ofac-17013?asOf=2025-12-01");
    expect(state.body.name).toBe("VTB BANK PUBLIC JOINT STOCK COMPANY");
    expect(state.body.aliases).toContain("VTB BANK PJSC");
    const found = await t.api.get("/search?q=vtb%20bank%20pjsc");
    expect(found.body.items.map((i: { entityId: string }) => i.entityId)).toContain("ofac-17013");
    const programs = new Set(
      state.body.inForce
        .filter((s: { sanctionId: string }) => s.sanctionId.startsWith("ofac-cons-"))
        .map((s: { program: string }) => s.program),
    );
    expect(programs).toEqual(new Set(vtb?.sanctions.map((s) => s.program)));
    expect(programs).toContain("UKRAINE-EO13662");
  }, 300_000);

  it("holds directive sanctions pending between their listing and effective dates", async () => {
    const dated = publication.entries.flatMap((entry) =>
      entry.sanctions
        .filter((s) => s.announcedOn !== undefined && s.announcedOn < (s.effectiveFrom ?? ""))
        .map((s) => ({ entry, s })),
    );
    expect(dated.length).toBeGreaterThan(0);
    const sberbank = dated.filter(({ entry }) => entry.ref === "17018").map(({ s }) => s);
    expect(sberbank).toContainEqual(
      expect.objectContaining({ announcedOn: "2022-02-24", effectiveFrom: "2022-03-26" }),
    );
    const shift = (day: string, by: number) =>
      new Date(Date.parse(`${day}T00:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);
    for (const { entry, s } of dated.slice(0, 12)) {
      const id = `ofac-cons-${s.key}`;
      const on = async (day: string) => {
        const res = await t.api.get(`/entities/${entry.entityId}?asOf=${day}`);
        const has = (list: { sanctionId: string }[]) => list.some((x) => x.sanctionId === id);
        return has(res.body.inForce) ? "inForce" : has(res.body.pending) ? "pending" : "none";
      };
      const announced = s.announcedOn as string;
      const effective = s.effectiveFrom as string;
      expect(await on(shift(announced, -1)), `${id} before`).toBe("none");
      expect(await on(announced), `${id} listed`).toBe("pending");
      expect(await on(shift(effective, -1)), `${id} eve`).toBe("pending");
      expect(await on(effective), `${id} effective`).toBe("inForce");
    }
  }, 300_000);
});

describe("the UN consolidated list", () => {
  it("imports its individuals and entities", async () => {
    const publication = await parseUnXml(join(DATA, "un-consolidated-2026/UN_consolidated.xml"));
    const people = publication.entries.filter((e) => e.kind === "person").length;
    const orgs = publication.entries.filter((e) => e.kind === "organization").length;
    expect(people + orgs).toBe(publication.entries.length);
    const { summary } = await runImport(t.client, publication, { published: "2026-02-27" });
    expect(summary.rejected.filter((r) => r.entityId !== "")).toEqual([]);
    expect(summary.registered).toBe(publication.entries.length);
    const listed = await t.api.get("/sanctions?authority=UN&asOf=2026-02-27&limit=1000");
    expect(listed.status).toBe(200);
    const kinds = new Set(listed.body.items.map((i: { kind: string }) => i.kind));
    expect(kinds).toEqual(new Set(["person", "organization"]));
  }, 300_000);
});
