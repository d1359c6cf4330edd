import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayNotice, type Notice } from "../../functions/domain/notices.js";
import { AwsHttp } from "../../functions/store/aws-http.js";
import { EventBridgeNotices } from "../../functions/store/notice-bus.js";
import { hasMoto, MOTO_CREDENTIALS, type Moto, startMoto } from "../support/moto.js";

const notices: Notice[] = Array.from({ length: 12 }, (_, i) =>
  dayNotice({
    entityId: `e-${i}`,
    sanctionId: "s",
    authority: "JP",
    change: i % 2 === 0 ? "entered" : "left",
    on: "2030-01-01",
  }),
);

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });

describe("publishing notices to EventBridge", () => {
  let server: Server;
  let endpoint: string;
  const calls: { target: string; entries: { DetailType: string; Detail: string }[] }[] = [];
  beforeAll(async () => {
    let refusedOnce = false;
    server = createServer(async (req, res) => {
      const parsed = JSON.parse(await body(req)) as {
        Entries: { DetailType: string; Detail: string }[];
      };
      calls.push({ target: String(req.headers["x-amz-target"]), entries: parsed.Entries });
      // The first call has its second entry refused, as EventBridge may under throttling.
      const refuse = !refusedOnce;
      refusedOnce = true;
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          FailedEntryCount: refuse ? 1 : 0,
          Entries: parsed.Entries.map((_, i) =>
            refuse && i === 1
              ? { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }
              : { EventId: `id-${i}` },
          ),
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("sends ten entries a call, each the notice as a CloudEvent under its detail type, and sends again what was refused", async () => {
    const bus = new EventBridgeNotices(
      "ledger-bus",
      { region: "eu-west-1", endpoint, credentials: MOTO_CREDENTIALS },
      async () => {},
    );
    await bus.publish(notices);
    expect(calls.map((c) => c.target)).toEqual([
      "AWSEvents.PutEvents",
      "AWSEvents.PutEvents",
      "AWSEvents.PutEvents",
    ]);
    expect(calls.map((c) => c.entries.length)).toEqual([10, 1, 2]);
    const first = calls[0]?.entries[0] as { DetailType: string; Detail: string; Source?: string };
    expect(first.DetailType).toBe("Sanction Entered Into Force");
    const detail = JSON.parse(first.Detail);
    expect(detail).toMatchObject({ specversion: "1.0", id: notices[0]?.id, subject: "e-0/s" });
    // The one refused is the one sent again.
    expect(JSON.parse(calls[1]?.entries[0]?.Detail ?? "{}").id).toBe(notices[1]?.id);
  });
});

describe.skipIf(!hasMoto())("publishing notices to an EventBridge bus (moto)", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => {
    await moto.close();
  });

  it("puts every notice on the bus", async () => {
    const target = { region: "us-east-1", endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS };
    const http = new AwsHttp("events", target);
    const created = await http.send({
      url: new URL(`${moto.endpoint}/`),
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.CreateEventBus",
      },
      body: JSON.stringify({ Name: "ledger-notices" }),
    });
    expect(created.status).toBe(200);
    await new EventBridgeNotices("ledger-notices", target).publish(notices);
  });
});
