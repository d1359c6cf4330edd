import { describe, expect, it } from "vitest";
import { type HeldEntity, importEventId, keyOf, planImport } from "../../cli/import/diff.js";
import type { Publication, PublishedEntry } from "../../cli/import/model.js";
import { batchesOf } from "../../cli/import/run.js";

const entry = (ref: string, extra: Partial<PublishedEntry> = {}): PublishedEntry => ({
  entityId: `ofac-${ref}`,
  ref,
  kind: "organization",
  name: `ENTRY ${ref}`,
  aliases: [`ALIAS ${ref}`],
  country: "RU",
  identifiers: [{ scheme: "OFAC-ENT", value: ref }],
  sanctions: [{ key: "sdgt", authority: "US-OFAC", program: "SDGT", measures: ["asset-freeze"] }],
  ...extra,
});

const publication = (entries: PublishedEntry[]): Publication => ({
  list: "ofac-sdn",
  title: "OFAC SDN list",
  entries,
  rejected: [],
});

const held = (
  e: PublishedEntry,
  open = e.sanctions.map((s) => `ofac-sdn-${s.key}`),
): HeldEntity => ({
  name: e.name,
  kind: e.kind,
  aliases: e.aliases,
  country: e.country ?? null,
  open: open.map((sanctionId) => ({ sanctionId, program: null })),
  all: open,
});

describe("planImport", () => {
  it("registers a new entry and imposes its programs from the publication's date", () => {
    const plan = planImport(
      publication([entry("1")]),
      "2019-01-15",
      new Map([["ofac-1", undefined]]),
    );
    expect(plan.unchanged).toBe(0);
    expect(plan.entries).toEqual([
      {
        entityId: "ofac-1",
        ref: "1",
        events: [
          {
            entityId: "ofac-1",
            type: "EntityRegistered",
            eventId: "imp.ofac-sdn.2019-01-15.1.register",
            data: {
              name: "ENTRY 1",
              kind: "organization",
              aliases: ["ALIAS 1"],
              country: "RU",
              identifiers: [{ scheme: "OFAC-ENT", value: "1" }],
            },
            source: { title: "OFAC SDN list", publishedOn: "2019-01-15" },
          },
          {
            entityId: "ofac-1",
            type: "SanctionImposed",
            eventId: "imp.ofac-sdn.2019-01-15.1.impose.sdgt",
            data: {
              sanctionId: "ofac-sdn-sdgt",
              authority: "US-OFAC",
              program: "SDGT",
              measures: ["asset-freeze"],
              announcedOn: "2019-01-15",
              effectiveFrom: "2019-01-15",
              undetermined: {
                reason:
                  "Listed on or before 2019-01-15: the OFAC SDN list published that day states no listing date",
              },
            },
            source: { title: "OFAC SDN list", publishedOn: "2019-01-15" },
          },
        ],
      },
    ]);
  });

  it("uses the dates a publication states", () => {
    const e = entry("2", {
      sanctions: [
        {
          key: "eo14024-directive-2",
          authority: "US-OFAC",
          program: "RUSSIA-EO14024",
          measures: ["transaction-licence-required"],
          announcedOn: "2022-02-24",
          effectiveFrom: "2022-03-26",
        },
      ],
    });
    const plan = planImport(publication([e]), "2025-12-01", new Map([[e.entityId, undefined]]));
    expect(plan.entries[0]?.events[1]?.data).toMatchObject({
      announcedOn: "2022-02-24",
      effectiveFrom: "2022-03-26",
    });
  });

  it("changes nothing for an entry the ledger already holds as published", () => {
    const e = entry("3");
    const plan = planImport(publication([e]), "2019-02-01", new Map([[e.entityId, held(e)]]));
    expect(plan).toMatchObject({ entries: [], unchanged: 1 });
  });

  it("amends names, kinds, countries and aliases; imposes added programs; lifts dropped ones", () => {
    const before = entry("4", {
      sanctions: [
        { key: "sdgt", authority: "US-OFAC", program: "SDGT", measures: ["asset-freeze"] },
        { key: "ifsr", authority: "US-OFAC", program: "IFSR", measures: ["asset-freeze"] },
      ],
    });
    const after = entry("4", {
      name: "RENAMED 4",
      aliases: ["ALIAS 4", "NEW ALIAS"],
      country: "IR",
      sanctions: [
        { key: "sdgt", authority: "US-OFAC", program: "SDGT", measures: ["asset-freeze"] },
        { key: "cyber2", authority: "US-OFAC", program: "CYBER2", measures: ["asset-freeze"] },
      ],
    });
    const plan = planImport(
      publication([after]),
      "2019-03-01",
      new Map([[after.entityId, { ...held(before), owner: "ofac-sdn" as const }]]),
    );
    const events = plan.entries[0]?.events ?? [];
    expect(events.map((e) => [e.type, e.eventId])).toEqual([
      ["EntityAmended", "imp.ofac-sdn.2019-03-01.4.amend"],
      ["SanctionImposed", "imp.ofac-sdn.2019-03-01.4.impose.cyber2"],
      ["SanctionLifted", "imp.ofac-sdn.2019-03-01.4.lift.ifsr"],
    ]);
    expect(events[0]?.data).toEqual({
      name: "RENAMED 4",
      country: "IR",
      aliases: { add: ["NEW ALIAS"] },
    });
    expect(events[2]?.data).toMatchObject({
      sanctionId: "ofac-sdn-ifsr",
      effectiveFrom: "2019-03-01",
    });
  });

  it("only adds aliases to an entity that another list registered", () => {
    const sdn = entry("7", { name: "BANK SEVEN PUBLIC JOINT STOCK COMPANY", aliases: ["BANK 7"] });
    const cons = entry("7", { name: "BANK SEVEN PJSC", aliases: ["BANK 7", "B7"], country: "CY" });
    const current = { ...held(sdn), owner: "ofac-sdn" as const };
    const plan = planImport(
      { ...publication([cons]), list: "ofac-cons" },
      "2025-12-01",
      new Map([[cons.entityId, { ...current, open: [] }]]),
    );
    const amend = plan.entries[0]?.events.find((e) => e.type === "EntityAmended");
    expect(amend?.data).toEqual({ aliases: { add: ["BANK SEVEN PJSC", "B7"] } });
  });

  it("lifts every sanction of the list on an entity the publication no longer holds, and no other list's", () => {
    const gone = entry("5");
    const plan = planImport(
      publication([]),
      "2019-04-01",
      new Map([
        [gone.entityId, held(gone, ["ofac-sdn-sdgt", "ofac-cons-ns-mbs", "jp-asset-freeze"])],
      ]),
    );
    expect(plan.entries[0]?.events.map((e) => [e.type, e.data.sanctionId])).toEqual([
      ["SanctionLifted", "ofac-sdn-sdgt"],
    ]);
  });

  it("re-lists a lifted program under a new sanction id", () => {
    const e = entry("6");
    const current = { ...held(e, []), all: ["ofac-sdn-sdgt"] };
    const plan = planImport(publication([e]), "2020-01-01", new Map([[e.entityId, current]]));
    expect(plan.entries[0]?.events[0]?.data.sanctionId).toBe("ofac-sdn-sdgt:2020-01-01");
    expect(keyOf("ofac-sdn", "ofac-sdn-sdgt:2020-01-01")).toBe("sdgt");
    expect(keyOf("ofac-sdn", "ofac-cons-sdgt")).toBeUndefined();
  });
});

describe("importEventId", () => {
  it("is deterministic, within the API's eventId pattern and length", () => {
    const id = importEventId("un", "2026-02-27", "6908555", `impose.${"x".repeat(200)}`);
    expect(id).toBe(importEventId("un", "2026-02-27", "6908555", `impose.${"x".repeat(200)}`));
    expect(id.length).toBeLessThanOrEqual(128);
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/);
  });
});

describe("batchesOf", () => {
  it("packs up to 100 items without splitting an entity, and spreads a long entity over rounds", () => {
    const planned = (entityId: string, n: number) => ({
      entityId,
      ref: entityId,
      events: Array.from({ length: n }, (_, i) => ({
        entityId,
        type: "EntityAmended" as const,
        eventId: `${entityId}-${i}`,
        data: {},
        source: { title: "t" },
      })),
    });
    const rounds = batchesOf([planned("a", 60), planned("b", 60), planned("c", 150)]);
    expect(rounds.map((r) => r.map((b) => b.length))).toEqual([[60, 60, 100], [50]]);
    for (const round of rounds) {
      const owners = round.map((batch) => new Set(batch.map((e) => e.entityId)));
      const seen = owners.flatMap((o) => [...o]);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });
});
