import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { ROUTES, type Route } from "../functions/api/routes.js";
import type { Ledger, LedgerDeps } from "../functions/app/ledger.js";
import { MAX_BODY_BYTES, Problem, problemResponse } from "../functions/handlers/http.js";
import { projectorHandler } from "../functions/handlers/projector.js";
import { readerHandler } from "../functions/handlers/reader.js";
import { type Services, services } from "../functions/handlers/wiring.js";
import { writerHandler } from "../functions/handlers/writer.js";
import { DynamoEventStore, DynamoViewStore } from "../functions/store/dynamo.js";
import { EVENTS_TABLE } from "../functions/store/keys.js";
import type { Engine } from "./engine.js";

/** The ledger's functions wired to one engine, as Lambda would run them on AWS. */
export interface LocalFunctions {
  ledger: Ledger;
  services: Services;
  writer: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  reader: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  /** Runs the projector on the stream record of an appended event, as the stream would. */
  projectAppended(answers: { entityId: string; version: number }[]): Promise<void>;
}

export function localFunctions(
  engine: Engine,
  overrides: Partial<Pick<LedgerDeps, "now" | "newId">> = {},
): LocalFunctions {
  const built = services(
    {
      events: new DynamoEventStore(engine.doc, engine.tables.events),
      views: new DynamoViewStore(engine.doc, engine.tables.views),
    },
    overrides,
  );
  const ledger = built.ledger;
  const projector = projectorHandler(() => built);
  let sequence = 0;
  return {
    ledger,
    services: built,
    writer: writerHandler(() => built),
    reader: readerHandler(() => built),
    async projectAppended(answers) {
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
      requestId: randomUUID(),
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

/** Serves the ledger's routes over HTTP with the same handlers that Lambda runs. */
export function createLocalServer(fns: LocalFunctions): Server {
  return createServer(async (req, res) => {
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
        event = toEvent(req, url, body, found.route, found.match);
      } catch (error) {
        if (error instanceof URIError) {
          send(res, unreadable("the path holds an invalid percent-encoding"));
        } else if (error instanceof TypeError) {
          send(res, unreadable("the body is not valid UTF-8"));
        } else throw error;
        return;
      }
      const handler = found.route.target === "writer" ? fns.writer : fns.reader;
      const result = await handler(event);
      if (found.route.target === "writer" && result.statusCode < 300) {
        // The events are stored: a failed projection is retried by the next one, as the
        // stream would retry it, and must not turn the answer into an error.
        await fns.projectAppended(appendedIn(result)).catch((error: unknown) => {
          console.error("projection failed; the next append or read repairs it", error);
        });
      }
      send(res, result);
    } catch (error) {
      send(
        res,
        problemResponse(
          new Problem(500, "Internal error", "The ledger could not answer this request."),
        ),
      );
      console.error(error);
    }
  });
}

/** The appends that a writer's answer reports, for the stream projector. */
function appendedIn(result: APIGatewayProxyResult): { entityId: string; version: number }[] {
  const body = JSON.parse(result.body) as {
    entityId?: string;
    version?: number;
    results?: { status: number; entityId?: string; version?: number }[];
  };
  const answers = body.results ?? [{ status: result.statusCode, ...body }];
  return answers.flatMap((a) =>
    a.status < 300 && a.entityId !== undefined && a.version !== undefined
      ? [{ entityId: a.entityId, version: a.version }]
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
  return `http://${host === "0.0.0.0" ? "localhost" : host}:${address.port}`;
}
