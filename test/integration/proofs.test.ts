import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureApi } from "../../app/src/api.js";
import { verifyCheckpoint } from "../../app/src/checkpoint.js";
import { openCheckpoint } from "../../functions/domain/checkpoint.js";
import {
  fromHex,
  hashLeaf,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from "../../functions/domain/merkle.js";
import { ecdsaVerifier } from "../../functions/store/signers.js";
import { LOCAL_ORIGIN } from "../../local/proofs.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let ledger: RunningLedger;
let pem: string;

beforeAll(async () => {
  ledger = await startLedger(undefined, { proofs: true });
  await ledger.post("/entities/pf-bank/events", {
    type: "EntityRegistered",
    data: { name: "PF Bank", kind: "organization" },
  });
  for (const name of ["PF Bank Two", "PF Bank Three"]) {
    const res = await ledger.post("/entities/pf-bank/events", {
      type: "EntityAmended",
      data: { name },
    });
    expect(res.status).toBe(201);
  }
  await ledger.post("/entities/pf-other/events", {
    type: "EntityRegistered",
    data: { name: "PF Other", kind: "organization" },
  });
  const key = await fetch(`${ledger.url}/checkpoints/key`);
  expect(key.status).toBe(200);
  expect(key.headers.get("content-type")).toBe("application/x-pem-file");
  pem = await key.text();
});
afterAll(async () => {
  await ledger.close();
});

const bytes = (hex: string) => fromHex(hex) as Uint8Array;

describe("the published log over HTTP", () => {
  it("publishes a signed checkpoint covering every append before answering it", async () => {
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const latest = await ledger.get("/checkpoints/latest");
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ origin: LOCAL_ORIGIN, treeSize: 4 });
    const c = await openCheckpoint(latest.body.note, LOCAL_ORIGIN, [
      ecdsaVerifier(LOCAL_ORIGIN, pem),
    ]);
    expect(c.treeSize).toBe(4);
    expect(toHex(c.rootHash)).toBe(latest.body.rootHash);
    // Each append had its own checkpoint, kept by size.
    const first = await ledger.get("/checkpoints/1");
    expect(first.status).toBe(200);
    expect(first.body.treeSize).toBe(1);
  });

  it("gives each listed event its leaf and proves its inclusion in the latest checkpoint", async () => {
    const latest = (await ledger.get("/checkpoints/latest")).body;
    const { events } = (await ledger.get("/entities/pf-bank/events")).body;
    expect(events.map((e: { leafIndex: number }) => e.leafIndex)).toEqual([0, 1, 2]);
    for (const e of events) {
      const proof = await ledger.get(`/entities/pf-bank/events/${e.version}/proof`);
      expect(proof.status).toBe(200);
      expect(proof.body.leafIndex).toBe(e.leafIndex);
      expect(proof.body.treeSize).toBe(latest.treeSize);
      expect(proof.body.leafHash).toBe(toHex(hashLeaf(bytes(e.hash))));
      expect(
        verifyInclusion(
          bytes(proof.body.leafHash),
          proof.body.leafIndex,
          proof.body.treeSize,
          proof.body.auditPath.map(bytes),
          bytes(latest.rootHash),
        ),
      ).toBe(true);
    }
    const older = await ledger.get("/entities/pf-bank/events/2/proof?treeSize=2");
    expect(older.status).toBe(200);
    expect(older.body.treeSize).toBe(2);
  });

  it("proves every published checkpoint consistent with the latest", async () => {
    const latest = (await ledger.get("/checkpoints/latest")).body;
    for (let m = 1; m <= latest.treeSize; m++) {
      const old = (await ledger.get(`/checkpoints/${m}`)).body;
      const res = await ledger.get(`/checkpoints/consistency?from=${m}&to=${latest.treeSize}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ from: m, to: latest.treeSize });
      expect(
        verifyConsistency(
          m,
          latest.treeSize,
          res.body.proof.map(bytes),
          bytes(old.rootHash),
          bytes(latest.rootHash),
        ),
      ).toBe(true);
    }
  });

  it("is what the web app verifies in the browser, against the published key", async () => {
    configureApi({ baseUrl: ledger.url });
    const { events } = (await ledger.get("/entities/pf-bank/events")).body;
    const result = await verifyCheckpoint("pf-bank", events);
    expect(result.state).toBe("verified");
    if (result.state !== "verified") return;
    expect([...result.inclusion.values()].map((i) => i.state)).toEqual([
      "included",
      "included",
      "included",
    ]);
  });

  it("answers bad input with problem+json naming the field, and what the log lacks with 404", async () => {
    const cases: [string, number, string | undefined][] = [
      ["/checkpoints/abc", 400, "/treeSize"],
      ["/checkpoints/0", 400, "/treeSize"],
      ["/checkpoints/007", 400, "/treeSize"],
      ["/checkpoints/99", 404, "/treeSize"],
      ["/checkpoints/latest?x=1", 400, "/x"],
      ["/checkpoints/consistency?from=0&to=2", 400, "/from"],
      ["/checkpoints/consistency?from=3&to=2", 400, "/from"],
      ["/checkpoints/consistency?to=2", 400, "/from"],
      ["/checkpoints/consistency?from=1&to=99", 404, "/to"],
      ["/entities/pf-bank/events/x/proof", 400, "/version"],
      ["/entities/pf-bank/events/1/proof?treeSize=0", 400, "/treeSize"],
      ["/entities/pf-bank/events/1/proof?treeSize=99", 404, "/treeSize"],
      ["/entities/pf-bank/events/3/proof?treeSize=2", 404, "/treeSize"],
      ["/entities/pf-bank/events/9/proof", 404, "/version"],
      ["/entities/PF/events/1/proof", 400, "/entityId"],
    ];
    for (const [path, status, pointer] of cases) {
      const res = await ledger.get(path);
      expect(res.status, path).toBe(status);
      expect(res.type, path).toBe("application/problem+json");
      if (pointer)
        expect(
          res.body.errors?.map((e: { path: string }) => e.path),
          path,
        ).toContain(pointer);
    }
  });

  it("checks every version against the log's witness in verify", async () => {
    const res = await ledger.get("/entities/pf-bank/verify");
    expect(res.body).toMatchObject({ valid: true, version: 3 });
    expect(res.body.missingWitnesses).toBeUndefined();
  });
});

describe("a log with nothing sequenced yet", () => {
  it("answers /checkpoints/latest with 404 problem+json", async () => {
    const empty = await startLedger(undefined, { proofs: true });
    try {
      const latest = await empty.get("/checkpoints/latest");
      expect(latest.status).toBe(404);
      expect(latest.type).toBe("application/problem+json");
    } finally {
      await empty.close();
    }
  });
});
