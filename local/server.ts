import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, isIPv4, isIPv6 } from "node:net";
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { ROUTES, type Route, type RouteTarget } from "../functions/api/routes.js";
import type { Ledger, LedgerDeps } from "../functions/app/ledger.js";
import { auditHandler } from "../functions/handlers/audit.js";
import { docsHandler } from "../functions/handlers/docs.js";
import { MAX_BODY_BYTES, Problem, problemResponse } from "../functions/handlers/http.js";
import { projectorHandler } from "../functions/handlers/projector.js";
import { proofsHandler } from "../functions/handlers/proofs.js";
import { readerHandler } from "../functions/handlers/reader.js";
import { withRequest } from "../functions/handlers/request-scope.js";
import { type Services, services } from "../functions/handlers/wiring.js";
import { writerHandler } from "../functions/handlers/writer.js";
import { DynamoEventStore, DynamoViewStore } from "../functions/store/dynamo.js";
import { EVENTS_TABLE } from "../functions/store/keys.js";
import type { Engine } from "./engine.js";
import { type LocalProofs, localProofs } from "./proofs.js";
import { serveApp } from "./static.js";

/** The ledger's functions wired to one engine, as Lambda would run them on AWS. */
export interface LocalFunctions {
  ledger: Ledger;
  services: Services;
  /** Each function behind the API, by the route target it serves. */
  handlers: Record<RouteTarget, (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>>;
  /** Runs the projector on the stream record of an appended event, as the stream would. */
  projectAppended(answers: { entityId: string; version: number }[]): Promise<void>;
  /** The ledger-wide log, unless the functions were built without it. */
  proofs?: LocalProofs;
  /**
   * Runs the sequencer on appended events, as the stream would in AWS: resolves once a
   * signed checkpoint covering them is published.
   */
  sequenceAppended(answers: { entityId: string; version: number; hash: string }[]): Promise<void>;
}

export function localFunctions(
  engine: Engine,
  overrides: Partial<Pick<LedgerDeps, "now" | "newId">> = {},
  options: { proofs?: LocalProofs | false } = {},
): LocalFunctions {
  const proofs = options.proofs === false ? undefined : (options.proofs ?? localProofs(engine));
  const built = services(
    {
      events: new DynamoEventStore(engine.doc, engine.tables.events),
      views: new DynamoViewStore(engine.doc, engine.tables.views),
      ...(proofs ? { log: proofs.log, proofs: proofs.service } : {}),
    },
    overrides,
  );
  const ledger = built.ledger;
  const projector = projectorHandler(() => built);
  let sequence = 0;
  return {
    ledger,
    services: built,
    handlers: {
      writer: writerHandler(() => built),
      reader: readerHandler(() => built),
      audit: auditHandler(() => built),
      proofs: proofsHandler(() => built),
      docs: docsHandler(),
    },
    ...(proofs ? { proofs } : {}),
    async sequenceAppended(answers) {
      if (!proofs || answers.length === 0) return;
      await proofs.sequence(
        answers.map(({ entityId, version, hash }) => ({ entityId, version, hash })),
      );
    },
    async projectAppended(appended) {
      // This process is the data's only writer (the data directory's lock sees to it): an
      // event it has already filed the views of leaves the stream nothing to do.
      const answers = appended.filter((a) => ledger.projectedThrough(a.entityId) < a.version);
      if (answers.length === 0) return;
      const records: DynamoDBRecord[] = answers.map(({ entityId, version }) => ({
        eventName: "INSERT",
        eventSource: "aws:dynamodb",
        dynamodb: {
          Keys: {
            [EVENTS_TABLE.partitionKey]: { S: entityId },
            [EVENTS_TABLE.sortKey]: { N: String(version) },
          },
          SequenceNumber: String(++sequence),
          StreamViewType: "NEW_IMAGE",
        },
      }));
      const result = await projector({ Records: records } as DynamoDBStreamEvent);
      if (result.batchItemFailures.length > 0) {
        throw new Error(`projection failed for ${result.batchItemFailures.length} record(s)`);
      }
    },
  };
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  params: string[];
}

function compile(route: Route): CompiledRoute {
  const params: string[] = [];
  const source = route.resource.replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return "([^/]+)";
  });
  return { ...route, pattern: new RegExp(`^${source}/?$`), params };
}

const compiled = ROUTES.map(compile);

/** The API Gateway proxy event that a request would become on AWS. */
function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: CompiledRoute,
  match: RegExpExecArray,
  requestId: string,
): APIGatewayProxyEvent {
  const pathParameters = Object.fromEntries(
    route.params.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")]),
  );
  // fromEntries defines own properties: a parameter named __proto__ stays a parameter.
  // As API Gateway does, the single-value map keeps the last of repeated values.
  const query = Object.fromEntries(url.searchParams);
  const multiQuery = Object.fromEntries(
    [...new Set(url.searchParams.keys())].map((name) => [name, url.searchParams.getAll(name)]),
  );
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: req.method ?? "GET",
    headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length > 0 ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body: body.length > 0 ? UTF8.decode(body) : null,
    isBase64Encoded: false,
    requestContext: {
      identity: { userArn: null, caller: null },
      requestId,
      httpMethod: req.method ?? "GET",
      path: url.pathname,
      resourcePath: route.resource,
      stage: "local",
    } as unknown as APIGatewayProxyEvent["requestContext"],
  };
}

/** Refuses bytes that are not UTF-8, instead of replacing them as Buffer#toString would. */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A 400 for a request the server cannot even read as one. */
const unreadable = (detail: string) =>
  problemResponse(new Problem(400, "Invalid request", detail, [{ path: "", message: detail }]));

/** The most a request body may be before the server stops reading: API Gateway's 10 MB. */
const MAX_READ_BYTES = 10 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>) });
  res.end(result.body);
}

/** Options of the local HTTP server. */
export interface LocalServerOptions {
  /**
   * Host names the server answers to besides the address a request arrived on (and
   * `localhost`, `127.0.0.1`, `[::1]` when it arrived over loopback): the names that other
   * machines use for it when it listens on a public address.
   * @default []
   */
  allowedHosts?: readonly string[];
}

/** Serves the ledger's routes over HTTP with the same handlers that Lambda runs. */
export function createLocalServer(fns: LocalFunctions, options: LocalServerOptions = {}): Server {
  const allowedHosts = new Set((options.allowedHosts ?? []).map((name) => name.toLowerCase()));
  // Each request is answered in its own scope, as a Lambda invocation is: a 5xx problem
  // names it (`instance`, urn:uuid:<request id>) wherever it is raised, the server's own
  // last-resort 500 included, and the error logged beside it carries the same id.
  return createServer((req, res) => {
    const requestId = randomUUID();
    return withRequest(requestId, () => answer(req, res, requestId));
  });

  async function answer(req: IncomingMessage, res: ServerResponse, requestId: string) {
    // A foreign Host or Origin is refused before anything is served, the web app included.
    const refused = guard(req, allowedHosts);
    if (refused) {
      send(res, problemResponse(refused));
      return;
    }
    // The web app's static files, at /app/ on the API's origin (local/static.ts).
    if (serveApp(req, res)) return;
    try {
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://localhost");
      } catch {
        send(res, unreadable("the request target is not a valid URL path"));
        return;
      }
      const candidates = compiled
        .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
        .filter((c) => c.match !== null);
      const found = candidates.find((c) => c.route.method === req.method);
      if (!found?.match) {
        const status = candidates.length > 0 ? 405 : 404;
        const title = status === 405 ? "Method not allowed" : "Not found";
        send(
          res,
          problemResponse(new Problem(status, title, `No route ${req.method} ${url.pathname}.`)),
        );
        return;
      }
      const unsupported = unsupportedMediaType(req);
      if (unsupported) {
        send(res, unsupported);
        return;
      }
      const body = await readBody(req);
      if (!body) {
        // The rest of the body is not read: the connection cannot carry another request.
        res.setHeader("connection", "close");
        send(
          res,
          problemResponse(
            new Problem(
              413,
              "Request body too large",
              `The body exceeds the limit of ${MAX_BODY_BYTES} bytes.`,
            ),
          ),
        );
        req.destroy();
        return;
      }
      let event: APIGatewayProxyEvent;
      try {
        event = toEvent(req, url, body, found.route, found.match, requestId);
      } catch (error) {
        if (error instanceof URIError) {
          send(res, unreadable("the path holds an invalid percent-encoding"));
        } else if (error instanceof TypeError) {
          send(res, unreadable("the body is not valid UTF-8"));
        } else throw error;
        return;
      }
      const result = await fns.handlers[found.route.target](event);
      if (found.route.target === "writer" && result.statusCode < 300) {
        // The events are stored: a failed projection is retried by the next one, as the
        // stream would retry it, and must not turn the answer into an error.
        const appended = appendedIn(result);
        // The two read the events, not each other's items: they run side by side, as
        // their functions do on the stream in AWS, and both finish before the answer.
        await Promise.all([
          fns.projectAppended(appended).catch((error: unknown) => {
            console.error("projection failed; the next append or read repairs it", error);
          }),
          // Likewise the sequencer: events it failed to admit are admitted by its next run.
          fns.sequenceAppended(appended).catch((error: unknown) => {
            console.error("sequencing failed; the next append admits the events", error);
          }),
        ]);
      }
      send(res, result);
    } catch (error) {
      const problem = new Problem(
        500,
        "Internal error",
        "The ledger could not answer this request.",
      );
      send(res, problemResponse(problem));
      console.error(`answered 500 (${problem.body().instance}):`, error);
    }
  }
}

/** The names by which a loopback connection may address this server. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** The host names a request that arrived on this connection may give for this server. */
function ownNames(req: IncomingMessage, allowedHosts: ReadonlySet<string>): Set<string> {
  const names = new Set(allowedHosts);
  let local = req.socket.localAddress ?? "";
  if (local.startsWith("::ffff:") && isIPv4(local.slice(7))) local = local.slice(7);
  if (isIPv4(local)) names.add(local);
  else if (isIPv6(local)) names.add(`[${local}]`);
  if (local === "::1" || (isIPv4(local) && local.startsWith("127."))) {
    for (const name of LOOPBACK_NAMES) names.add(name);
  }
  return names;
}

const forbidden = (header: string, message: string, detail: string) =>
  new Problem(403, "Forbidden", detail, [{ path: `/headers/${header}`, message }]);

/**
 * Refuses a request that names another host than this server (a DNS rebinding page) or
 * comes from a web page of another origin: the local ledger checks no credentials, so it
 * must not be callable from a browser page elsewhere.
 */
function guard(req: IncomingMessage, allowedHosts: ReadonlySet<string>): Problem | undefined {
  const names = ownNames(req, allowedHosts);
  const host = req.headers.host;
  // A Host header is a name and a port: no user, path or query that URL would read around.
  // Its port is not compared: a port mapping (a container's) changes it, and DNS rebinding
  // needs a foreign name, which is what this refuses.
  const hostname = host && /^[^@/\\?#\s]+$/.test(host) ? hostnameOf(`http://${host}`) : undefined;
  if (hostname === undefined || !names.has(hostname)) {
    return forbidden(
      "host",
      "does not name this server",
      `The Host header ${JSON.stringify(host ?? "")} does not name this server; start it with --allowed-host to add a name.`,
    );
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const port = String(req.socket.localPort);
  let own = false;
  try {
    const parsed = new URL(origin);
    own =
      parsed.origin === origin &&
      parsed.protocol === "http:" &&
      names.has(parsed.hostname) &&
      (parsed.port || "80") === port;
  } catch {
    own = false;
  }
  return own
    ? undefined
    : forbidden(
        "origin",
        "is not this server's origin",
        `The Origin ${JSON.stringify(origin)} is not this server's own: requests from other web pages are refused.`,
      );
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Whether a Content-Type is JSON in UTF-8: `application/json`, any parameters but another charset. */
function isJson(contentType: string): boolean {
  const [essence, ...parameters] = contentType.split(";");
  if (essence?.trim().toLowerCase() !== "application/json") return false;
  return parameters.every((parameter) => {
    const at = parameter.indexOf("=");
    const name = parameter
      .slice(0, at < 0 ? undefined : at)
      .trim()
      .toLowerCase();
    if (name !== "charset") return true;
    const value = parameter
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    return value === "utf-8" || value === "utf8";
  });
}

/**
 * A 415 for a POST whose body is not declared as JSON. Without it a web page could post a
 * `text/plain` body, which browsers send cross-origin without asking the server first.
 */
function unsupportedMediaType(req: IncomingMessage): APIGatewayProxyResult | undefined {
  if (req.method !== "POST") return undefined;
  const type = req.headers["content-type"];
  if (type !== undefined && isJson(type)) return undefined;
  const detail =
    type === undefined
      ? "The body must be sent as application/json; the request has no Content-Type."
      : `The body must be sent as application/json (UTF-8), not ${JSON.stringify(type)}.`;
  const result = problemResponse(
    new Problem(415, "Unsupported media type", detail, [
      { path: "/headers/content-type", message: "must be application/json" },
    ]),
  );
  return { ...result, headers: { ...result.headers, "accept-post": "application/json" } };
}

/** The appends that a writer's answer reports, for the stream projector and the sequencer. */
function appendedIn(
  result: APIGatewayProxyResult,
): { entityId: string; version: number; hash: string }[] {
  interface Answer {
    entityId?: string;
    version?: number;
    hash?: string;
  }
  const body = JSON.parse(result.body) as Answer & { results?: (Answer & { status: number })[] };
  const answers = body.results ?? [{ status: result.statusCode, ...body }];
  return answers.flatMap((a) =>
    a.status < 300 && a.entityId !== undefined && a.version !== undefined && a.hash !== undefined
      ? [{ entityId: a.entityId, version: a.version, hash: a.hash }]
      : [],
  );
}

/** Starts listening; resolves with the base URL. */
export async function listen(server: Server, port: number, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const name =
    host === "0.0.0.0" || host === "::" ? "localhost" : isIPv6(host) ? `[${host}]` : host;
  return `http://${name}:${address.port}`;
}
