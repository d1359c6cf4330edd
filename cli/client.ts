import { randomUUID } from "node:crypto";
import type { InferOutput } from "valibot";
import type {
  appendAnswerSchema,
  batchAnswerSchema,
  changesPageSchema,
  correctionsPageSchema,
  entityStateSchema,
  eventsPageSchema,
  sanctionOnDateSchema,
  sanctionsPageSchema,
  searchPageSchema,
  storedEventSchema,
  timelineSchema,
  verificationSchema,
} from "../functions/api/answers.js";

import type { Credentials, createSigner } from "./signing.js";

export type { Credentials } from "./signing.js";

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

/**
 * The answer, or undefined where the ledger answers 404 (what is asked for is not there).
 * Any error with a `status` counts, so that clients other than this one (an import's) may
 * use it too.
 */
export async function unlessNotFound<T>(answer: Promise<T>): Promise<T | undefined> {
  try {
    return await answer;
  } catch (error) {
    if ((error as { status?: unknown } | undefined)?.status === 404) return undefined;
    throw error;
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
  /** Requests sent to get this answer: more than 1 when earlier ones were retried. */
  attempts?: number;
}

/**
 * When and how often a request that is safe to repeat is sent again: after 429, 502, 503,
 * 504 or a network error (a reset or dropped connection, a failed DNS lookup that may be
 * passing), waiting a random time up to `min(maxDelayMs, baseDelayMs × 2^retry)` ("full
 * jitter"), or what `Retry-After` asks when that is longer.
 */
export interface RetryOptions {
  /** Requests in all, the first included; 1 never retries. @default 5 */
  attempts?: number;
  /** The cap of the first wait, doubled at each retry. @default 250 */
  baseDelayMs?: number;
  /**
   * The longest wait between two attempts. A `Retry-After` asking for longer ends the
   * retries (the answer is reported) rather than leaving the command hanging. @default 20000
   */
  maxDelayMs?: number;
  /** A number in [0, 1) for the jitter. @default Math.random */
  random?: () => number;
  /** Waits `ms` milliseconds. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Told before each wait (the CLI prints a note to stderr). */
  onRetry?: (retry: RetryNotice) => void;
}

/** A retry about to happen. */
export interface RetryNotice {
  method: string;
  url: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  attempts: number;
  delayMs: number;
  /** The status that failed, or the network error's message. */
  reason: string;
}

const RETRIED_STATUSES = new Set([429, 502, 503, 504]);

/** Network failures where nothing says the server is gone for good: worth another try. */
const RETRIED_NETWORK_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delay-seconds or an HTTP-date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable; 0 for a date already past.
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined; // "1.5", "-1": neither form
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Full jitter: a random wait up to the capped exponential backoff of this retry (from 0). */
export function backoffMs(retry: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 250;
  const max = options.maxDelayMs ?? 20_000;
  const random = options.random ?? Math.random;
  return Math.floor(random() * Math.min(max, base * 2 ** retry));
}

/** An append: `POST /entities/{entityId}/events`, relative to the base path. */
const APPEND_PATH = /^\/entities\/[^/]+\/events$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The body to send, with an `eventId` (a UUID) added to an append, or to each item of a
 * batch, that has none: the ledger answers a repeated `eventId` with the original result
 * and writes nothing, so the request becomes safe to send again.
 */
export function withEventIds(method: string, path: string, body: unknown): unknown {
  if (method !== "POST") return body;
  if (APPEND_PATH.test(path) && isObject(body) && body.eventId === undefined) {
    return { ...body, eventId: randomUUID() };
  }
  if (path === "/batches" && isObject(body) && Array.isArray(body.items)) {
    return {
      ...body,
      items: body.items.map((item: unknown) =>
        isObject(item) && item.eventId === undefined ? { ...item, eventId: randomUUID() } : item,
      ),
    };
  }
  return body;
}

/**
 * Whether sending a request twice does no more than sending it once: reads always; an
 * append only with an `eventId`; a batch only when every item has one; nothing else.
 */
export function safeToRepeat(method: string, path: string, body: unknown): boolean {
  if (method === "GET") return true;
  if (method !== "POST" || !isObject(body)) return false;
  if (APPEND_PATH.test(path)) return typeof body.eventId === "string";
  if (path === "/batches") {
    return (
      Array.isArray(body.items) &&
      body.items.every((item: unknown) => isObject(item) && typeof item.eventId === "string")
    );
  }
  return false;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  /** When requests are sent again; `{attempts: 1}` never retries. */
  retry?: RetryOptions;
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
  private signer: ReturnType<typeof createSigner> | undefined;

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
   * An append (or a batch item) without an `eventId` is given one, so that the request is
   * safe to repeat; a request safe to repeat is retried as `retry` says.
   */
  async send<T = unknown>(
    method: "GET" | "POST",
    path: string,
    { query = {}, body }: { query?: Query; body?: unknown } = {},
  ): Promise<Answer<T>> {
    const payload = withEventIds(method, path, body);
    const retry = this.options.retry ?? {};
    const attempts = safeToRepeat(method, path, payload) ? Math.max(1, retry.attempts ?? 5) : 1;
    const maxDelay = retry.maxDelayMs ?? 20_000;
    for (let attempt = 1; ; attempt++) {
      // Signed anew each time: a SigV4 signature is only valid for a few minutes.
      const { url, init } = await this.prepare(method, path, query, payload);
      let res: Response | undefined;
      let text = "";
      let failure: ConnectionError | undefined;
      try {
        res = await this.fetchFn(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
        text = await res.text();
      } catch (error) {
        failure = this.connectionError(error);
      }
      const retryable = failure
        ? isTransient(failure)
        : res !== undefined && RETRIED_STATUSES.has(res.status);
      if (retryable && attempt < attempts) {
        const asked = res ? retryAfterMs(res.headers.get("retry-after")) : undefined;
        const delayMs = Math.max(asked ?? 0, backoffMs(attempt - 1, retry));
        if (delayMs <= maxDelay) {
          retry.onRetry?.({
            method,
            url,
            attempt,
            attempts,
            delayMs,
            reason: failure ? failure.message : `${res?.status} ${res?.statusText}`.trim(),
          });
          await (retry.sleep ?? sleep)(delayMs);
          continue;
        }
      }
      if (failure) {
        if (attempt > 1) failure.message += ` (after ${attempt} attempts)`;
        throw failure;
      }
      const answer = res as Response;
      return { ...this.read<T>(answer, text), ...(attempt > 1 ? { attempts: attempt } : {}) };
    }
  }

  /** The parsed body of an answer, or the `ProblemError` it stands for. */
  private read<T>(res: Response, text: string): Answer<T> {
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

    const request = {
      method,
      protocol: this.baseUrl.protocol,
      hostname: this.baseUrl.hostname,
      ...(this.baseUrl.port ? { port: Number(this.baseUrl.port) } : {}),
      path: fullPath,
      query: params,
      headers: { ...headers, host: this.baseUrl.host },
      ...(payload !== undefined ? { body: payload } : {}),
    };
    let signed: Record<string, string>;
    try {
      signed = await (await this.getSigner())(request);
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
    const { host: _host, ...sent } = signed;
    return { url, init: { method, headers: sent, body: payload } };
  }

  private async getSigner(): Promise<ReturnType<typeof createSigner>> {
    if (!this.signer) {
      // Loaded only to sign: the credential chain is most of the CLI's code, and commands
      // against the local runtime (or --version) need not load it.
      const { createSigner } = await import("./signing.js");
      this.signer = createSigner({
        region: this.signingRegion ?? "us-east-1",
        ...(this.options.profile !== undefined ? { profile: this.options.profile } : {}),
        ...(this.options.credentials !== undefined
          ? { credentials: this.options.credentials }
          : {}),
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

/** Whether a failed request may succeed if sent again (not a refusal, unknown host or our timeout). */
function isTransient(error: ConnectionError): boolean {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code && RETRIED_NETWORK_CODES.has(code)) return true;
    cause = cause.cause;
  }
  return false;
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
export type AppendAnswer = InferOutput<typeof appendAnswerSchema>;
export type BatchAnswer = InferOutput<typeof batchAnswerSchema>;
export type EntityState = InferOutput<typeof entityStateSchema>;
export type SanctionOnDate = InferOutput<typeof sanctionOnDateSchema>;
export type StoredEvent = InferOutput<typeof storedEventSchema>;
export type EventsPage = InferOutput<typeof eventsPageSchema>;
export type Timeline = InferOutput<typeof timelineSchema>;
export type Verification = InferOutput<typeof verificationSchema>;
export type SanctionsPage = InferOutput<typeof sanctionsPageSchema>;
export type ChangesPage = InferOutput<typeof changesPageSchema>;
export type CorrectionsPage = InferOutput<typeof correctionsPageSchema>;
export type SearchPage = InferOutput<typeof searchPageSchema>;
