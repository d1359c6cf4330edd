import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOfacCsv } from "../../cli/import/ofac.js";
import { runImport } from "../../cli/import/run.js";
import { DATA, importSetup } from "./support.js";

const SDN_2019 = join(DATA, "ofac-sdn-2019");

const t = importSetup();

/** A CSV line's first field: the entry number. */
const entNum = (line: string) => line.slice(0, line.indexOf(","));

describe("the 2019 SDN publication", () => {
  let first: Awaited<ReturnType<typeof runImport>>["summary"];

  it("imports completely", async () => {
    const publication = await parseOfacCsv(SDN_2019);
    // 7,379 rows with distinct entry numbers (the data README's 7,378 counts newlines, and
    // the file has no final one).
    expect(publication.entries.length + publication.rejected.length).toBe(7379);
    expect(publication.rejected).toEqual([]);
    ({ summary: first } = await runImport(t.client, publication, {
      published: "2019-01-15",
      concurrency: 4,
    }));
    expect(first.rejected.filter((r) => r.entityId !== "")).toEqual([]);
    expect(first.registered).toBe(publication.entries.length);
    expect(first.imposed).toBe(publication.entries.reduce((n, e) => n + e.sanctions.length, 0));
    const cubana = await t.api.get("/entities/ofac-36?asOf=2019-01-15");
    expect(cubana.body).toMatchObject({
      name: "AEROCARIBBEAN AIRLINES",
      kind: "organization",
      country: "CU",
      aliases: ["AERO-CARIBBEAN"],
    });
    expect(cubana.body.inForce.map((s: { sanctionId: string }) => s.sanctionId)).toEqual([
      "ofac-sdn-cuba",
    ]);
    const before = await t.api.get("/entities/ofac-36?asOf=2019-01-14");
    expect(before.body.inForce).toEqual([]);
  }, 900_000);

  it("imported again, finds every entity with its aliases and writes nothing", async () => {
    const publication = await parseOfacCsv(SDN_2019);
    const { summary } = await runImport(t.client, publication, { published: "2019-01-15" });
    expect(summary).toMatchObject({
      registered: 0,
      imposed: 0,
      amended: 0,
      lifted: 0,
      written: 0,
      unchanged: publication.entries.length,
    });
    const verify = await t.api.get("/entities/ofac-306/verify");
    expect(verify.body).toMatchObject({ valid: true, version: 2 });
  }, 600_000);

  it("diffs a later, modified publication: lifts, amendments and impositions exactly", async () => {
    const dir = join(t.work, "sdn-2019-02");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dir);
    const sdn = (await readFile(join(SDN_2019, "sdn.csv"), "latin1")).split(/\r?\n/);
    const dropped = new Set(["173", "306"]);
    const out = sdn
      .filter((line) => line.trim() !== "" && !dropped.has(entNum(line)))
      .map((line) => {
        if (entNum(line) === "36")
          return line.replace("AEROCARIBBEAN AIRLINES", "AEROCARIBBEAN AIRLINES S.A.");
        if (entNum(line) === "424") return line.replace(/"CUBA"/, '"CUBA] [SDGT"');
        return line;
      });
    out.push(
      '99999001,"NEW EXAMPLE TRADING LLC",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    );
    await writeFile(join(dir, "sdn.csv"), `${out.join("\r\n")}\r\n`, "latin1");
    const alt = await readFile(join(SDN_2019, "alt.csv"), "latin1");
    await writeFile(
      join(dir, "alt.csv"),
      `${alt.trimEnd()}\r\n36,99999,"aka","AEROCARIBBEAN S.A.",-0- \r\n`,
      "latin1",
    );
    await writeFile(join(dir, "add.csv"), await readFile(join(SDN_2019, "add.csv")));

    const publication = await parseOfacCsv(dir);
    const { plan, summary } = await runImport(t.client, publication, { published: "2019-02-01" });
    const changes = plan.entries
      .flatMap((e) =>
        e.events.map((ev) => `${e.entityId} ${ev.type} ${String(ev.data.sanctionId ?? "")}`.trim()),
      )
      .sort();
    const line424 = sdn.find((l) => entNum(l) === "424") ?? "";
    expect(changes).toEqual(
      [
        "ofac-36 EntityAmended",
        "ofac-173 SanctionLifted ofac-sdn-cuba",
        "ofac-306 SanctionLifted ofac-sdn-cuba",
        "ofac-99999001 EntityRegistered",
        "ofac-99999001 SanctionImposed ofac-sdn-iran",
        ...(line424.includes("SDGT") ? [] : ["ofac-424 SanctionImposed ofac-sdn-sdgt"]),
      ].sort(),
    );
    expect(summary).toMatchObject({ lifted: 2, registered: 1, amended: 1, rejected: [] });
    const renamed = await t.api.get("/entities/ofac-36");
    expect(renamed.body.name).toBe("AEROCARIBBEAN AIRLINES S.A.");
    expect(renamed.body.aliases).toContain("AEROCARIBBEAN S.A.");
    const lifted = await t.api.get("/entities/ofac-306?asOf=2019-02-01");
    expect(lifted.body.inForce).toEqual([]);
    const eve = await t.api.get("/entities/ofac-306?asOf=2019-01-31");
    expect(eve.body.inForce[0]).toMatchObject({ sanctionId: "ofac-sdn-cuba", end: "2019-02-01" });
    const search = await t.api.get("/search?q=aerocaribbean%20s.a");
    expect(search.body.items.map((i: { entityId: string }) => i.entityId)).toContain("ofac-36");
  }, 600_000);
});
