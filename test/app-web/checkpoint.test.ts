import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureApi } from "../../app/src/api.js";
import { verifyCheckpoint } from "../../app/src/checkpoint.js";
import type { LoggedEvent } from "../../app/src/types.js";
import { signCheckpoint } from "../../functions/domain/checkpoint.js";
import { hashLeaf, inclusionProof, rootOf } from "../../functions/domain/merkle.js";
import { localSigner, spkiPem } from "../../functions/store/signers.js";

/**
 * A ledger-wide log as the API publishes it, signed and proven by the ledger's own code, served
 * by a small HTTP server of the test so that each failure can be staged.
 */
const sha = (text: string) => new Uint8Array(createHash("sha256").update(text).digest());
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

const ORIGIN = "ledger.example/log";
const hashes = Array.from({ length: 11 }, (_, i) => sha(`event ${i}`));
const leaves = hashes.map(hashLeaf);
// The entity's three events are leaves 2, 5 and 9 of the log; the fourth is not sequenced yet.
const events = [2, 5, 9].map((leafIndex, i) => ({
  entityId: "e",
  version: i + 1,
  hash: hex(hashes[leafIndex] as Uint8Array),
  leafIndex,
})) as unknown as LoggedEvent[];
const unsequenced = { entityId: "e", version: 4, hash: "ab".repeat(32) } as unknown as LoggedEvent;

let server: Server;
let otherKeyDir = "";
let mode: "good" | "missing" | "forged-note" | "bad-path" | "other-key" | "other-name" = "good";

beforeAll(async () => {
  const treeSize = hashes.length;
  const rootHash = rootOf(leaves);
  const signer = await localSigner(ORIGIN);
  const checkpoint = { origin: ORIGIN, treeSize, rootHash, extensions: [] };
  const note = await signCheckpoint(checkpoint, [signer]);
  const renamed = await signCheckpoint(checkpoint, [{ ...signer, name: "someone-else" }]);
  otherKeyDir = mkdtempSync(join(tmpdir(), "other-key-"));
  const other = await localSigner(ORIGIN, otherKeyDir);
  const otherNote = await signCheckpoint(checkpoint, [other]);
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
      return res.end(spkiPem(signer.spki));
    }
    if (url.pathname === "/checkpoints/latest") {
      res.writeHead(200, { "content-type": "application/json" });
      const served =
        mode === "forged-note"
          ? note.replace(`\n${treeSize}\n`, `\n${treeSize + 1}\n`)
          : mode === "other-key"
            ? otherNote
            : mode === "other-name"
              ? renamed
              : note;
      return res.end(
        JSON.stringify({
          origin: ORIGIN,
          treeSize: mode === "forged-note" ? treeSize + 1 : treeSize,
          rootHash: hex(rootHash),
          note: served,
        }),
      );
    }
    const proof = /^\/entities\/e\/events\/(\d+)\/proof$/.exec(url.pathname);
    const event = events.find((e) => e.version === Number(proof?.[1]));
    if (!proof || !event) return problem();
    const path = inclusionProof(event.leafIndex as number, leaves).map(hex);
    if (mode === "bad-path" && event.version === 2) path[0] = "00".repeat(32);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        leafIndex: event.leafIndex,
        treeSize: Number(url.searchParams.get("treeSize")),
        leafHash: hex(leaves[event.leafIndex as number] as Uint8Array),
        auditPath: path,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  configureApi({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
afterAll(() => {
  server.close();
  if (otherKeyDir) rmSync(otherKeyDir, { recursive: true, force: true });
});

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

  it("a note signed by another key, or under another name, is not taken", async () => {
    for (const m of ["other-key", "other-name"] as const) {
      mode = m;
      expect(await verifyCheckpoint("e", events)).toEqual({
        state: "invalid",
        detail: "The checkpoint's signature does not verify with the published key.",
      });
    }
  });

  it("without the checkpoint routes, says they are not available, with the problem's detail", async () => {
    mode = "missing";
    expect(await verifyCheckpoint("e", events)).toEqual({
      state: "unavailable",
      detail: "No route GET /checkpoints/latest.",
    });
  });
});
