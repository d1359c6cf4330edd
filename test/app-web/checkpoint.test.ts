import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureApi } from "../../app/src/api.js";
import { verifyCheckpoint } from "../../app/src/checkpoint.js";
import type { LoggedEvent } from "../../app/src/contract.js";

/** A ledger-wide log as issue 12 publishes it, served by a small HTTP server of the test. */
const sha = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
const leafHash = (leaf: Buffer) => sha(Buffer.of(0), leaf);
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
function root(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leafHash(leaves[0] as Buffer);
  const k = split(leaves.length);
  return sha(Buffer.of(1), root(leaves.slice(0, k)), root(leaves.slice(k)));
}
function auditPath(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...auditPath(m, leaves.slice(0, k)), root(leaves.slice(k))]
    : [...auditPath(m - k, leaves.slice(k)), root(leaves.slice(0, k))];
}

const ORIGIN = "ledger.example/log";
const hashes = Array.from({ length: 11 }, (_, i) => sha(Buffer.from(`event ${i}`)));
// The entity's three events are leaves 2, 5 and 9 of the log; the fourth is not sequenced yet.
const events = [2, 5, 9].map((leafIndex, i) => ({
  entityId: "e",
  version: i + 1,
  hash: (hashes[leafIndex] as Buffer).toString("hex"),
  leafIndex,
})) as unknown as LoggedEvent[];
const unsequenced = { entityId: "e", version: 4, hash: "ab".repeat(32) } as unknown as LoggedEvent;

let server: Server;
let mode: "good" | "missing" | "forged-note" | "bad-path" = "good";

beforeAll(async () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const treeSize = hashes.length;
  const rootHash = root(hashes);
  const text = `${ORIGIN}\n${treeSize}\n${rootHash.toString("base64")}\n`;
  const signature = sign(null, Buffer.from(text), privateKey);
  const note = `${text}\n\u2014 ${ORIGIN} ${Buffer.concat([Buffer.from("abcd"), signature]).toString("base64")}\n`;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const problem = () => {
      res.writeHead(404, { "content-type": "application/problem+json" });
      res.end(
        JSON.stringify({
          type: "about:blank",
          title: "Not found",
          status: 404,
          detail: `No route GET ${url.pathname}.`,
        }),
      );
    };
    if (mode === "missing") return problem();
    if (url.pathname === "/checkpoints/key") {
      res.writeHead(200, { "content-type": "application/x-pem-file" });
      return res.end(publicKey.export({ type: "spki", format: "pem" }));
    }
    if (url.pathname === "/checkpoints/latest") {
      res.writeHead(200, { "content-type": "application/json" });
      const served =
        mode === "forged-note" ? note.replace(`\n${treeSize}\n`, `\n${treeSize + 1}\n`) : note;
      return res.end(
        JSON.stringify({
          origin: ORIGIN,
          treeSize: mode === "forged-note" ? treeSize + 1 : treeSize,
          rootHash: rootHash.toString("hex"),
          note: served,
        }),
      );
    }
    const proof = /^\/entities\/e\/events\/(\d+)\/proof$/.exec(url.pathname);
    const event = events.find((e) => e.version === Number(proof?.[1]));
    if (!proof || !event) return problem();
    const path = auditPath(event.leafIndex as number, hashes).map((b) => b.toString("hex"));
    if (mode === "bad-path" && event.version === 2) path[0] = "00".repeat(32);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        leafIndex: event.leafIndex,
        treeSize: Number(url.searchParams.get("treeSize")),
        leafHash: leafHash(Buffer.from(event.hash, "hex")).toString("hex"),
        auditPath: path,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  configureApi({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
afterAll(() => server.close());

describe("each event's inclusion in the latest signed checkpoint, verified in the browser", () => {
  it("verifies the note's signature and each event's RFC 9162 proof", async () => {
    mode = "good";
    const result = await verifyCheckpoint("e", [...events, unsequenced]);
    expect(result.state).toBe("verified");
    if (result.state !== "verified") return;
    expect(result.treeSize).toBe(11);
    expect(result.origin).toBe(ORIGIN);
    expect(Object.fromEntries(result.inclusion)).toEqual({
      1: { state: "included", leafIndex: 2 },
      2: { state: "included", leafIndex: 5 },
      3: { state: "included", leafIndex: 9 },
      4: { state: "pending" },
    });
  });

  it("a proof that does not lead to the signed root fails that event alone", async () => {
    mode = "bad-path";
    const result = await verifyCheckpoint("e", events);
    if (result.state !== "verified") throw new Error(result.state);
    expect(result.inclusion.get(2)).toEqual({
      state: "failed",
      reason: "the audit path does not lead to the checkpoint's root",
    });
    expect(result.inclusion.get(1)?.state).toBe("included");
  });

  it("a note whose signature does not verify is reported, and no proof is trusted", async () => {
    mode = "forged-note";
    expect(await verifyCheckpoint("e", events)).toEqual({
      state: "invalid",
      detail: "The checkpoint's signature does not verify with the published key.",
    });
  });

  it("without the checkpoint routes, says they are not available, with the problem's detail", async () => {
    mode = "missing";
    expect(await verifyCheckpoint("e", events)).toEqual({
      state: "unavailable",
      detail: "No route GET /checkpoints/latest.",
    });
  });
});
