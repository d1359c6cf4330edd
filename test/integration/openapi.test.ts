import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { brotliDecompressSync } from "node:zlib";
import { Ajv2020 } from "ajv/dist/2020.js";
import formatsPlugin from "ajv-formats";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../../functions/api/openapi.js";
import { ROUTES } from "../../functions/api/routes.js";
import { BUNDLING, bundleDefines, prebuiltOpenApi } from "../../infra/bundling.js";
import { type Answer, type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  responses: Record<string, { content?: Record<string, unknown> }>;
  parameters: { name: string; in: string; description?: string }[];
}
let doc: {
  openapi: string;
  servers: { url: string; variables?: Record<string, unknown> }[];
  tags: { name: string; description: string }[];
  components: { securitySchemes: Record<string, Record<string, unknown>> };
  paths: Record<string, Record<string, Operation>>;
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

describe("the prebuilt document", () => {
  it("is the document generated from the route table, as served", () => {
    const prebuilt = JSON.parse(
      brotliDecompressSync(Buffer.from(prebuiltOpenApi(), "base64")).toString(),
    );
    expect(prebuilt).toEqual(openApiDocument());
    expect(doc).toEqual(openApiDocument());
  });

  it("is what the docs function's bundle serves, without the generator or the routes' documentation", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ledger-docs-"));
    const saved = { ...process.env };
    try {
      const outfile = join(dir, "index.mjs");
      await build({
        entryPoints: [fileURLToPath(new URL("../../functions/handlers/docs.ts", import.meta.url))],
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: BUNDLING.target,
        mainFields: [...BUNDLING.mainFields],
        banner: { js: BUNDLING.banner },
        define: bundleDefines(),
        minify: true,
        logLevel: "silent",
      });
      const code = await readFile(outfile, "utf8");
      // Text that only the generator and the routes' documentation hold.
      expect(code).not.toContain("draft-2020-12");
      expect(code).not.toContain("Append one event to the entity's stream");
      Object.assign(process.env, { EVENTS_TABLE_NAME: "events", VIEWS_TABLE_NAME: "views" });
      const { handler } = (await import(pathToFileURL(outfile).href)) as {
        handler: (
          event: unknown,
          context: unknown,
        ) => Promise<{ statusCode: number; body: string }>;
      };
      const res = await handler(
        {
          httpMethod: "GET",
          resource: "/openapi.json",
          path: "/openapi.json",
          headers: {},
          multiValueHeaders: {},
          queryStringParameters: null,
          multiValueQueryStringParameters: null,
          pathParameters: null,
          requestContext: { requestId: "test" },
          body: null,
        },
        { awsRequestId: "test", functionName: "docs" },
      );
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual(openApiDocument());
    } finally {
      process.env = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the OpenAPI document as a contract", () => {
  const operations = () =>
    ROUTES.map((route) => ({
      route,
      op: doc.paths[route.resource]?.[route.method.toLowerCase()] as Operation,
    }));

  it("names the deployed and the local servers", () => {
    expect(doc.servers.map((s) => s.url)).toEqual([
      "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
      "http://localhost:3000",
    ]);
    expect(Object.keys(doc.servers[0]?.variables ?? {}).sort()).toEqual([
      "region",
      "restApiId",
      "stage",
    ]);
  });

  it("describes SigV4 as API Gateway documents it", () => {
    expect(doc.components.securitySchemes.sigv4).toMatchObject({
      type: "apiKey",
      name: "Authorization",
      in: "header",
      "x-amazon-apigateway-authtype": "awsSigv4",
    });
  });

  it("gives every operation a summary, a description, defined tags and an operationId", () => {
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { route, op } of operations()) {
      expect(op.operationId).toBe(route.operationId);
      expect(op.summary.length, route.resource).toBeGreaterThan(0);
      expect(op.description.length, route.resource).toBeGreaterThan(20);
      expect(op.tags.length).toBeGreaterThan(0);
      for (const tag of op.tags) expect(tags.has(tag), tag).toBe(true);
    }
  });

  it("describes every parameter, from the route table's path and query schemas", () => {
    for (const { route, op } of operations()) {
      const expected = [...Object.keys(route.path.entries), ...Object.keys(route.query.entries)];
      expect(op.parameters.map((p) => p.name)).toEqual(expected);
      for (const p of op.parameters) {
        expect(p.description?.length ?? 0, `${route.resource} ${p.name}`).toBeGreaterThan(10);
      }
    }
  });

  it("lists the answers API Gateway gives as well as the ledger's", () => {
    for (const { route, op } of operations()) {
      for (const status of ["403", "429", "500", "502", "503", "504"]) {
        expect(op.responses, `${route.resource} ${status}`).toHaveProperty(status);
      }
      expect(Object.keys(op.responses["429"]?.content ?? {})).toContain("application/json");
      expect(Object.keys(op.responses["400"]?.content ?? {})).toEqual(["application/problem+json"]);
    }
    const append = doc.paths["/entities/{entityId}/events"]?.post as Operation;
    for (const status of ["200", "201", "400", "404", "409", "413", "415", "422"]) {
      expect(append.responses).toHaveProperty(status);
    }
  });

  it("passes Redocly's recommended rules with 0 errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ledger-openapi-"));
    try {
      const file = join(dir, "openapi.json");
      await writeFile(file, JSON.stringify(doc, null, 2));
      const root = fileURLToPath(new URL("../..", import.meta.url));
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          "npx",
          ["redocly", "lint", "--extends", "recommended", "--format", "json", file],
          {
            cwd: root,
            env: {
              ...process.env,
              REDOCLY_TELEMETRY: "off",
              REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
            },
            maxBuffer: 16 * 1024 * 1024,
          },
          // A non-zero exit means errors: the report on stdout says which.
          (error, out) => (out ? resolve(out) : reject(error ?? new Error("no output"))),
        );
      });
      const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; severity: string; message: string }[];
      };
      expect(report.problems.filter((p) => p.severity === "error")).toEqual([]);
      expect(report.totals.errors).toBe(0);
      // The one warning allowed: the local server's URL is localhost, on purpose.
      expect(
        report.problems.map((p) => p.ruleId).filter((r) => r !== "no-server-example.com"),
      ).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
