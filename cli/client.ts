import { Sha256 } from "@aws-crypto/sha256-js";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { z } from "zod";
import type {
  appendAnswerSchema,
  batchAnswerSchema,
  changesPageSchema,
  entityStateSchema,
  eventsPageSchema,
  sanctionOnDateSchema,
  sanctionsPageSchema,
  searchPageSchema,
  storedEventSchema,
  timelineSchema,
  verificationSchema,
} from "../functions/api/schemas.js";

/** Static credentials or a provider of them, as the signer takes them. */
export type Credentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

/** An `application/problem+json` answer of the ledger (architecture §3). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
  currentVersion?: number;
  [extra: string]: unknown;
}

/** The ledger answered with an error status; `problem` is its body (or one made from it). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = "ProblemError";
  }
}

/** The ledger could not be reached at all (refused, unknown host, timeout…). */
export class ConnectionError extends Error {
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ConnectionError";
  }
}

/** Query parameters; `undefined` ones are left out. */
export type Query = Record<string, string | number | undefined>;

/** A raw answer: the HTTP status and the parsed JSON body. */
export interface Answer<T> {
  status: number;
  body: T;
}

export interface ClientOptions {
  /** The API's base URL, possibly with a stage path (`https://abc.execute-api.eu-west-1.amazonaws.com/v1`). */
  url: string;
  /** The signing region; by default parsed from an execute-api host name. */
  region?: string;
  /** The AWS profile for the default credential provider chain. */
  profile?: string;
  /** Overrides the default provider chain (tests, or callers with their own credentials). */
  credentials?: Credentials;
  /** Overrides the global `fetch` (tests). */
  fetch?: typeof fetch;
  /** Milliseconds before a request is abandoned; default 60 s. */
  timeoutMs?: number;
}

const EXECUTE_API_HOST =
  /^[a-z0-9-]+\.execute-api(?:-fips)?\.([a-z0-9-]+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/;

/** The region of an API Gateway execute-api host name, or undefined for any other host. */
export function executeApiRegion(hostname: string): string | undefined {
  return EXECUTE_API_HOST.exec(hostname.toLowerCase())?.[1];
}

/** RFC 3986 encoding, the same as SigV4's canonical form, so the sent query is the signed one. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** One path segment (an entity id), encoded. */
export function segment(value: string): string {
  return rfc3986(value);
}

/**
 * A client of the ledger's HTTP API. Requests to an API Gateway `execute-api` host are
 * signed with SigV4 (service `execute-api`) using the default AWS credential provider
 * chain; requests to any other URL (the local runtime) are sent unsigned.
 */
export class LedgerClient {
  readonly baseUrl: URL;
  readonly signingRegion: string | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private signer: SignatureV4 | undefined;

  constructor(private readonly options: ClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new Error(`--url: ${JSON.stringify(options.url)} is not a URL`);
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new Error(`--url: ${options.url} must be an http:// or https:// URL`);
    }
    if (base.search || base.hash) {
      throw new Error(`--url: ${options.url} must not have a query or fragment`);
    }
    this.baseUrl = base;
    const parsedRegion = executeApiRegion(base.hostname);
    this.signingRegion = parsedRegion ? (options.region ?? parsedRegion) : undefined;
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Whether requests are signed with SigV4 (the URL is an execute-api host). */
  get signed(): boolean {
    return this.signingRegion !== undefined;
  }

  /** GET `path` (relative to the base URL); the parsed JSON, or a `ProblemError`. */
  async get<T = unknown>(path: string, query: Query = {}): Promise<T> {
    return (await this.send<T>("GET", path, { query })).body;
  }

  /** POST a JSON body to `path`; the parsed JSON, or a `ProblemError`. */
  async post<T = unknown>(path: string, body: unknown): Promise<T> {
    return (await this.send<T>("POST", path, { body })).body;
  }

  /**
   * Sends one request and answers its status with the parsed body (200 and 201 can mean
   * different things, e.g. for appends). Any status of 300 or more throws a `ProblemError`.
   */
  async send<T = unknown>(
    method: "GET" | "POST",
    path: string,
    { query = {}, body }: { query?: Query; body?: unknown } = {},
  ): Promise<Answer<T>> {
    const { url, init } = await this.prepare(method, path, query, body);
    let res: Response;
    try {
      res = await this.fetchFn(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw this.connectionError(error);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw this.connectionError(error);
    }
    const parsed = parseJson(text);
    if (res.status >= 300) {
      throw new ProblemError(res.status, toProblem(res, parsed, text));
    }
    if (parsed === undefined && text.trim() !== "") {
      throw new ProblemError(res.status, {
        type: "about:blank",
        title: "Unreadable answer",
        status: res.status,
        detail: `The ledger at ${this.options.url} answered ${res.status} with a body that is not JSON.`,
      });
    }
    return { status: res.status, body: parsed as T };
  }

  /**
   * Follows `nextToken` through a paginated list, yielding its pages. `limit` caps the total
   * number of items (all pages when absent); `pageSize` is the `limit` of each request.
   */
  async *pages<P extends { nextToken?: string }>(
    path: string,
    query: Query,
    key: keyof P & string,
    { limit, pageSize = 1000 }: { limit?: number; pageSize?: number } = {},
  ): AsyncGenerator<P> {
    let token: string | undefined;
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    do {
      const size = Math.min(pageSize, remaining);
      const page = await this.get<P>(path, { ...query, limit: size, nextToken: token });
      const items = page[key];
      remaining -= Array.isArray(items) ? items.length : 0;
      token = page.nextToken;
      yield page;
    } while (token !== undefined && remaining > 0);
  }

  /**
   * A paginated list gathered into one answer: the first page's fields, every page's
   * `items`, and the `nextToken` left when `limit` stopped short. Undefined if no page came.
   */
  async gather<P extends { items: unknown[]; nextToken?: string }>(
    path: string,
    query: Query,
    options: { limit?: number; pageSize?: number } = {},
  ): Promise<P | undefined> {
    let first: P | undefined;
    const items: unknown[] = [];
    let nextToken: string | undefined;
    for await (const page of this.pages<P>(path, query, "items", options)) {
      first ??= page;
      items.push(...page.items);
      nextToken = page.nextToken;
    }
    if (!first) return undefined;
    const { nextToken: _, ...head } = first;
    return { ...head, items, ...(nextToken ? { nextToken } : {}) } as unknown as P;
  }

  /** The URL and fetch options of a request, signed when the base URL is an execute-api host. */
  async prepare(
    method: "GET" | "POST",
    path: string,
    query: Query = {},
    body?: unknown,
  ): Promise<{ url: string; init: RequestInit }> {
    if (!path.startsWith("/")) throw new Error(`path ${path} must start with /`);
    const fullPath = this.baseUrl.pathname.replace(/\/+$/, "") + path;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = String(v);
    const search = Object.entries(params)
      .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
      .join("&");
    const url = `${this.baseUrl.origin}${fullPath}${search ? `?${search}` : ""}`;
    const headers: Record<string, string> = { accept: "application/json" };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers["content-type"] = "application/json";
    if (!this.signed) return { url, init: { method, headers, body: payload } };

    const request = new HttpRequest({
      method,
      protocol: this.baseUrl.protocol,
      hostname: this.baseUrl.hostname,
      ...(this.baseUrl.port ? { port: Number(this.baseUrl.port) } : {}),
      path: fullPath,
      query: params,
      headers: { ...headers, host: this.baseUrl.host },
      ...(payload !== undefined ? { body: payload } : {}),
    });
    let signed: HttpRequest;
    try {
      signed = (await this.getSigner().sign(request)) as HttpRequest;
    } catch (error) {
      const profile = this.options.profile ? ` with profile ${this.options.profile}` : "";
      throw new Error(
        `Cannot sign the request to ${this.options.url} (SigV4, execute-api): no usable AWS credentials${profile}: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
    // fetch sets Host itself, from the same URL that was signed.
    const { host: _host, ...sent } = signed.headers;
    return { url, init: { method, headers: sent, body: payload } };
  }

  private getSigner(): SignatureV4 {
    if (!this.signer) {
      const credentials =
        this.options.credentials ??
        fromNodeProviderChain(this.options.profile ? { profile: this.options.profile } : {});
      this.signer = new SignatureV4({
        service: "execute-api",
        region: this.signingRegion ?? "us-east-1",
        credentials,
        sha256: Sha256,
      });
    }
    return this.signer;
  }

  /** What a failed `fetch` means for the user: always a `ConnectionError` naming the URL. */
  private connectionError(error: unknown): ConnectionError {
    const where = this.options.url;
    const name = error instanceof Error ? error.name : "";
    if (name === "TimeoutError" || name === "AbortError") {
      return new ConnectionError(
        where,
        `The ledger at ${where} did not answer within ${this.timeoutMs / 1000} s.`,
        { cause: error },
      );
    }
    const cause = (error instanceof Error ? error.cause : undefined) as
      | NodeJS.ErrnoException
      | undefined;
    const code = cause?.code;
    if (code === "ECONNREFUSED") {
      return new ConnectionError(
        where,
        `Cannot reach the ledger at ${where}: connection refused. Is it running (npm start), or is --url / LEDGER_URL wrong?`,
        { cause: error },
      );
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
      return new ConnectionError(
        where,
        `Cannot reach the ledger at ${where}: host ${this.baseUrl.hostname} not found.`,
        { cause: error },
      );
    }
    let reason = cause?.message ?? (error instanceof Error ? error.message : String(error));
    if (reason === "bad port") {
      reason = `fetch refuses port ${this.baseUrl.port} (one of the ports browsers and Node block)`;
    }
    return new ConnectionError(where, `Cannot reach the ledger at ${where}: ${reason}`, {
      cause: error,
    });
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The problem of an error answer; API Gateway's own errors (`{message}`) become one too. */
function toProblem(res: Response, parsed: unknown, text: string): Problem {
  if (isProblem(parsed)) return parsed;
  const message =
    parsed &&
    typeof parsed === "object" &&
    "message" in parsed &&
    typeof parsed.message === "string"
      ? parsed.message
      : text.trim().slice(0, 500) || "(no body)";
  const gatewayType = res.headers.get("x-amzn-errortype")?.split(":")[0];
  return {
    type: "about:blank",
    title: gatewayType || res.statusText || `HTTP ${res.status}`,
    status: res.status,
    detail: message,
  };
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Problem).title === "string" &&
    typeof (value as Problem).status === "number"
  );
}

// The answers of the API, typed from the schemas that validate and describe them.
export type AppendAnswer = z.infer<typeof appendAnswerSchema>;
export type BatchAnswer = z.infer<typeof batchAnswerSchema>;
export type EntityState = z.infer<typeof entityStateSchema>;
export type SanctionOnDate = z.infer<typeof sanctionOnDateSchema>;
export type StoredEvent = z.infer<typeof storedEventSchema>;
export type EventsPage = z.infer<typeof eventsPageSchema>;
export type Timeline = z.infer<typeof timelineSchema>;
export type Verification = z.infer<typeof verificationSchema>;
export type SanctionsPage = z.infer<typeof sanctionsPageSchema>;
export type ChangesPage = z.infer<typeof changesPageSchema>;
export type SearchPage = z.infer<typeof searchPageSchema>;
