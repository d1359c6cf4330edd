import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo } from "../../local/demo.js";
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
      items: [
        {
          entityId: "country-ru",
          sanctionId: "jp-luxury-export-ban",
          authority: "JP",
          days: { from: "2022-04-01", to: "2022-04-04" },
          before: "in-force",
          after: "pending",
          versions: [4, 5],
        },
        {
          entityId: "country-ru",
          sanctionId: "jp-mfn-revocation",
          authority: "JP",
          days: { from: "2022-03-25", to: "2022-04-20" },
          before: "in-force",
          after: "pending",
          versions: [6, 7],
        },
      ],
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
