/**
 * Tampering with the events table behind the ledger's back: every change to a stored event
 * (its canonical JSON, its hash, its indexed attributes, its place in the stream, or an item
 * forged past the head) must make `GET /entities/{id}/verify` answer `valid: false`, with the
 * exact first broken version and the version and hash of the last sound event before it.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH } from "../../functions/domain/events.js";
import { canonicalJson, sha256Hex } from "../../functions/domain/hash.js";
import { EVENTS_TABLE, VIEWS_TABLE } from "../../functions/store/keys.js";
import { LOG_KEYS } from "../../functions/store/log.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
beforeAll(async () => {
  api = await startLedger(undefined, { proofs: true });
});
afterAll(async () => {
  await api.close();
});

const PK = EVENTS_TABLE.partitionKey;
const SK = EVENTS_TABLE.sortKey;
type Item = Record<string, unknown>;

/** Six events: a registration, two impositions, an amendment, an entity amendment, a lifting. */
const HISTORY = [
  {
    type: "EntityRegistered",
    data: { name: "Tamper Target Bank", kind: "organization", aliases: ["TTB"], country: "RU" },
  },
  {
    type: "SanctionImposed",
    data: {
      sanctionId: "jp-freeze",
      authority: "JP",
      measures: ["asset-freeze"],
      announcedOn: "2022-03-03",
      effectiveFrom: "2022-04-02",
    },
    source: { title: "MOF notice", publishedOn: "2022-03-03" },
  },
  {
    type: "SanctionImposed",
    data: {
      sanctionId: "eu-export",
      authority: "EU",
      measures: ["export-ban"],
      scope: { goods: ["luxury goods"], hsCodes: ["7113"] },
      announcedOn: "2022-03-10",
      effectiveFrom: "2022-03-15",
    },
  },
  {
    type: "SanctionAmended",
    data: {
      sanctionId: "jp-freeze",
      effectiveFrom: "2022-05-01",
      measures: ["asset-freeze", "transaction-licence-required"],
    },
  },
  { type: "EntityAmended", data: { aliases: { add: ["Tamper Target"] } } },
  { type: "SanctionLifted", data: { sanctionId: "eu-export", effectiveFrom: "2023-01-01" } },
] as const;

interface Built {
  entityId: string;
  /** The hash of each version (index `v - 1`), as the appends answered them. */
  hashes: string[];
  /** The `recordedAt` of each version (index `v - 1`). */
  recordedAt: string[];
}

let entities = 0;

/** A fresh entity with the six events, read once so the reader holds its view in memory. */
async function build(label: string): Promise<Built> {
  const entityId = `tamper-${label}-${++entities}`;
  const hashes: string[] = [];
  const recordedAt: string[] = [];
  for (const [i, body] of HISTORY.entries()) {
    const res = await api.post(`/entities/${entityId}/events`, { ...body, eventId: `e${i + 1}` });
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(i + 1);
    hashes.push(res.body.hash);
    recordedAt.push(res.body.recordedAt);
  }
  const state = await api.get(`/entities/${entityId}?asOf=2022-06-01`);
  expect(state.status).toBe(200);
  expect(state.body.version).toBe(HISTORY.length);
  expect(await verify(entityId)).toEqual({
    valid: true,
    version: HISTORY.length,
    headHash: hashes[HISTORY.length - 1],
  });
  return { entityId, hashes, recordedAt };
}

async function verify(entityId: string) {
  const res = await api.get(`/entities/${entityId}/verify`);
  expect(res.status).toBe(200);
  return res.body;
}

async function getItem(entityId: string, version: number): Promise<Item> {
  const out = await api.engine.doc.send(
    new GetCommand({
      TableName: api.engine.tables.events,
      Key: { [PK]: entityId, [SK]: version },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) throw new Error(`no item ${entityId} v${version}`);
  return out.Item;
}

/** Overwrites (or creates) an item directly, bypassing the ledger and its conditions. */
async function putItem(item: Item): Promise<void> {
  await api.engine.doc.send(new PutCommand({ TableName: api.engine.tables.events, Item: item }));
}

async function deleteItem(entityId: string, version: number): Promise<void> {
  await api.engine.doc.send(
    new DeleteCommand({
      TableName: api.engine.tables.events,
      Key: { [PK]: entityId, [SK]: version },
    }),
  );
}

async function queryViews(pk: string): Promise<Item[]> {
  const out = await api.engine.doc.send(
    new QueryCommand({
      TableName: api.engine.tables.views,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": pk },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

const parsed = (item: Item) => JSON.parse(String(item.canonical)) as Record<string, unknown>;
const hashOf = (b: Built, version: number) =>
  version === 0 ? GENESIS_HASH : b.hashes[version - 1];

/** The answer of a chain broken at `broken`: everything before it is sound. */
const brokenAt = (b: Built, broken: number) => ({
  valid: false,
  version: broken - 1,
  headHash: hashOf(b, broken - 1),
  firstBrokenVersion: broken,
});

describe("verify detects tampering with the events table", () => {
  it("(a) canonical JSON changed, hash left as it was: broken at that version", async () => {
    const b = await build("a");
    const item = await getItem(b.entityId, 3);
    const event = parsed(item);
    (event.data as Record<string, unknown>).effectiveFrom = "2022-03-16";
    await putItem({ ...item, canonical: canonicalJson(event) });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 3));
  });

  it("(b) canonical changed and its hash recomputed: broken there, by the log's witness", async () => {
    const b = await build("b");
    const item = await getItem(b.entityId, 3);
    const event = parsed(item);
    (event.data as Record<string, unknown>).effectiveFrom = "2022-03-16";
    const canonical = canonicalJson(event);
    const forgedHash = sha256Hex(canonical);
    await putItem({ ...item, canonical, hash: forgedHash });
    // Version 3 is self-consistent now, and version 4 still chains to the original hash;
    // the log holds version 3's original hash, so the break is named where it is.
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 3));
  });

  it("(b') the head rewritten with a recomputed hash: the chain holds, the views' witness does not", async () => {
    const b = await build("b-head");
    const item = await getItem(b.entityId, 6);
    const event = parsed(item);
    (event.data as Record<string, unknown>).effectiveFrom = "2023-02-01";
    const canonical = canonicalJson(event);
    await putItem({ ...item, canonical, hash: sha256Hex(canonical) });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 6));
  });

  it("(b'') every event from v3 rewritten and re-chained: broken, at or before the witnessed head", async () => {
    const b = await build("b-rechain");
    let prevHash = b.hashes[1] as string;
    for (let v = 3; v <= 6; v++) {
      const item = await getItem(b.entityId, v);
      const event: Record<string, unknown> = { ...parsed(item), prevHash };
      if (v === 3) event.actor = "someone-else";
      const canonical = canonicalJson(event);
      prevHash = sha256Hex(canonical);
      await putItem({ ...item, canonical, hash: prevHash });
    }
    const answer = await verify(b.entityId);
    expect(answer.valid).toBe(false);
    expect(answer.firstBrokenVersion).toBeLessThanOrEqual(6);
  });

  it("a head the views have not witnessed yet is judged by the chain alone", async () => {
    const b = await build("unwitnessed");
    // The witness of v6 removed, as if the projection of the head had not run yet.
    await api.engine.doc.send(
      new DeleteCommand({
        TableName: api.engine.tables.views,
        Key: {
          [VIEWS_TABLE.partitionKey]: `head#${b.entityId}`,
          [VIEWS_TABLE.sortKey]: b.recordedAt[5],
        },
      }),
    );
    expect(await verify(b.entityId)).toEqual({ valid: true, version: 6, headHash: b.hashes[5] });
  });

  it("(a') the hash attribute alone changed: broken at that version", async () => {
    const b = await build("hash");
    const item = await getItem(b.entityId, 2);
    await putItem({ ...item, hash: sha256Hex("something else") });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 2));
  });

  it("(a'') canonical re-serialised in a non-canonical form, hash recomputed: broken there", async () => {
    const b = await build("noncanonical");
    const item = await getItem(b.entityId, 4);
    const text = JSON.stringify(parsed(item), null, 1);
    await putItem({ ...item, canonical: text, hash: sha256Hex(text) });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 4));
  });

  it("(c) an event deleted: broken at the gap", async () => {
    const b = await build("c");
    await deleteItem(b.entityId, 3);
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 3));
  });

  it("(c') the first event deleted: broken at version 1, nothing sound", async () => {
    const b = await build("c-first");
    await deleteItem(b.entityId, 1);
    expect(await verify(b.entityId)).toEqual({
      valid: false,
      version: 0,
      headHash: GENESIS_HASH,
      firstBrokenVersion: 1,
    });
  });

  it("(c'') the head deleted: the chain is sound, but the views witnessed a longer stream", async () => {
    const b = await build("c-head");
    await deleteItem(b.entityId, 6);
    expect(await verify(b.entityId)).toEqual({
      valid: false,
      version: 5,
      headHash: b.hashes[4],
      firstBrokenVersion: 6,
    });
  });

  it("(c-all) every event deleted: broken at version 1, not an unknown entity", async () => {
    const b = await build("c-all");
    for (let v = 1; v <= 6; v++) await deleteItem(b.entityId, v);
    expect(await verify(b.entityId)).toEqual({
      valid: false,
      version: 0,
      headHash: GENESIS_HASH,
      firstBrokenVersion: 1,
    });
  });

  it("(d) two events swapped (v3's content at v4 and v4's at v3): broken at the first", async () => {
    const b = await build("d");
    const v3 = await getItem(b.entityId, 3);
    const v4 = await getItem(b.entityId, 4);
    await putItem({ ...v4, [SK]: 3 });
    await putItem({ ...v3, [SK]: 4 });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 3));
  });

  it("(d') two events swapped with versions and hashes rewritten to fit their new places", async () => {
    // The events of v3 and v4 exchanged, each canonical's version changed to its new key and
    // hash recomputed: v3 now chains correctly to v2 (its prevHash is v2's hash only if it
    // was v3's, which it is not: v4's original prevHash is v3's hash).
    const b = await build("d-rewritten");
    const v3 = await getItem(b.entityId, 3);
    const v4 = await getItem(b.entityId, 4);
    const moved = (item: Item, version: number) => {
      const event = { ...parsed(item), version };
      const canonical = canonicalJson(event);
      return { ...item, [SK]: version, canonical, hash: sha256Hex(canonical) };
    };
    await putItem(moved(v4, 3));
    await putItem(moved(v3, 4));
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 3));
  });

  it("(e) the eventId attribute differs from the canonical: broken at that version", async () => {
    const b = await build("e-id");
    const item = await getItem(b.entityId, 4);
    await putItem({ ...item, eventId: "someone-else" });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 4));
  });

  it("(e') the recordedAt attribute differs from the canonical: broken at that version", async () => {
    const b = await build("e-at");
    const item = await getItem(b.entityId, 4);
    const moved = new Date(Date.parse(String(item.recordedAt)) + 1).toISOString();
    await putItem({ ...item, recordedAt: moved });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 4));
  });

  it("(e, type) the type attribute differs from the canonical: answers follow the canonical", async () => {
    // `type` is stored beside the canonical but is neither indexed nor read: the ledger
    // trusts only the hashed canonical JSON, so a rewritten attribute changes no answer.
    const b = await build("e-type");
    const item = await getItem(b.entityId, 6);
    await putItem({ ...item, type: "EntityAmended" });
    const stream = await api.get(`/entities/${b.entityId}/events`);
    expect(stream.body.events[5].type).toBe("SanctionLifted");
    const state = await api.get(`/entities/${b.entityId}?asOf=2023-06-01`);
    expect(state.body.inForce.map((s: { sanctionId: string }) => s.sanctionId)).toEqual([
      "jp-freeze",
    ]);
  });

  it("(e'') recordedAt rewritten in the canonical and attribute, hash recomputed, out of order", async () => {
    // v2 claims to have been recorded before v1: a self-consistent item, out of time order.
    const b = await build("e-order");
    const first = await getItem(b.entityId, 1);
    const item = await getItem(b.entityId, 2);
    const earlier = new Date(Date.parse(String(first.recordedAt)) - 1000).toISOString();
    const event = { ...parsed(item), recordedAt: earlier };
    const canonical = canonicalJson(event);
    await putItem({ ...item, recordedAt: earlier, canonical, hash: sha256Hex(canonical) });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 2));
  });

  it("(f) an item forged at head+1 with its own valid hash but a wrong prevHash", async () => {
    const b = await build("f");
    const head = await getItem(b.entityId, 6);
    const recordedAt = new Date(Date.parse(String(head.recordedAt)) + 1000).toISOString();
    const forged = {
      entityId: b.entityId,
      version: 7,
      eventId: "forged-7",
      type: "SanctionImposed",
      data: {
        sanctionId: "forged",
        authority: "UK",
        measures: ["asset-freeze"],
        announcedOn: "2022-03-01",
        effectiveFrom: "2022-03-01",
      },
      recordedAt,
      actor: "local",
      prevHash: sha256Hex("not the head"),
    };
    const canonical = canonicalJson(forged);
    await putItem({
      [PK]: b.entityId,
      [SK]: 7,
      eventId: forged.eventId,
      recordedAt,
      type: forged.type,
      hash: sha256Hex(canonical),
      canonical,
    });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 7));
  });

  it("(f') a sound event of another entity transplanted at head+1: broken there", async () => {
    // Its hash is right and its prevHash even matches (both streams chain the same way only
    // by accident, so make it match): the entityId inside the canonical still gives it away.
    const b = await build("f-victim");
    const other = await build("f-donor");
    const donor = await getItem(other.entityId, 6);
    const event = { ...parsed(donor), version: 7, prevHash: b.hashes[5] };
    const head = await getItem(b.entityId, 6);
    const recordedAt = new Date(Date.parse(String(head.recordedAt)) + 1000).toISOString();
    const canonical = canonicalJson({ ...event, recordedAt });
    await putItem({
      ...donor,
      [PK]: b.entityId,
      [SK]: 7,
      recordedAt,
      canonical,
      hash: sha256Hex(canonical),
    });
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 7));
  });

  it("a whole stream copied from another entity: broken at version 1", async () => {
    const donor = await build("copy-donor");
    const entityId = `tamper-copy-target-${++entities}`;
    for (let v = 1; v <= HISTORY.length; v++) {
      await putItem({ ...(await getItem(donor.entityId, v)), [PK]: entityId });
    }
    expect(await verify(entityId)).toEqual({
      valid: false,
      version: 0,
      headHash: GENESIS_HASH,
      firstBrokenVersion: 1,
      missingWitnesses: ["the views hold no record of this stream's head"],
    });
  });

  it("backdating v3 and re-chaining v3–v6, the latest witness rewritten too: broken at v3, from every witness held", async () => {
    const b = await build("backdate");
    let prevHash = b.hashes[1] as string;
    const rewritten: string[] = [];
    for (let v = 3; v <= 6; v++) {
      const item = await getItem(b.entityId, v);
      const event: Record<string, unknown> = { ...parsed(item), prevHash };
      if (v === 3)
        event.recordedAt = new Date(Date.parse(b.recordedAt[1] as string) + 1).toISOString();
      const canonical = canonicalJson(event);
      prevHash = sha256Hex(canonical);
      rewritten.push(prevHash);
      await putItem({ ...item, canonical, recordedAt: event.recordedAt, hash: prevHash });
    }
    // The latest witness the views hold, rewritten to the forged head.
    const witnesses = await queryViews(`head#${b.entityId}`);
    const latest = witnesses.at(-1) as Item;
    await api.engine.doc.send(
      new PutCommand({
        TableName: api.engine.tables.views,
        Item: { ...latest, value: { ...(latest.value as object), headHash: rewritten.at(-1) } },
      }),
    );
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 3));
  });

  it("witnesses deleted are reported missing, not accepted", async () => {
    const b = await build("unwitnessed-all");
    for (const w of await queryViews(`head#${b.entityId}`)) {
      await api.engine.doc.send(
        new DeleteCommand({ TableName: api.engine.tables.views, Key: { pk: w.pk, sk: w.sk } }),
      );
    }
    for (const v of [2, 3]) {
      await api.engine.doc.send(
        new DeleteCommand({
          TableName: api.engine.tables.views,
          Key: LOG_KEYS.claim(b.entityId, v),
        }),
      );
    }
    expect(await verify(b.entityId)).toEqual({
      valid: true,
      version: HISTORY.length,
      headHash: b.hashes[HISTORY.length - 1],
      missingWitnesses: [
        "the views hold no record of this stream's head",
        "the log holds no leaf for version 2–3, though it holds version 6",
      ],
    });
  });

  it("verify re-reads the table even when the reader holds the entity's view in memory", async () => {
    const b = await build("cached");
    // The state read warms the reader's cache; tamper after it, then read and verify again.
    const item = await getItem(b.entityId, 5);
    const event = parsed(item);
    (event.data as Record<string, unknown>).aliases = { add: ["Someone Else"] };
    await putItem({ ...item, canonical: canonicalJson(event) });
    expect((await api.get(`/entities/${b.entityId}`)).status).toBe(200);
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 5));
    // Asked again, the answer is the same: nothing was cached or repaired.
    expect(await verify(b.entityId)).toEqual(brokenAt(b, 5));
  });
});
