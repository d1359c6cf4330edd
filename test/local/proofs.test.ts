import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogProofs } from "../../functions/app/sequencer.js";
import {
  appendTiles,
  hashLeaf,
  rootOf,
  type Tile,
  tilePath,
} from "../../functions/domain/merkle.js";
import { DynamoItemTable } from "../../functions/store/dynamo.js";
import { DynamoLogStore, LOG_KEYS } from "../../functions/store/log.js";
import { LOCAL_KEY_FILE } from "../../functions/store/signers.js";
import { type Engine, startEngine } from "../../local/engine.js";
import { ensureLogFormat, ensureViewsFormat } from "../../local/format.js";
import { LOCAL_CHECKPOINTS_DIR, localProofs } from "../../local/proofs.js";
import { localFunctions } from "../../local/server.js";

let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ledger-local-proofs-"));
  engine = await startEngine({ path: join(dir, "engine"), tablePrefix: "lp" });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const register = (name: string) => ({
  type: "EntityRegistered" as const,
  data: { name, kind: "organization" as const },
});

describe("the local runtime's log in a data directory", () => {
  it("keeps its key and checkpoints in the directory, and admits stored events it lacks", async () => {
    // Events stored without the sequencer, as a crash or an older version would leave them.
    const bare = localFunctions(engine, {}, { proofs: false });
    for (const id of ["lp-a", "lp-b", "lp-c"]) await bare.ledger.append(id, register(id), "local");
    const proofs = localProofs(engine, { dataDir: dir });
    expect(await proofs.catchUp()).toBe(3);
    expect(await proofs.catchUp()).toBe(0);
    const key = await stat(join(dir, LOCAL_KEY_FILE));
    expect(key.mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, LOCAL_CHECKPOINTS_DIR, "checkpoints"))).toEqual(["3"]);
    expect(await readFile(join(dir, LOCAL_CHECKPOINTS_DIR, "checkpoint"), "utf8")).toMatch(
      /^sanctions-ledger\/local\n3\n/,
    );
    // The same engine gets the same log: the server's functions and the demo loader share it.
    const fns = localFunctions(engine);
    expect(fns.proofs).toBe(proofs);
    const answer = await fns.ledger.append("lp-d", register("lp-d"), "local");
    await fns.sequenceAppended([answer.answer]);
    expect((await proofs.service.latest()).treeSize).toBe(4);
  });

  it("keeps the log when the views are rebuilt for another format", async () => {
    const proofs = localProofs(engine, { dataDir: dir });
    const before = await proofs.service.latest();
    // An older format marker: the views table is dropped and rebuilt from the events.
    await new DynamoItemTable(engine.doc, engine.tables.views).writeAll(
      [{ pk: "format", sk: "views", format: 0 }],
      [],
    );
    expect(await ensureViewsFormat(engine)).toBe(4);
    expect(await proofs.log.head()).toEqual({
      treeSize: before.treeSize,
      rootHash: before.rootHash,
    });
    const proof = await proofs.service.inclusion("lp-a", 1);
    expect(proof.treeSize).toBe(4);
  });
});

describe("a log written with one tile item per width", () => {
  it("is given one item per tile index, the widest, and reads as before", async () => {
    const old = await startEngine({ tablePrefix: "lp-old" });
    try {
      const leaves = Array.from({ length: 300 }, (_, i) =>
        hashLeaf(new Uint8Array(32).fill(i % 251)),
      );
      // Every run's tiles kept under their width, as the earlier layout stored them.
      let size = 0;
      const stored: Tile[] = [];
      for (const grown of [3, 7, 260, 300]) {
        const have = new Map(stored.map((t) => [tilePath(t), t.hashes]));
        stored.push(
          ...appendTiles(size, leaves.slice(size, grown), (ref) => have.get(tilePath(ref))),
        );
        size = grown;
      }
      for (const t of stored) {
        const { pk } = LOG_KEYS.tile(t);
        await old.doc.send(
          new PutCommand({
            TableName: old.tables.views,
            Item: { pk, sk: String(t.width).padStart(3, "0"), ...t },
          }),
        );
      }
      expect(await ensureLogFormat(old)).toBe(stored.length);
      expect(await ensureLogFormat(old)).toBe(0);
      const proofs = new LogProofs(new DynamoLogStore(old.doc, old.tables.views));
      for (const s of [3, 7, 260, 300]) {
        expect(Buffer.from(await proofs.root(s)).equals(rootOf(leaves.slice(0, s)))).toBe(true);
      }
    } finally {
      await old.close();
    }
  });
});
