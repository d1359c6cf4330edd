import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EventRef,
  LogIntegrityError,
  LogProofs,
  Sequencer,
} from "../../functions/app/sequencer.js";
import { openCheckpoint } from "../../functions/domain/checkpoint.js";
import {
  fromHex,
  hashLeaf,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from "../../functions/domain/merkle.js";
import {
  type CheckpointStore,
  DirectoryCheckpointStore,
} from "../../functions/store/checkpoints.js";
import { DynamoLogStore, type LogStore, MemoryLogStore } from "../../functions/store/log.js";
import { ecdsaVerifier, localSigner, spkiPem } from "../../functions/store/signers.js";
import { type Engine, startEngine } from "../../local/engine.js";
import { scaledRuns } from "../support/runs.js";

const ORIGIN = "sanctions-ledger.test/log";

let engine: Engine;
let work: string;
beforeAll(async () => {
  engine = await startEngine();
  work = await mkdtemp(join(tmpdir(), "ledger-log-"));
});
afterAll(async () => {
  await engine.close();
  await rm(work, { recursive: true, force: true });
});

function eventsOf(entities: number, versions: number, tag: string): EventRef[] {
  const out: EventRef[] = [];
  for (let v = 1; v <= versions; v++) {
    for (let e = 0; e < entities; e++) {
      const entityId = `${tag}-entity-${e}`;
      const hash = createHash("sha256").update(`${entityId}#${v}`).digest("hex");
      out.push({ entityId, version: v, hash });
    }
  }
  return out;
}

/** A sequencer stopped in the middle of its work. */
class Killed extends Error {}

/**
 * Wraps a store so that it dies at its `budget`-th write: before the write, or just after
 * it (the write landed, the answer was lost), as a process killed at that moment would.
 */
function mortal<T extends object>(store: T, writes: string[], budget: number, after: boolean): T {
  let left = budget;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || !writes.includes(String(prop))) {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        if (--left < 0) throw new Killed();
        if (left === 0 && !after) throw new Killed();
        const result = await value.apply(target, args);
        if (left === 0) throw new Killed();
        return result;
      };
    },
  });
}

const LOG_WRITES = ["claim", "moveClaim", "confirmClaim", "putLeaf", "putTiles", "advanceHead"];

/** Remembers every note that a publication left standing. */
function recording(store: CheckpointStore, notes: Map<number, string>): CheckpointStore {
  return {
    publish: async (size, note) => {
      const standing = await store.publish(size, note);
      notes.set(size, standing);
      return standing;
    },
    get: (size) => store.get(size),
    latest: () => store.latest(),
    putTiles: (tiles) => store.putTiles(tiles),
    readTiles: (refs) => store.readTiles(refs),
  };
}

interface LogFixture {
  log: LogStore;
  checkpoints: CheckpointStore;
  dir: string;
}

let fixtures = 0;
async function fixture(kind: "dynamo" | "memory"): Promise<LogFixture> {
  const n = fixtures++;
  let log: LogStore;
  if (kind === "memory") {
    log = new MemoryLogStore();
  } else {
    // A table of its own per test: the views table's key schema.
    const table = `log-${n}`;
    const { ensureTable, viewsTableInput } = await import("../../functions/store/tables.js");
    await ensureTable(engine.client, viewsTableInput(table));
    log = new DynamoLogStore(engine.doc, table);
  }
  const dir = join(work, `checkpoints-${n}`);
  return { log, checkpoints: new DirectoryCheckpointStore(dir), dir };
}

/** Checks the log holds each event exactly once, gap-free, and every checkpoint chains. */
async function audit(
  f: LogFixture,
  events: readonly EventRef[],
  notes: Map<number, string>,
  pem: string,
): Promise<void> {
  const leaves = await f.log.readLeaves(0, 1_000_000);
  const seen = leaves.map((l) => `${l.entityId}#${l.version}`);
  expect(new Set(seen).size).toBe(seen.length);
  expect(new Set(seen)).toEqual(new Set(events.map((e) => `${e.entityId}#${e.version}`)));
  leaves.forEach((l, i) => {
    expect(l.index).toBe(i);
  });
  const head = await f.log.head();
  expect(head?.treeSize).toBe(events.length);

  const verifier = ecdsaVerifier(ORIGIN, pem);
  const proofs = new LogProofs(f.log);
  const sizes = [...notes.keys()].sort((a, b) => a - b);
  expect(sizes.at(-1)).toBe(events.length);
  const opened = await Promise.all(
    sizes.map((s) => openCheckpoint(notes.get(s) as string, ORIGIN, [verifier])),
  );
  const leafHashes = leaves.map((l) => hashLeaf(fromHex(l.hash) as Uint8Array));
  for (let i = 0; i < opened.length; i++) {
    const c = opened[i] as (typeof opened)[number];
    // The root is the RFC 9162 root of the first treeSize leaves, and what the store serves.
    expect(
      Buffer.from(c.rootHash).equals(Buffer.from(rootOf(leafHashes.slice(0, c.treeSize)))),
    ).toBe(true);
    expect(Buffer.from(await proofs.root(c.treeSize)).equals(Buffer.from(c.rootHash))).toBe(true);
    const next = opened[i + 1];
    if (next) {
      const proof = await proofs.consistency(c.treeSize, next.treeSize);
      expect(verifyConsistency(c.treeSize, next.treeSize, proof, c.rootHash, next.rootHash)).toBe(
        true,
      );
    }
  }
  // Each event's claim is confirmed on its own leaf, and its inclusion proves.
  const last = opened.at(-1) as (typeof opened)[number];
  const byEntity = new Map<string, EventRef[]>();
  for (const e of events) byEntity.set(e.entityId, [...(byEntity.get(e.entityId) ?? []), e]);
  for (const [entityId, evs] of byEntity) {
    const indexes = await proofs.leafIndexes(entityId, 1, 1_000);
    expect(indexes.size).toBe(evs.length);
    for (const e of evs) {
      const at = indexes.get(e.version) as number;
      expect(leaves[at]).toMatchObject({ entityId, version: e.version, hash: e.hash });
      const proof = await proofs.inclusion(at, last.treeSize);
      expect(
        verifyInclusion(leafHashes[at] as Uint8Array, at, last.treeSize, proof, last.rootHash),
      ).toBe(true);
    }
  }
}

describe.each(["dynamo", "memory"] as const)("sequencer over the %s log store", (kind) => {
  it("admits events once, publishes signed checkpoints, and serves proofs", async () => {
    const f = await fixture(kind);
    const signer = await localSigner(ORIGIN, join(f.dir, "key"));
    const notes = new Map<number, string>();
    const seq = new Sequencer({
      log: f.log,
      checkpoints: recording(f.checkpoints, notes),
      signer,
      origin: ORIGIN,
      maxLeavesPerCheckpoint: 50,
    });
    const events = eventsOf(4, 30, "one");
    const first = await seq.sequence(events.slice(0, 7));
    expect(first.head.treeSize).toBe(7);
    expect(first.published).toHaveLength(1);
    const rest = await seq.sequence(events);
    expect(rest.head.treeSize).toBe(120);
    expect(rest.published).toHaveLength(3);
    // Again: nothing new, nothing published, nothing written twice.
    expect((await seq.sequence(events.slice(60, 90))).published).toEqual([]);
    await audit(f, events, notes, spkiPem(signer.spki));
    expect(await f.checkpoints.latest()).toBe(notes.get(120));
    expect(await readdir(join(f.dir, "checkpoints"))).toEqual(["7", "57", "107", "120"].sort());
  });

  it("refuses an event that comes back with another hash", async () => {
    const f = await fixture(kind);
    const signer = await localSigner(ORIGIN);
    const seq = new Sequencer({ log: f.log, checkpoints: f.checkpoints, signer, origin: ORIGIN });
    const [e] = eventsOf(1, 1, "hash");
    await seq.sequence([e as EventRef]);
    await expect(seq.sequence([{ ...(e as EventRef), hash: "00".repeat(32) }])).rejects.toThrow(
      LogIntegrityError,
    );
  });

  it("refuses malformed events before writing anything", async () => {
    const f = await fixture(kind);
    const seq = new Sequencer({
      log: f.log,
      checkpoints: f.checkpoints,
      signer: await localSigner(ORIGIN),
      origin: ORIGIN,
    });
    const [good] = eventsOf(1, 1, "malformed") as [EventRef];
    for (const bad of [
      { ...good, hash: good.hash.toUpperCase() },
      { ...good, hash: good.hash.slice(2) },
      { ...good, version: 0 },
      { ...good, version: 1.5 },
      { ...good, entityId: "" },
    ]) {
      await expect(seq.sequence([good, bad])).rejects.toThrow(RangeError);
    }
    expect(await f.log.readLeaves(0, 10)).toEqual([]);
    expect(await f.log.claims(good.entityId, 0, 10)).toEqual([]);
  });

  it("refuses a checkpoint store that holds another root for the same tree size: a fork", async () => {
    const f = await fixture(kind);
    const signer = await localSigner(ORIGIN);
    const events = eventsOf(2, 2, "fork");
    const other = new Sequencer({
      log: new MemoryLogStore(),
      checkpoints: f.checkpoints,
      signer,
      origin: ORIGIN,
    });
    // Another log (same origin and key) published a tree of the same size first.
    await other.sequence(events.slice(0, 3).map((e) => ({ ...e, hash: "11".repeat(32) })));
    const seq = new Sequencer({ log: f.log, checkpoints: f.checkpoints, signer, origin: ORIGIN });
    await expect(seq.sequence(events.slice(0, 3))).rejects.toThrow(/fork/);
  });

  it("keeps one order when sequencers race, are killed mid-way and run again", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.boolean(), fc.integer()), {
          minLength: 2,
          maxLength: 5,
        }),
        fc.integer({ min: 1, max: 40 }),
        async (runs, batch) => {
          const f = await fixture(kind);
          const signer = await localSigner(ORIGIN);
          const notes = new Map<number, string>();
          const checkpoints = recording(f.checkpoints, notes);
          const events = eventsOf(7, 9, `race${fixtures}`);
          const options = { signer, origin: ORIGIN, maxLeavesPerCheckpoint: batch };
          // Each racer gets the events in its own order, and dies at its budget-th write.
          await Promise.all(
            runs.map(async ([budget, after, seed]) => {
              const order = [...events].sort((a, b) => hashOrder(a, seed) - hashOrder(b, seed));
              const log = mortal(f.log, LOG_WRITES, budget, after);
              const seq = new Sequencer({ ...options, log, checkpoints });
              for (let i = 0; i < order.length; i += batch) {
                try {
                  await seq.sequence(order.slice(i, i + batch));
                } catch (error) {
                  if (error instanceof Killed) return;
                  throw error;
                }
              }
            }),
          );
          // Run again over every event, as the stream's retries would.
          await new Sequencer({ ...options, log: f.log, checkpoints }).sequence(events);
          await audit(f, events, notes, spkiPem(signer.spki));
        },
      ),
      { numRuns: scaledRuns(kind === "dynamo" ? 4 : 15) },
    );
  });

  it("refuses to sign a tree whose stored tiles were rewritten", async () => {
    const f = await fixture(kind);
    const signer = await localSigner(ORIGIN);
    const seq = new Sequencer({ log: f.log, checkpoints: f.checkpoints, signer, origin: ORIGIN });
    const events = eventsOf(3, 3, "tamper");
    await seq.sequence(events.slice(0, 5));
    // Rewrite the partial tile of the published tree (5 leaves) as one with full access would.
    const forged = new Uint8Array(5 * 32).fill(7);
    await rewriteTile(f.log, forged);
    await expect(seq.sequence(events)).rejects.toThrow(/not consistent|fork/);
  });
});

function hashOrder(e: EventRef, seed: number): number {
  return createHash("sha256").update(`${seed}:${e.entityId}#${e.version}`).digest().readUInt32BE(0);
}

async function rewriteTile(log: LogStore, hashes: Uint8Array): Promise<void> {
  if (log instanceof MemoryLogStore) {
    const tiles = (log as unknown as { tiles: Map<string, Uint8Array> }).tiles;
    tiles.set("tile/0/000", hashes);
    return;
  }
  const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
  const { tileItem } = await import("../../functions/store/log.js");
  const table = (log as unknown as { tableName: string }).tableName;
  await engine.doc.send(
    new PutCommand({
      TableName: table,
      Item: tileItem({ level: 0, index: 0, width: 5, hashes }),
    }),
  );
}
