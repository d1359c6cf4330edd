import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogProofs } from "../../functions/app/sequencer.js";
import {
  appendTiles,
  type Hash,
  hashLeaf,
  partialTiles,
  rootOf,
  type Tile,
  tilePath,
  verifyInclusion,
} from "../../functions/domain/merkle.js";
import { DynamoLogStore, type LogStore, MemoryLogStore } from "../../functions/store/log.js";
import { ensureTable, viewsTableInput } from "../../functions/store/tables.js";
import { type Engine, startEngine } from "../../local/engine.js";

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine.close();
});

let tables = 0;
async function dynamoStore(doc?: DynamoDBDocumentClient): Promise<DynamoLogStore> {
  const table = `log-store-${tables++}`;
  await ensureTable(engine.client, viewsTableInput(table));
  return new DynamoLogStore(doc ?? engine.doc, table);
}

function concatHashes(hashes: Hash[]): Uint8Array {
  return new Uint8Array(Buffer.concat(hashes));
}

function leavesOf(n: number, from = 0): Hash[] {
  return Array.from({ length: n }, (_, i) => hashLeaf(new Uint8Array(32).fill((from + i) % 251)));
}

/** Grows the stored tiles by chunks, as successive publications would. */
async function growTiles(log: LogStore, leaves: Hash[], chunks: number[]): Promise<void> {
  let size = 0;
  for (const chunk of chunks) {
    const old = await log.readTiles(partialTiles(size));
    const tiles: Tile[] = appendTiles(size, leaves.slice(size, size + chunk), (ref) =>
      old.get(tilePath(ref)),
    );
    for (let i = 0; i < tiles.length; i += 50) await log.putTiles(tiles.slice(i, i + 50));
    size += chunk;
  }
}

describe.each([
  ["DynamoDB (dynalite)", () => dynamoStore()],
  ["memory", async () => new MemoryLogStore()],
] as const)("%s log store", (_name, make) => {
  it("keeps an event's first claim, moves it only off the leaf it names, and confirms it", async () => {
    const log = await make();
    const e = { entityId: "ru-vtb-bank", version: 3, hash: "ab".repeat(32) };
    expect(await log.claim({ ...e, leafIndex: 4 })).toEqual({
      ...e,
      leafIndex: 4,
      confirmed: false,
    });
    expect((await log.claim({ ...e, leafIndex: 9 })).leafIndex).toBe(4);
    expect((await log.moveClaim(e.entityId, 3, 7, 8)).leafIndex).toBe(4);
    expect((await log.moveClaim(e.entityId, 3, 4, 5)).leafIndex).toBe(5);
    await expect(log.confirmClaim(e.entityId, 3, 4)).rejects.toThrow(/not on leaf 4/);
    await log.confirmClaim(e.entityId, 3, 5);
    expect((await log.moveClaim(e.entityId, 3, 5, 6)).leafIndex).toBe(5);
    await log.claim({ ...e, version: 1, leafIndex: 0 });
    await log.claim({ ...e, version: 12, leafIndex: 1 });
    expect((await log.claims(e.entityId, 1, 10)).map((c) => c.version)).toEqual([1, 3]);
  });

  it("writes a leaf once and reads leaves up to the first free index", async () => {
    const log = await make();
    const leaf = (index: number, entityId = "a") => ({ index, entityId, version: 1, hash: "00" });
    for (let i = 0; i < 300; i++) await log.putLeaf(leaf(i));
    expect(await log.putLeaf(leaf(5, "b"))).toEqual(leaf(5));
    await log.putLeaf(leaf(301));
    expect((await log.readLeaves(0, 1000)).map((l) => l.index)).toEqual([...Array(300).keys()]);
    expect((await log.readLeaves(250, 20)).map((l) => l.index)).toEqual(
      Array.from({ length: 20 }, (_, i) => 250 + i),
    );
    expect(await log.readLeaves(300, 10)).toEqual([]);
  });

  it("answers a tile asked for at a width never stored with a wider one", async () => {
    const log = await make();
    const leaves = leavesOf(600);
    await growTiles(log, leaves, [10, 290, 300]);
    const proofs = new LogProofs(log);
    for (const size of [10, 300, 600, 150, 513]) {
      expect(Buffer.from(await proofs.root(size)).equals(rootOf(leaves.slice(0, size)))).toBe(true);
    }
    expect(await log.readTiles([{ level: 0, index: 3, width: 1 }])).toEqual(new Map());
  });

  it("keeps one tile per index, replaced only by a wider one, and cuts it to the width asked", async () => {
    const log = await make();
    const hashes = concatHashes(leavesOf(40));
    const tile = (width: number) => ({
      level: 0,
      index: 0,
      width,
      hashes: hashes.subarray(0, width * 32),
    });
    await log.putTiles([tile(10)]);
    await log.putTiles([tile(5)]);
    const at = async (width: number) =>
      (await log.readTiles([{ level: 0, index: 0, width }])).get(
        tilePath({ level: 0, index: 0, width }),
      );
    expect(await at(10)).toEqual(hashes.subarray(0, 320));
    expect(await at(11)).toBeUndefined();
    await log.putTiles([tile(40)]);
    for (const width of [1, 5, 10, 40]) {
      expect(await at(width)).toEqual(hashes.subarray(0, width * 32));
    }
    await log.putTiles([tile(20)]);
    expect(await at(40)).toEqual(hashes);
  });

  it("advances the head only forwards", async () => {
    const log = await make();
    expect(await log.head()).toBeUndefined();
    expect(await log.advanceHead({ treeSize: 5, rootHash: "a" })).toBe(true);
    expect(await log.advanceHead({ treeSize: 4, rootHash: "b" })).toBe(false);
    expect(await log.advanceHead({ treeSize: 5, rootHash: "c" })).toBe(false);
    expect(await log.head()).toEqual({ treeSize: 5, rootHash: "a" });
  });
});

describe("DynamoDB log store: the cost of a proof", () => {
  it("reads an inclusion proof in one request, at 1,000 leaves as at 100,000", async () => {
    let requests = 0;
    const counting = new Proxy(engine.doc, {
      get(target, prop, receiver) {
        if (prop === "send") {
          return (command: Parameters<DynamoDBDocumentClient["send"]>[0]) => {
            requests++;
            return target.send(command);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const log = await dynamoStore(counting as DynamoDBDocumentClient);
    const leaves = leavesOf(100_000);
    await growTiles(log, leaves, [1_000, 99_000]);
    const proofs = new LogProofs(log);
    for (const size of [1_000, 100_000]) {
      const root = rootOf(leaves.slice(0, size));
      for (const index of [0, 1, 499, size - 1, Math.floor(size / 3)]) {
        requests = 0;
        const proof = await proofs.inclusion(index, size);
        expect(requests).toBe(1);
        expect(verifyInclusion(leaves[index] as Hash, index, size, proof, root)).toBe(true);
      }
    }
  });
});
