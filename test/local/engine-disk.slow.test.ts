import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchWriteCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Engine, startEngine } from "../../local/engine.js";

let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ledger-engine-disk-"));
  engine = await startEngine({ path: dir, tablePrefix: "disk" });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});

async function tableFileBytes(): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(dir)) {
    if (name.endsWith(".ldb")) bytes += (await stat(join(dir, name))).size;
  }
  return bytes;
}

describe("the engine with its data on disk", () => {
  it("lets compaction drop what it replaced while queries go on", async () => {
    const table = engine.tables.views;
    const keys = 2_000;
    const value = () => randomBytes(512).toString("hex");
    // The same keys written 24 times over (about 50 MB), each round followed by queries
    // that stop at their Limit and queries that read a partition to its end.
    for (let round = 0; round < 24; round++) {
      for (let i = 0; i < keys; i += 25) {
        const items = Array.from({ length: 25 }, (_, j) => ({
          PutRequest: { Item: { pk: `p${(i + j) % 20}`, sk: String(i + j), value: value() } },
        }));
        await engine.doc.send(new BatchWriteCommand({ RequestItems: { [table]: items } }));
      }
      for (let p = 0; p < 20; p++) {
        const query = { TableName: table, KeyConditionExpression: "pk = :p" };
        const values = { ExpressionAttributeValues: { ":p": `p${p}` } };
        await engine.doc.send(new QueryCommand({ ...query, ...values, Limit: 1 }));
        await engine.doc.send(new QueryCommand({ ...query, ...values }));
      }
    }
    // About 2 MB live (LevelDB keeps some of what was replaced until it compacts): the
    // 50 MB written would stay, every file of it, if a query's
    // iterator held on to the files that compaction replaced.
    for (let wait = 0; wait < 20 && (await tableFileBytes()) >= 24 * 1024 * 1024; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(await tableFileBytes()).toBeLessThan(24 * 1024 * 1024);
  });
});
