import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
beforeAll(async () => {
  api = await startLedger();
});
afterAll(async () => {
  await api.close();
});

const banks = [
  ["ru-vtb-bank", "VTB Bank PJSC", ["VTB Bank, PJSC", "Bank VTB"]],
  ["ru-sovcombank", "Sovcombank", ["PJSC Sovcombank"]],
  ["ru-novikombank", "Növikombank", ["JSCB Novikombank"]],
  ["ru-otkritie", "Otkritie", ["Bank Otkritie Financial Corporation"]],
] as const;

const freeze = (entityId: string) => ({
  entityId,
  type: "SanctionImposed",
  eventId: `${entityId}-jp-freeze`,
  data: {
    sanctionId: "jp-asset-freeze",
    authority: "JP",
    program: "JP-RUSSIA-2022",
    measures: ["asset-freeze", "transaction-licence-required"],
    announcedOn: "2022-03-03",
    effectiveFrom: "2022-04-02",
  },
});

const batch = [
  ...banks.map(([entityId, name, aliases]) => ({
    entityId,
    type: "EntityRegistered",
    eventId: `${entityId}-reg`,
    data: { name, kind: "organization", aliases: [...aliases], country: "RU" },
  })),
  { entityId: "ru-vtb-bank", type: "SanctionImposed", data: { sanctionId: "x" } },
  ...banks.map(([entityId]) => freeze(entityId)),
];

async function all(path: string, key = "items") {
  const items: Record<string, unknown>[] = [];
  const pages: number[] = [];
  let token: string | undefined;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await api.get(`${path}${token ? `${sep}nextToken=${token}` : ""}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body[key]);
    pages.push(res.body[key].length);
    token = res.body.nextToken;
  } while (token);
  return { items, pages };
}

const entityIds = (items: Record<string, unknown>[]) => items.map((i) => i.entityId);

describe("POST /batches", () => {
  it("registers four banks and freezes them; the malformed item fails alone", async () => {
    const res = await api.post("/batches", { items: batch });
    expect(res.status).toBe(200);
    const statuses = res.body.results.map((r: { status: number }) => r.status);
    expect(statuses).toEqual([201, 201, 201, 201, 400, 201, 201, 201, 201]);
    expect(res.body.results[0]).toMatchObject({ entityId: "ru-vtb-bank", version: 1 });
    expect(res.body.results[4].errors.map((e: { path: string }) => e.path)).toContain(
      "/data/authority",
    );
    expect(res.body.results[5]).toMatchObject({ entityId: "ru-vtb-bank", version: 2 });
  });

  it("a retried batch completes what is missing and duplicates nothing", async () => {
    const extra = {
      entityId: "ru-sberbank",
      type: "EntityRegistered",
      eventId: "ru-sberbank-reg",
      data: { name: "Sberbank", kind: "organization" },
    };
    const res = await api.post("/batches", { items: [...batch, extra] });
    const statuses = res.body.results.map((r: { status: number }) => r.status);
    expect(statuses).toEqual([200, 200, 200, 200, 400, 200, 200, 200, 200, 201]);
    const events = await api.get("/entities/ru-vtb-bank/events");
    expect(events.body.events).toHaveLength(2);
  });

  it("answers per-item statuses 404, 409 and 422", async () => {
    const res = await api.post("/batches", {
      items: [
        { ...freeze("nobody"), eventId: "n1" },
        { ...freeze("ru-sovcombank"), eventId: "other-id" },
        {
          entityId: "ru-sovcombank",
          type: "EntityAmended",
          expectedVersion: 7,
          data: { name: "Sovcombank PJSC" },
        },
        {
          entityId: "ru-sovcombank",
          type: "EntityAmended",
          eventId: "ru-sovcombank-reg",
          data: { name: "Sovcombank PJSC" },
        },
        { entityId: "Bad Id", type: "EntityAmended", data: { name: "x" } },
      ],
    });
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([
      404, 422, 409, 409, 400,
    ]);
    expect(res.body.results[2].currentVersion).toBe(2);
    expect(res.body.results[4].errors[0].path).toBe("/entityId");
  });

  it.each([
    ["not JSON", "{"],
    ["no items array", { entries: [] }],
    ["an empty batch", { items: [] }],
    ["more than 100 items", { items: Array.from({ length: 101 }, () => freeze("ru-extra")) }],
  ])("rejects a malformed envelope (%s) whole, writing nothing", async (_, body) => {
    const res = await api.post("/batches", body);
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/problem+json");
    expect((await api.get("/entities/ru-extra")).status).toBe(404);
  });
});

describe("GET /sanctions", () => {
  it("lists the frozen banks only from the effective date", async () => {
    const before = await api.get("/sanctions?asOf=2022-04-01&authority=JP");
    expect(before.body.items).toEqual([]);
    const on = await api.get("/sanctions?asOf=2022-04-02&authority=JP&measure=asset-freeze");
    expect(on.body).toMatchObject({ asOf: "2022-04-02", knownAt: expect.any(String) });
    expect(entityIds(on.body.items)).toEqual([
      "ru-novikombank",
      "ru-otkritie",
      "ru-sovcombank",
      "ru-vtb-bank",
    ]);
    expect(on.body.items[3]).toEqual({
      entityId: "ru-vtb-bank",
      name: "VTB Bank PJSC",
      kind: "organization",
      sanctions: [
        {
          sanctionId: "jp-asset-freeze",
          authority: "JP",
          program: "JP-RUSSIA-2022",
          measures: ["asset-freeze", "transaction-licence-required"],
          scope: null,
          legalBasis: null,
          announcedOn: "2022-03-03",
          effectiveFrom: "2022-04-02",
          termsFrom: "2022-04-02",
          end: null,
        },
      ],
      undetermined: [],
    });
  });

  it("filters exactly by authority, measure and program", async () => {
    for (const query of [
      "authority=EU",
      "measure=export-ban",
      "program=JP-RUSSIA",
      "authority=J",
    ]) {
      const res = await api.get(`/sanctions?asOf=2022-04-03&${query}`);
      if (query === "authority=J") {
        expect(res.status).toBe(400);
        continue;
      }
      expect(res.body.items, query).toEqual([]);
    }
    const program = await api.get("/sanctions?asOf=2022-04-03&program=JP-RUSSIA-2022");
    expect(program.body.items).toHaveLength(4);
  });

  it("pages with limit=1, each entity exactly once", async () => {
    const { items, pages } = await all("/sanctions?asOf=2022-04-03&limit=1");
    expect(entityIds(items)).toEqual([
      "ru-novikombank",
      "ru-otkritie",
      "ru-sovcombank",
      "ru-vtb-bank",
    ]);
    expect(pages).toEqual([1, 1, 1, 1]);
  });

  it("shows a write at once, and a lifting from its date; knownAt answers as before it", async () => {
    const beforeLift = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const lift = await api.post("/entities/ru-otkritie/events", {
      type: "SanctionLifted",
      data: { sanctionId: "jp-asset-freeze", effectiveFrom: "2022-06-10", reason: "Delisted" },
    });
    expect(lift.status).toBe(201);
    const onEve = await api.get("/sanctions?asOf=2022-06-09&authority=JP");
    expect(entityIds(onEve.body.items)).toContain("ru-otkritie");
    expect(
      onEve.body.items.find((i: { entityId: string }) => i.entityId === "ru-otkritie").sanctions[0]
        .end,
    ).toBe("2022-06-10");
    const onDay = await api.get("/sanctions?asOf=2022-06-10&authority=JP");
    expect(entityIds(onDay.body.items)).not.toContain("ru-otkritie");
    const known = await api.get(`/sanctions?asOf=2022-06-10&authority=JP&knownAt=${beforeLift}`);
    expect(entityIds(known.body.items)).toContain("ru-otkritie");
    expect(known.body.knownAt).toBe(beforeLift);
  });

  it("answers as the ledger knew it before a registration: nothing", async () => {
    const res = await api.get("/sanctions?asOf=2022-04-03&knownAt=2020-01-01T00:00:00Z");
    expect(res.body.items).toEqual([]);
  });
});

describe("GET /changes", () => {
  it("lists what entered, was amended and left force in a window", async () => {
    const amend = await api.post("/entities/ru-vtb-bank/events", {
      type: "SanctionAmended",
      data: {
        sanctionId: "jp-asset-freeze",
        effectiveFrom: "2022-05-01",
        measures: ["asset-freeze"],
      },
    });
    expect(amend.status).toBe(201);
    const { items } = await all("/changes?from=2022-04-01&to=2022-06-30&authority=JP");
    expect(items).toEqual([
      {
        entityId: "ru-novikombank",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "entered",
        on: "2022-04-02",
      },
      {
        entityId: "ru-otkritie",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "entered",
        on: "2022-04-02",
      },
      {
        entityId: "ru-sovcombank",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "entered",
        on: "2022-04-02",
      },
      {
        entityId: "ru-vtb-bank",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "entered",
        on: "2022-04-02",
      },
      {
        entityId: "ru-vtb-bank",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "amended",
        on: "2022-05-01",
      },
      {
        entityId: "ru-otkritie",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "left",
        on: "2022-06-10",
      },
    ]);
    const paged = await all("/changes?from=2022-04-01&to=2022-06-30&limit=1");
    expect(paged.items).toEqual(items);
    const edge = await api.get("/changes?from=2022-04-03&to=2022-06-09");
    expect(edge.body.items.map((i: { change: string }) => i.change)).toEqual(["amended"]);
  });

  it("sees a change of measures through the measure filter as entering or leaving", async () => {
    const res = await api.get(
      "/changes?from=2022-04-01&to=2022-06-30&measure=transaction-licence-required",
    );
    expect(
      res.body.items.filter((i: { entityId: string }) => i.entityId === "ru-vtb-bank"),
    ).toEqual([
      {
        entityId: "ru-vtb-bank",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "entered",
        on: "2022-04-02",
      },
      {
        entityId: "ru-vtb-bank",
        sanctionId: "jp-asset-freeze",
        authority: "JP",
        change: "left",
        on: "2022-05-01",
      },
    ]);
  });

  it("requires from and to, in order", async () => {
    expect((await api.get("/changes?from=2022-04-01")).body.errors[0].path).toBe("/to");
    const reversed = await api.get("/changes?from=2022-05-01&to=2022-04-01");
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors[0].path).toBe("/to");
  });
});

describe("GET /search", () => {
  it.each([
    ["vtb bank, pjsc", "ru-vtb-bank", "VTB Bank PJSC"],
    ["PJSC vtb", "ru-vtb-bank", "VTB Bank PJSC"],
    ["Növikombank", "ru-novikombank", "Növikombank"],
    ["novikom", "ru-novikombank", "Növikombank"],
    ["jscb", "ru-novikombank", "JSCB Novikombank"],
    ["otkritie financial", "ru-otkritie", "Bank Otkritie Financial Corporation"],
  ])("finds %s", async (q, entityId, matched) => {
    const res = await api.get(`/search?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual(expect.objectContaining({ entityId, matched }));
  });

  it("finds amended names and aliases, and no longer finds removed ones", async () => {
    await api.post("/entities/ru-sovcombank/events", {
      type: "EntityAmended",
      data: {
        name: "Sovcombank PJSC",
        aliases: { add: ["Sovkombank"], remove: ["PJSC Sovcombank"] },
      },
    });
    const added = await api.get("/search?q=sovkombank");
    expect(added.body.items).toEqual([
      { entityId: "ru-sovcombank", name: "Sovcombank PJSC", matched: "Sovkombank" },
    ]);
    const renamed = await api.get("/search?q=sovcombank");
    expect(renamed.body.items).toEqual([
      { entityId: "ru-sovcombank", name: "Sovcombank PJSC", matched: "Sovcombank PJSC" },
    ]);
    const removed = await api.get("/search?q=pjsc%20sovcombank");
    expect(removed.body.items.map((i: { matched: string }) => i.matched)).toEqual([
      "Sovcombank PJSC",
    ]);
  });

  it("adds the sanctions in force with asOf, and pages", async () => {
    const res = await api.get("/search?q=bank&asOf=2022-04-03&limit=1");
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0].inForce[0].sanctionId).toBe("jp-asset-freeze");
    const { items } = await all("/search?q=bank&limit=1");
    expect(entityIds(items)).toEqual(["ru-otkritie", "ru-vtb-bank"]);
  });

  it("asks for at least one word of two characters", async () => {
    const res = await api.get("/search?q=a%20b");
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("/q");
  });
});
