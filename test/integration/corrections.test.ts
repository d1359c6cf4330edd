import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo } from "../../local/demo.js";
import { localFunctions } from "../../local/server.js";
import { DEMO_CORRECTIONS } from "../support/demo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
beforeAll(async () => {
  api = await startLedger();
  await loadDemo(api.engine);
});
afterAll(async () => {
  await api.close();
});

const WINDOW = "from=2022-03-26T00:00:00Z&to=2022-05-01T00:00:00Z";

describe("GET /corrections on the demo", () => {
  it("answers the two corrections of April 2022, and nothing else", async () => {
    const res = await api.get(`/corrections?${WINDOW}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: "2022-03-26T00:00:00.000Z",
      to: "2022-05-01T00:00:00.000Z",
      items: DEMO_CORRECTIONS,
    });
  });

  it("pages one item at a time, each item once", async () => {
    const first = await api.get(`/corrections?${WINDOW}&limit=1`);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextToken).toBeTypeOf("string");
    const second = await api.get(
      `/corrections?${WINDOW}&limit=1&nextToken=${first.body.nextToken}`,
    );
    expect(second.status).toBe(200);
    expect([...first.body.items, ...second.body.items].map((i) => i.sanctionId)).toEqual([
      "jp-luxury-export-ban",
      "jp-mfn-revocation",
    ]);
    if (second.body.nextToken) {
      const third = await api.get(
        `/corrections?${WINDOW}&limit=1&nextToken=${second.body.nextToken}`,
      );
      expect(third.body.items).toEqual([]);
    }
  });

  it("leaves out sanctions first recorded in the window", async () => {
    const res = await api.get("/corrections?from=2022-03-01T00:00:00Z&to=2022-05-01T00:00:00Z");
    expect(res.body.items).toEqual([]);
  });

  it("refuses a window that ends before it starts, and a token of another window", async () => {
    const bad = await api.get("/corrections?from=2022-05-01T00:00:00Z&to=2022-03-26T00:00:00Z");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("/to");
    const first = await api.get(`/corrections?${WINDOW}&limit=1`);
    const other = await api.get(
      `/corrections?from=2022-04-10T00:00:00Z&to=2022-05-01T00:00:00Z&nextToken=${first.body.nextToken}`,
    );
    expect(other.status).toBe(400);
  });
});

describe("GET /corrections across many entities, page by page", () => {
  it("finds the entities of the window in the record-time index, one item a page, each item once", async () => {
    const ledger = await startLedger();
    try {
      const clock = { now: new Date("2024-01-01T00:00:00.000Z") };
      const fns = localFunctions(ledger.engine, {
        now: () => clock.now,
      });
      const at = (iso: string) => {
        clock.now = new Date(iso);
      };
      const append = async (entityId: string, request: Record<string, unknown>) => {
        const result = await fns.ledger.append(entityId, request as never, "t");
        await fns.projectAppended([result.answer]);
        return result.answer.version;
      };
      const impose = (sanctionId: string, effectiveFrom: string) => ({
        type: "SanctionImposed",
        data: {
          sanctionId,
          authority: "EU",
          measures: ["asset-freeze"],
          announcedOn: "2023-06-01",
          effectiveFrom,
        },
      });
      // Before the window: ten entities, two sanctions each.
      at("2024-01-01T00:00:00.000Z");
      for (let i = 0; i < 10; i++) {
        const id = `pg-${i}`;
        await append(id, { type: "EntityRegistered", data: { name: id, kind: "organization" } });
        await append(id, impose("a", "2023-07-01"));
        await append(id, impose("b", "2023-08-01"));
      }
      // In the window: entities 0-5 lift `a` in the past, the even ones lift `b` too (one
      // event recorded later), 7 gets a new sanction (new knowledge), 9 changes after it.
      for (let i = 0; i < 6; i++) {
        at(`2024-02-0${i + 1}T00:00:00.000Z`);
        await append(`pg-${i}`, {
          type: "SanctionLifted",
          data: { sanctionId: "a", effectiveFrom: "2023-09-01" },
        });
      }
      for (const i of [0, 2, 4]) {
        at(`2024-02-2${i}T00:00:00.000Z`);
        await append(`pg-${i}`, {
          type: "SanctionLifted",
          data: { sanctionId: "b", effectiveFrom: "2023-12-01" },
        });
      }
      at("2024-02-15T00:00:00.000Z");
      await append("pg-7", impose("c", "2023-07-01"));
      at("2024-04-01T00:00:00.000Z");
      await append("pg-9", {
        type: "SanctionLifted",
        data: { sanctionId: "a", effectiveFrom: "2023-09-01" },
      });

      const window = "from=2024-01-15T00:00:00Z&to=2024-03-01T00:00:00Z";
      const items: unknown[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await ledger.get(
          `/corrections?${window}&limit=1${token ? `&nextToken=${token}` : ""}`,
        );
        expect(res.status).toBe(200);
        items.push(...res.body.items);
        token = res.body.nextToken;
        pages++;
      } while (token && pages < 50);
      const all = await ledger.get(`/corrections?${window}&limit=1000`);
      expect(all.body.nextToken).toBeUndefined();
      expect(items).toEqual(all.body.items);
      const expected = [];
      for (let i = 0; i < 6; i++) {
        const versions = i % 2 === 0 ? { a: [4], b: [5] } : { a: [4] };
        expected.push({
          entityId: `pg-${i}`,
          sanctionId: "a",
          authority: "EU",
          days: { from: "2023-09-01", to: null },
          before: "in-force",
          after: "none",
          versions: versions.a,
        });
        if (versions.b) {
          expected.push({
            entityId: `pg-${i}`,
            sanctionId: "b",
            authority: "EU",
            days: { from: "2023-12-01", to: null },
            before: "in-force",
            after: "none",
            versions: versions.b,
          });
        }
      }
      // In the order of each entity's first event in the window.
      expect(items).toEqual(expected);
    } finally {
      await ledger.close();
    }
  });
});
