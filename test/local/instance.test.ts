import type { Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Engine } from "../../local/engine.js";
import {
  createLocalServer,
  type LocalFunctions,
  listen,
  localFunctions,
} from "../../local/server.js";
import { startTestEngine } from "../support/engine.js";

/**
 * A 5xx answer of the local runtime names its request (`instance`, urn:uuid:<request id>),
 * as the Lambda functions' do, and the logged error carries the same id, so that whoever
 * receives the answer can quote it and whoever runs the server can find it.
 */

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let engine: Engine;
let fns: LocalFunctions;
const servers: Server[] = [];

async function serve(functions: LocalFunctions): Promise<string> {
  const server = createLocalServer(functions);
  servers.push(server);
  return listen(server, 0);
}

beforeAll(async () => {
  engine = await startTestEngine({ tablePrefix: "instance" });
  fns = localFunctions(engine);
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await engine.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function problemAt(url: string) {
  const response = await fetch(url);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the local runtime's 5xx problems", () => {
  it("name the request when a handler fails unexpectedly, a new id for each request", async () => {
    vi.spyOn(fns.ledger, "state").mockRejectedValue(new Error("engine on fire"));
    const url = await serve(fns);
    const first = await problemAt(`${url}/entities/ru-vtb-bank`);
    const second = await problemAt(`${url}/entities/ru-vtb-bank`);
    expect(first.status).toBe(500);
    expect(first.body.detail).toBe("The ledger could not answer this request.");
    expect(first.body.instance).toMatch(UUID_URN);
    expect(second.body.instance).toMatch(UUID_URN);
    expect(second.body.instance).not.toBe(first.body.instance);
    expect(JSON.stringify(first.body)).not.toContain("engine on fire");
  });

  it("name the request when the server itself fails, and log the error with that id", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const url = await serve({
      ...fns,
      handlers: {
        ...fns.handlers,
        audit: async () => {
          throw new Error("handler crashed");
        },
      },
    });
    const { status, body } = await problemAt(`${url}/sanctions?asOf=2022-04-03`);
    expect(status).toBe(500);
    expect(body.instance).toMatch(UUID_URN);
    const logged = errors.mock.calls.map((args) => args.map(String).join(" ")).join("\n");
    expect(logged).toContain(String(body.instance));
    expect(logged).toContain("handler crashed");
  });

  it("leave a client error without an instance: the caller's own request is at fault", async () => {
    const url = await serve(fns);
    const { status, body } = await problemAt(`${url}/sanctions?asOf=yesterday`);
    expect(status).toBe(400);
    expect(body.instance).toBeUndefined();
  });
});
