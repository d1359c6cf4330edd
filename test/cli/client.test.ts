import { createHash, createHmac } from "node:crypto";
import { type AddressInfo, createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  executeApiRegion,
  LedgerClient,
  ProblemError,
  segment,
} from "../../cli/client.js";

const CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token",
};

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records the request and answers `answer` (JSON) with `status`. */
function fakeFetch(
  status = 200,
  answer: unknown = { ok: true },
  headers: Record<string, string> = {},
) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    sent.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
    });
    return new Response(typeof answer === "string" ? answer : JSON.stringify(answer), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, sent };
}

const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data).digest();
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/**
 * What API Gateway computes for a request as it arrives: SigV4 by hand (AWS's documented
 * algorithm, independent of @smithy/signature-v4), from the URL as sent on the wire.
 */
function expectedSignature(sent: Sent, region: string): string {
  const url = new URL(sent.url);
  const amzDate = sent.headers["x-amz-date"] ?? "";
  const day = amzDate.slice(0, 8);
  // Non-S3 services: each path segment URI-encoded twice (the wire form, encoded again).
  const canonicalPath = url.pathname.split("/").map(rfc3986).join("/");
  const canonicalQuery = url.search
    .slice(1)
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const [k = "", v = ""] = pair.split("=");
      return [rfc3986(decodeURIComponent(k)), rfc3986(decodeURIComponent(v))] as const;
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(sent.headers.authorization ?? "")?.[1] ?? "";
  const headerValue = (name: string) => (name === "host" ? url.host : sent.headers[name]);
  const canonicalHeaders = signedHeaders
    .split(";")
    .map((name) => `${name}:${String(headerValue(name)).trim()}\n`)
    .join("");
  const canonicalRequest = [
    sent.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    sha256(sent.body ?? ""),
  ].join("\n");
  const scope = `${day}/${region}/execute-api/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day), region), "execute-api"),
    "aws4_request",
  );
  return createHmac("sha256", key).update(stringToSign).digest("hex");
}

afterEach(() => {
  vi.useRealTimers();
});

describe("SigV4 signing", () => {
  it("signs requests to an execute-api URL, joining the stage path", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-05-06T07:08:09.000Z"));
    const { fetch, sent } = fakeFetch();
    const client = new LedgerClient({
      url: "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/",
      credentials: CREDENTIALS,
      fetch,
    });
    expect(client.signed).toBe(true);
    await client.get("/search", {
      q: "vtb bank, pjsc (old)",
      asOf: "2022-04-03",
      limit: undefined,
    });

    const [req] = sent;
    if (!req) throw new Error("no request");
    expect(req.url).toBe(
      "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/search?q=vtb%20bank%2C%20pjsc%20%28old%29&asOf=2022-04-03",
    );
    expect(req.headers["x-amz-date"]).toBe("20240506T070809Z");
    expect(req.headers["x-amz-security-token"]).toBe("session-token");
    expect(req.headers.host).toBeUndefined(); // fetch sets it from the signed URL
    const auth = req.headers.authorization ?? "";
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240506\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([a-z0-9-]+;)*[a-z0-9-]+, Signature=[0-9a-f]{64}$/,
    );
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";");
    expect(signedHeaders).toEqual(
      expect.arrayContaining(["host", "x-amz-date", "x-amz-security-token"]),
    );
    expect(auth).toContain(`Signature=${expectedSignature(req, "eu-west-1")}`);
  });

  it("signs a POST body and an encoded entity id; --region overrides the host's", async () => {
    const { fetch, sent } = fakeFetch(201, { version: 1 });
    const client = new LedgerClient({
      url: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
      region: "eu-central-1",
      credentials: async () => ({
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: CREDENTIALS.secretAccessKey,
      }),
      fetch,
    });
    const answer = await client.send(
      "POST",
      `/entities/${segment("lei:5493001kjtiigc8y1r12")}/events`,
      {
        body: { type: "EntityRegistered", data: { name: "Ünïcode Ltd", kind: "organization" } },
      },
    );
    expect(answer).toEqual({ status: 201, body: { version: 1 } });
    const [req] = sent;
    if (!req) throw new Error("no request");
    expect(req.url).toBe(
      "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/entities/lei%3A5493001kjtiigc8y1r12/events",
    );
    expect(req.headers["content-type"]).toBe("application/json");
    const auth = req.headers.authorization ?? "";
    expect(auth).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/execute-api\/aws4_request/);
    expect(auth).toMatch(/SignedHeaders=[^,]*content-type[^,]*host[^,]*x-amz-date/);
    expect(req.headers["x-amz-security-token"]).toBeUndefined();
    expect(auth).toContain(`Signature=${expectedSignature(req, "eu-central-1")}`);
  });

  it("sends requests to other URLs unsigned", async () => {
    for (const url of ["http://localhost:3000", "https://ledger.example.com/api/"]) {
      const { fetch, sent } = fakeFetch();
      const client = new LedgerClient({ url, credentials: CREDENTIALS, fetch });
      expect(client.signed).toBe(false);
      await client.get("/entities/ru-vtb-bank", { asOf: "2022-03-28" });
      const [req] = sent;
      expect(req?.url).toBe(`${url.replace(/\/$/, "")}/entities/ru-vtb-bank?asOf=2022-03-28`);
      expect(req?.headers.authorization).toBeUndefined();
      expect(req?.headers["x-amz-date"]).toBeUndefined();
    }
  });

  it("says so when there are no credentials to sign with", async () => {
    const { fetch, sent } = fakeFetch();
    const client = new LedgerClient({
      url: "https://abc123.execute-api.eu-west-1.amazonaws.com/v1",
      profile: "auditor",
      credentials: async () => {
        throw new Error("Could not load credentials from any providers");
      },
      fetch,
    });
    await expect(client.get("/sanctions")).rejects.toThrow(
      "Cannot sign the request to https://abc123.execute-api.eu-west-1.amazonaws.com/v1 (SigV4, execute-api): no usable AWS credentials with profile auditor: Could not load credentials from any providers",
    );
    expect(sent).toEqual([]);
  });

  it("reads the region from execute-api host names", () => {
    expect(executeApiRegion("abc123.execute-api.eu-west-1.amazonaws.com")).toBe("eu-west-1");
    expect(executeApiRegion("ABC123.execute-api.us-gov-west-1.amazonaws.com")).toBe(
      "us-gov-west-1",
    );
    expect(executeApiRegion("abc123.execute-api.cn-north-1.amazonaws.com.cn")).toBe("cn-north-1");
    expect(executeApiRegion("abc-vpce-0123.execute-api.eu-west-1.vpce.amazonaws.com")).toBe(
      "eu-west-1",
    );
    expect(executeApiRegion("localhost")).toBeUndefined();
    expect(executeApiRegion("execute-api.example.com")).toBeUndefined();
  });
});

describe("answers", () => {
  it("throws a ProblemError with the problem body", async () => {
    const problem = {
      type: "about:blank",
      title: "Invalid request",
      status: 400,
      detail: "bad",
      errors: [{ path: "/asOf", message: "must be a calendar date" }],
    };
    const { fetch } = fakeFetch(400, problem, { "content-type": "application/problem+json" });
    const client = new LedgerClient({ url: "http://localhost:3000", fetch });
    const error = await client.get("/sanctions").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 400, problem });
  });

  it("turns API Gateway's own errors into a problem", async () => {
    const { fetch } = fakeFetch(
      403,
      { message: "User: arn:aws:iam::123:user/x is not authorized to perform: execute-api:Invoke" },
      { "x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/" },
    );
    const client = new LedgerClient({
      url: "https://abc123.execute-api.eu-west-1.amazonaws.com/v1",
      credentials: CREDENTIALS,
      fetch,
    });
    const error = (await client.get("/sanctions").catch((e: unknown) => e)) as ProblemError;
    expect(error.problem).toMatchObject({
      title: "AccessDeniedException",
      status: 403,
      detail: expect.stringContaining("is not authorized to perform: execute-api:Invoke"),
    });
  });

  it("names the URL when the connection is refused", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = new LedgerClient({ url: `http://127.0.0.1:${port}` });
    const error = await client.get("/sanctions").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain(
      `Cannot reach the ledger at http://127.0.0.1:${port}: connection refused`,
    );
  });

  it("follows nextToken with pages(), capping the total at limit", async () => {
    const calls: string[] = [];
    const fetch = (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      calls.push(url.search);
      const token = Number(url.searchParams.get("nextToken") ?? 0);
      const limit = Number(url.searchParams.get("limit"));
      const items = Array.from({ length: Math.min(limit, 5 - token) }, (_, i) => token + i);
      const next = token + items.length < 5 ? String(token + items.length) : undefined;
      return new Response(JSON.stringify({ items, ...(next ? { nextToken: next } : {}) }));
    }) as typeof globalThis.fetch;
    const client = new LedgerClient({ url: "http://localhost:3000", fetch });
    const collect = async (options: { limit?: number; pageSize?: number }) => {
      const items: number[] = [];
      for await (const page of client.pages<{ items: number[]; nextToken?: string }>(
        "/sanctions",
        { authority: "JP" },
        "items",
        options,
      )) {
        items.push(...page.items);
      }
      return items;
    };
    expect(await collect({ pageSize: 2 })).toEqual([0, 1, 2, 3, 4]);
    expect(calls).toEqual([
      "?authority=JP&limit=2",
      "?authority=JP&limit=2&nextToken=2",
      "?authority=JP&limit=2&nextToken=4",
    ]);
    calls.length = 0;
    expect(await collect({ pageSize: 2, limit: 3 })).toEqual([0, 1, 2]);
    expect(calls).toEqual(["?authority=JP&limit=2", "?authority=JP&limit=1&nextToken=2"]);
  });
});
