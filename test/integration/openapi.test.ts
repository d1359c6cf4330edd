import { Ajv2020 } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../functions/handlers/routes.js";
import { type Answer, type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
let doc: {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, unknown>; parameters: { name: string }[] }>
  >;
};
let ajv: Ajv2020;
beforeAll(async () => {
  api = await startLedger();
  const res = await api.get("/openapi.json");
  expect(res.status).toBe(200);
  doc = res.body;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  formatsPlugin.default(ajv);
  ajv.addSchema(doc, "openapi");
});
afterAll(async () => {
  await api.close();
});

/** Checks a real answer against the schema the document gives for it. */
function conforms(method: string, resource: string, res: Answer): void {
  const operation = doc.paths[resource]?.[method.toLowerCase()];
  expect(operation, `${method} ${resource}`).toBeDefined();
  expect(operation?.responses, `${method} ${resource} ${res.status}`).toHaveProperty(
    String(res.status),
  );
  const media = res.type?.split(";")[0] ?? "";
  const pointer = `openapi#/paths/${resource.replaceAll("~", "~0").replaceAll("/", "~1")}/${method.toLowerCase()}/responses/${res.status}/content/${media.replace("/", "~1")}/schema`;
  const validate = ajv.getSchema(pointer);
  expect(validate, pointer).toBeDefined();
  const ok = validate?.(res.body);
  expect(ok, JSON.stringify(validate?.errors)).toBe(true);
}

describe("GET /openapi.json", () => {
  it("is OpenAPI 3.1 and describes every route with its parameters", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const route of ROUTES) {
      expect(doc.paths[route.resource]?.[route.method.toLowerCase()], route.resource).toBeDefined();
    }
    const state = ajv.getSchema(
      "openapi#/paths/~1entities~1{entityId}/get/responses/200/content/application~1json/schema",
    );
    expect(state?.({ entityId: "x" })).toBe(false);
    const names = doc.paths["/sanctions"]?.get?.parameters.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "asOf",
        "knownAt",
        "authority",
        "measure",
        "program",
        "limit",
        "nextToken",
      ]),
    );
  });

  it("describes the answers the running API really gives", async () => {
    const e = "/entities/{entityId}";
    const reg = await api.post("/entities/oa-bank/events", {
      type: "EntityRegistered",
      eventId: "oa-1",
      data: { name: "OA Bank", kind: "organization", aliases: ["O.A. Bank"] },
    });
    conforms("POST", `${e}/events`, reg);
    conforms(
      "POST",
      `${e}/events`,
      await api.post("/entities/oa-bank/events", {
        type: "EntityRegistered",
        eventId: "oa-1",
        data: { name: "OA Bank", kind: "organization", aliases: ["O.A. Bank"] },
      }),
    );
    const imposed = await api.post("/entities/oa-bank/events", {
      type: "SanctionImposed",
      source: { title: "Gazette", url: "https://example.org/gazette", publishedOn: "2022-03-03" },
      data: {
        sanctionId: "s1",
        authority: "JP",
        measures: ["export-ban"],
        scope: { goods: ["luxury goods"], hsCodes: ["7113"], note: "n" },
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
        legalBasis: "FEFTA",
      },
    });
    expect(imposed.status).toBe(201);
    for (const [status, body] of [
      [400, { type: "Nope" }],
      [409, { type: "EntityAmended", expectedVersion: 9, data: { name: "x" } }],
      [422, { type: "SanctionLifted", data: { sanctionId: "zz", effectiveFrom: "2022-01-01" } }],
    ] as const) {
      const res = await api.post("/entities/oa-bank/events", body);
      expect(res.status).toBe(status);
      conforms("POST", `${e}/events`, res);
    }
    conforms(
      "POST",
      `${e}/events`,
      await api.post("/entities/nobody/events", { type: "EntityAmended", data: { name: "x" } }),
    );
    conforms("GET", e, await api.get("/entities/oa-bank?asOf=2022-03-10"));
    conforms("GET", e, await api.get("/entities/oa-bank?asOf=2022-05-10"));
    conforms("GET", e, await api.get("/entities/nobody"));
    conforms("GET", `${e}/events`, await api.get("/entities/oa-bank/events?limit=1"));
    conforms("GET", `${e}/timeline`, await api.get("/entities/oa-bank/timeline"));
    conforms("GET", `${e}/verify`, await api.get("/entities/oa-bank/verify"));
    conforms(
      "POST",
      "/batches",
      await api.post("/batches", {
        items: [
          { entityId: "oa-bank", type: "EntityAmended", data: { country: "JP" } },
          { entityId: "x" },
        ],
      }),
    );
    conforms("POST", "/batches", await api.post("/batches", { items: [] }));
    conforms("GET", "/sanctions", await api.get("/sanctions?asOf=2022-05-10&limit=1"));
    conforms("GET", "/sanctions", await api.get("/sanctions?asOf=2022-05-10&limit=0"));
    conforms("GET", "/changes", await api.get("/changes?from=2022-01-01&to=2022-12-31"));
    conforms("GET", "/search", await api.get("/search?q=o.a&asOf=2022-05-10"));
    conforms("GET", "/search", await api.get("/search?q=bank&extra=1"));
  });
});
