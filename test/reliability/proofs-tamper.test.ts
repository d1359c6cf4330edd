/**
 * Tamper evidence that survives full table access: an attacker who can rewrite both tables
 * (the events, and every record derived from them: the Merkle log's claims, leaves, tiles
 * and head, and the views' witness) but holds neither the signing key nor the published
 * checkpoints. Every change is caught by `verify --checkpoint` against a checkpoint saved
 * before it, which names the first altered event; and a ledger rebuilt with one event
 * changed publishes checkpoints that fork from, or do not extend, the saved one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";
import { GENESIS_HASH, type HashedEvent } from "../../functions/domain/events.js";
import { canonicalJson, sha256Hex } from "../../functions/domain/hash.js";
import {
  appendTiles,
  fromHex,
  hashLeaf,
  rootFromTiles,
  rootPlan,
  tilePath,
  toHex,
} from "../../functions/domain/merkle.js";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import { LOG_KEYS, tileItem } from "../../functions/store/log.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

/** The ledger under attack: a fresh one per attack, since a rewritten log stays broken. */
let api: RunningLedger;
const ledgers: RunningLedger[] = [];
let dir: string;
let keyFile: string;

async function freshLedger(): Promise<RunningLedger> {
  const ledger = await startLedger(undefined, { proofs: true });
  ledgers.push(ledger);
  return ledger;
}

beforeAll(async () => {
  api = await freshLedger();
  dir = mkdtempSync(join(tmpdir(), "ledger-proofs-tamper-"));
  keyFile = join(dir, "key.pem");
  // The process's key signs every local ledger of this file.
  writeFileSync(keyFile, await (await fetch(`${api.url}/checkpoints/key`)).text());
});
afterAll(async () => {
  for (const ledger of ledgers) await ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

const PK = EVENTS_TABLE.partitionKey;
const SK = EVENTS_TABLE.sortKey;
type Item = Record<string, unknown>;

async function history(ledger: RunningLedger, entityId: string, amendments: number) {
  const reg = await ledger.post(`/entities/${entityId}/events`, {
    type: "EntityRegistered",
    data: { name: `Target ${entityId}`, kind: "organization" },
  });
  expect(reg.status).toBe(201);
  for (let i = 1; i <= amendments; i++) {
    const res = await ledger.post(`/entities/${entityId}/events`, {
      type: "EntityAmended",
      data: { name: `Target ${entityId} ${i}` },
    });
    expect(res.status).toBe(201);
  }
}

interface Run {
  code: number;
  out: string;
}

async function cli(ledger: RunningLedger, args: string[]): Promise<Run> {
  let out = "";
  const code = await run(args, {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      out += text;
    },
    env: { LEDGER_URL: ledger.url },
  });
  return { code, out };
}

let saves = 0;
async function save(ledger: RunningLedger): Promise<string> {
  const file = join(dir, `saved-${++saves}.note`);
  const res = await cli(ledger, ["checkpoint", "save", file]);
  expect(res.code, res.out).toBe(0);
  return file;
}

const offline = (ledger: RunningLedger, entityId: string, note: string) =>
  cli(ledger, ["verify", entityId, "--checkpoint", note, "--public-key", keyFile]);

// ---- the attacker ------------------------------------------------------------------------

async function query(table: string, pk: string, value: unknown): Promise<Item[]> {
  const out = await api.engine.doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": pk },
      ExpressionAttributeValues: { ":pk": value },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

async function streamOf(entityId: string): Promise<HashedEvent[]> {
  const items = await query(api.engine.tables.events, PK, entityId);
  return items.map((item) => {
    const { hash: _, ...event } = JSON.parse(String(item.canonical)) as HashedEvent & {
      hash?: string;
    };
    return event as HashedEvent;
  });
}

/**
 * Replaces the entity's stream with `events`, re-chained with recomputed hashes, and
 * rewrites every record derived from it to match: each version's claim and leaf in the log
 * (the leaf index each held, or the next free one), every tile and root of the log rebuilt
 * from the rewritten leaves, and the views' head witness.
 */
async function rewrite(entityId: string, events: HashedEvent[]): Promise<void> {
  const { events: table, views } = api.engine.tables;
  const doc = api.engine.doc;
  const old = await query(table, PK, entityId);
  for (const item of old) {
    await doc.send(
      new DeleteCommand({ TableName: table, Key: { [PK]: entityId, [SK]: item[SK] } }),
    );
  }
  let prevHash = GENESIS_HASH;
  const hashes: string[] = [];
  for (const [i, e] of events.entries()) {
    const event = { ...e, version: i + 1, prevHash } as HashedEvent;
    const canonical = canonicalJson(event);
    const hash = sha256Hex(canonical);
    hashes.push(hash);
    prevHash = hash;
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          [PK]: entityId,
          [SK]: event.version,
          eventId: event.eventId,
          recordedAt: event.recordedAt,
          type: event.type,
          hash,
          canonical,
        },
      }),
    );
  }
  // The log: claims and leaves of the entity's versions carry the new hashes.
  const claims = await query(views, "pk", LOG_KEYS.claim(entityId, 0).pk);
  const head = (await query(views, "pk", LOG_KEYS.head.pk))[0] as Item;
  let size = Number(head.treeSize);
  const leafOf = new Map<number, Item>();
  for (let i = 0; i < size; i++) {
    const key = LOG_KEYS.leaf(i);
    const [leaf] = (await query(views, "pk", key.pk)).filter((l) => l.sk === key.sk);
    leafOf.set(i, leaf as Item);
  }
  const byVersion = new Map(claims.map((c) => [Number(c.version), c]));
  for (const [i, hash] of hashes.entries()) {
    const version = i + 1;
    const at = byVersion.has(version) ? Number(byVersion.get(version)?.leafIndex) : size++;
    const claim = { ...LOG_KEYS.claim(entityId, version), entityId, version, hash };
    await doc.send(
      new PutCommand({ TableName: views, Item: { ...claim, leafIndex: at, confirmed: true } }),
    );
    const leaf = { ...LOG_KEYS.leaf(at), leafIndex: at, entityId, version, hash };
    await doc.send(new PutCommand({ TableName: views, Item: leaf }));
    leafOf.set(at, leaf);
  }
  for (const [version, claim] of byVersion) {
    if (version > hashes.length) {
      await doc.send(new DeleteCommand({ TableName: views, Key: { pk: claim.pk, sk: claim.sk } }));
    }
  }
  // Every tile and the head, recomputed from the leaves as they now stand.
  const leafHashes = [...Array(size).keys()].map((i) =>
    hashLeaf(fromHex(String(leafOf.get(i)?.hash)) as Uint8Array),
  );
  const tiles = appendTiles(0, leafHashes, () => undefined);
  for (const t of tiles) {
    await doc.send(
      new PutCommand({
        TableName: views,
        Item: tileItem(t),
      }),
    );
  }
  const lookup = new Map(tiles.map((t) => [tilePath(t), t.hashes]));
  const root = rootFromTiles(rootPlan(size), (ref) => lookup.get(tilePath(ref)));
  await doc.send(
    new PutCommand({
      TableName: views,
      Item: { ...LOG_KEYS.head, treeSize: size, rootHash: toHex(root) },
    }),
  );
  // The views' witness of the head: its hash and version rewritten to the new head's.
  const witnesses = await query(views, "pk", `head#${entityId}`);
  for (const w of witnesses) {
    const value = (w.value ?? {}) as Record<string, unknown>;
    await doc.send(
      new PutCommand({
        TableName: views,
        Item: { ...w, value: { ...value, version: hashes.length, headHash: hashes.at(-1) } },
      }),
    );
  }
}

let targets = 0;
/** A fresh target of five events, a bystander's events after it, and a checkpoint saved. */
async function target(): Promise<{ entityId: string; note: string; events: HashedEvent[] }> {
  const entityId = `target-${++targets}`;
  api = await freshLedger();
  // Others' events around the target's, so that its leaves are not the whole tree.
  await history(api, "bystander-a", 3);
  await history(api, entityId, 4);
  await history(api, `bystander-${targets}`, 1);
  const note = await save(api);
  const clean = await offline(api, entityId, note);
  expect(clean.code, clean.out).toBe(0);
  expect(clean.out).toMatch(/^valid: 5 events/);
  return { entityId, note, events: await streamOf(entityId) };
}

const later = (t: string, ms: number) => new Date(Date.parse(t) + ms).toISOString();

describe("verify --checkpoint against an attacker who rewrites both tables", () => {
  const attacks: [string, (events: HashedEvent[]) => HashedEvent[]][] = [
    [
      "changes an event",
      (es) =>
        es.map((e) => (e.version === 3 ? ({ ...e, actor: "someone-else" } as HashedEvent) : e)),
    ],
    ["deletes an event", (es) => es.filter((e) => e.version !== 3)],
    [
      "reorders two events",
      (es) => {
        const [a, b] = [es[2], es[3]] as [HashedEvent, HashedEvent];
        const swapped = [...es];
        // Their places in record time kept, so that the chain alone cannot tell.
        swapped[2] = { ...b, recordedAt: a.recordedAt } as HashedEvent;
        swapped[3] = { ...a, recordedAt: b.recordedAt } as HashedEvent;
        return swapped;
      },
    ],
    [
      "backdates an event",
      (es) =>
        es.map((e) =>
          e.version === 3
            ? ({ ...e, recordedAt: later((es[1] as HashedEvent).recordedAt, 1) } as HashedEvent)
            : e,
        ),
    ],
    [
      "forges an event in the middle",
      (es) => [
        ...es.slice(0, 2),
        {
          ...(es[2] as HashedEvent),
          eventId: "forged",
          type: "EntityAmended",
          data: { name: "Forged name" },
          recordedAt: later((es[1] as HashedEvent).recordedAt, 1),
        } as HashedEvent,
        ...es.slice(2),
      ],
    ],
  ];

  for (const [what, attack] of attacks) {
    it(`names version 3 when the attacker ${what}`, async () => {
      const t = await target();
      await rewrite(t.entityId, attack(t.events));
      const res = await offline(api, t.entityId, t.note);
      expect(res.code, res.out).toBe(2);
      expect(res.out).toMatch(/^BROKEN at version 3: /);
      // The server's own verify is fooled by such an attacker: the point of the checkpoint.
    });
  }

  it("names a forged event appended at the head", async () => {
    const t = await target();
    const last = t.events.at(-1) as HashedEvent;
    await rewrite(t.entityId, [
      ...t.events,
      {
        ...last,
        eventId: "forged-head",
        type: "EntityAmended",
        data: { name: "Forged head" },
        recordedAt: later(last.recordedAt, 1),
      } as HashedEvent,
    ]);
    const res = await offline(api, t.entityId, t.note);
    expect(res.code, res.out).toBe(2);
    expect(res.out).toMatch(/^BROKEN at version 6: /);
  });

  it("refuses to sign a checkpoint over a rewritten log: later appends publish nothing new", async () => {
    const t = await target();
    const before = (await api.get("/checkpoints/latest")).body;
    await rewrite(t.entityId, attack3(t.events));
    // An honest append after the rewrite: the sequencer finds the stored tree inconsistent
    // with the last checkpoint it published, and signs nothing.
    await history(api, `after-${t.entityId}`, 0);
    expect((await api.get("/checkpoints/latest")).body.note).toBe(before.note);
    const res = await offline(api, t.entityId, t.note);
    expect(res.code, res.out).toBe(2);
    expect(res.out).toMatch(/^BROKEN at version 3: /);
  });
});

function attack3(events: HashedEvent[]): HashedEvent[] {
  return events.map((e) => (e.version === 3 ? ({ ...e, actor: "rewritten" } as HashedEvent) : e));
}

describe("verify --checkpoint against a ledger rebuilt with one event changed", () => {
  it("detects two checkpoints of one tree size as a fork", async () => {
    // Two ledgers signing with the same key (the process's): the honest one and its rebuild.
    const honest = await freshLedger();
    const rebuilt = await freshLedger();
    {
      await history(honest, "fork-target", 3);
      await rebuilt.post("/entities/fork-target/events", {
        type: "EntityRegistered",
        data: { name: "Target fork-target", kind: "organization" },
      });
      await rebuilt.post("/entities/fork-target/events", {
        type: "EntityAmended",
        data: { name: "Target fork-target, changed" },
      });
      for (const i of [2, 3]) {
        await rebuilt.post("/entities/fork-target/events", {
          type: "EntityAmended",
          data: { name: `Target fork-target ${i}` },
        });
      }
      const note = await save(honest);
      const res = await offline(rebuilt, "fork-target", note);
      expect(res.code, res.out).toBe(2);
      expect(res.out).toMatch(/FORK: .*4 leaves/);
      // Grown past the saved size, the rebuilt log is not consistent with it.
      await rebuilt.post("/entities/fork-target/events", {
        type: "EntityAmended",
        data: { name: "Target fork-target 4" },
      });
      const grown = await offline(rebuilt, "fork-target", note);
      expect(grown.code, grown.out).toBe(2);
      expect(grown.out).toMatch(/FORK|not consistent/);
      expect(readFileSync(note, "utf8")).toMatch(/^sanctions-ledger\/local\n4\n/);
    }
  });

  it("refuses a note whose signature does not verify with the auditor's key", async () => {
    api = await freshLedger();
    await history(api, "bystander-a", 1);
    const note = await save(api);
    const text = readFileSync(note, "utf8");
    const forged = join(dir, "forged.note");
    writeFileSync(
      forged,
      text.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`),
    );
    const res = await offline(api, "bystander-a", forged);
    expect(res.code, res.out).toBe(2);
    expect(res.out).toMatch(/saved checkpoint: the signature .* does not verify/);
  });
});
