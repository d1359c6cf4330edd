import { describe, expect, it } from "vitest";
import { type AppendRequest, Ledger } from "../../functions/app/ledger.js";
import { eventIdKey, fold, mayHoldEventId } from "../../functions/domain/state.js";
import { eventOf } from "../../functions/domain/verify.js";
import { MemoryEventStore, MemoryViewStore } from "../../functions/store/memory.js";
import { VersionTaken } from "../../functions/store/ports.js";

/** A memory event store that counts its `eventId` look-ups. */
class CountingEvents extends MemoryEventStore {
  lookups = 0;
  override async findByEventId(entityId: string, eventId: string) {
    this.lookups++;
    return super.findByEventId(entityId, eventId);
  }
}

function ledgerOver(events: MemoryEventStore, views: MemoryViewStore, tick = { ms: 0 }): Ledger {
  let n = 0;
  return new Ledger({
    events,
    views,
    now: () => new Date(Date.UTC(2026, 0, 1) + tick.ms++),
    newId: () => `generated-${++n}`,
  });
}

const register: AppendRequest = {
  eventId: "reg",
  type: "EntityRegistered",
  data: { name: "ACME TRADING LLC", kind: "organization" },
};
const alias = (k: number): AppendRequest => ({
  eventId: `alias-${k}`,
  type: "EntityAmended",
  data: { aliases: { add: [`ACME ${k}`] } },
});

describe("eventId digests in the state", () => {
  it("every folded event leaves the digest of its eventId; a state may hold only those", async () => {
    const events = new MemoryEventStore();
    const ledger = ledgerOver(events, new MemoryViewStore());
    await ledger.append("acme", register, "t");
    await ledger.append("acme", alias(1), "t");
    const state = fold("acme", (await events.read("acme")).records.map(eventOf));
    expect(state.versions.map((v) => v.key)).toEqual([eventIdKey("reg"), eventIdKey("alias-1")]);
    expect(mayHoldEventId(state, "reg")).toBe(true);
    expect(mayHoldEventId(state, "alias-1")).toBe(true);
    expect(mayHoldEventId(state, "alias-2")).toBe(false);
  });

  it("a state without digests (folded by an older release) may hold any id", () => {
    const state = fold("acme", []);
    state.versions.push({ type: "EntityRegistered" });
    expect(mayHoldEventId(state, "anything")).toBe(true);
  });

  it("eventIdKey is a stable 32-bit digest", () => {
    expect(eventIdKey("")).toBe(0x811c9dc5);
    expect(eventIdKey("a")).toBe(0xe40c292c);
    expect(eventIdKey("alias-1")).not.toBe(eventIdKey("alias-2"));
  });
});

describe("appends with a client eventId", () => {
  it("look the id up only when the state may hold it", async () => {
    const events = new CountingEvents();
    const ledger = ledgerOver(events, new MemoryViewStore());
    expect((await ledger.append("acme", register, "t")).status).toBe(201);
    for (let k = 1; k <= 5; k++) {
      expect((await ledger.append("acme", alias(k), "t")).status).toBe(201);
    }
    expect(events.lookups).toBe(0);
    const replayed = await ledger.append("acme", alias(3), "t");
    expect(replayed.status).toBe(200);
    expect(replayed.answer.version).toBe(4);
    expect(events.lookups).toBe(1);
  });

  it("a process whose view trails the stream replays an id another process wrote", async () => {
    const events = new CountingEvents();
    const views = new MemoryViewStore();
    const tick = { ms: 0 };
    const a = ledgerOver(events, views, tick);
    const b = ledgerOver(events, views, tick);
    await a.append("acme", register, "t");
    // A remembers the view at version 1; B then writes alias-1 at version 2.
    expect((await b.append("acme", alias(1), "t")).status).toBe(201);
    // A's retry of the same request: its state (version 1) rules the id out, its write of
    // version 2 loses, the state it catches up to holds the id, and the look-up finds it.
    const retried = await a.append("acme", alias(1), "t");
    expect(retried.status).toBe(200);
    expect(retried.answer.version).toBe(2);
    expect((await events.read("acme")).records).toHaveLength(2);
  });

  it("a reused id with other content is still a conflict", async () => {
    const ledger = ledgerOver(new MemoryEventStore(), new MemoryViewStore());
    await ledger.append("acme", register, "t");
    await ledger.append("acme", alias(1), "t");
    await expect(
      ledger.append("acme", { ...alias(2), eventId: "alias-1" }, "t"),
    ).rejects.toMatchObject({ name: "EventIdConflict" });
  });
});

/** An event store whose first append is stored but answered as lost, then refused on retry. */
class LostAnswerEvents extends MemoryEventStore {
  lost = 1;
  override async append(record: Parameters<MemoryEventStore["append"]>[0]) {
    await super.append(record);
    if (this.lost-- > 0) throw new VersionTaken(record.entityId, record.version);
  }
}

describe("an append whose write landed but whose answer was lost", () => {
  it("without a client eventId: answered 201 with its own event, written once", async () => {
    const events = new LostAnswerEvents();
    events.lost = 0;
    const ledger = ledgerOver(events, new MemoryViewStore());
    await ledger.append("acme", { ...register, eventId: undefined }, "t");
    events.lost = 1;
    const { eventId: _, ...request } = alias(1);
    const result = await ledger.append("acme", request, "t");
    expect(result.status).toBe(201);
    expect(result.answer.version).toBe(2);
    expect((await events.read("acme")).records).toHaveLength(2);
  });

  it("with a client eventId: answered with the stored event, written once", async () => {
    const events = new LostAnswerEvents();
    events.lost = 0;
    const ledger = ledgerOver(events, new MemoryViewStore());
    await ledger.append("acme", register, "t");
    events.lost = 1;
    const result = await ledger.append("acme", alias(1), "t");
    expect(result.answer.version).toBe(2);
    expect((await events.read("acme")).records).toHaveLength(2);
  });
});

describe("a registration that expects a new stream", () => {
  class CountingReads extends MemoryEventStore {
    reads = 0;
    override async read(...args: Parameters<MemoryEventStore["read"]>) {
      this.reads++;
      return super.read(...args);
    }
  }
  const expectingNew: AppendRequest = { ...register, expectedVersion: 0 };

  it("is put without reading the stream first", async () => {
    const events = new CountingReads();
    const answer = await ledgerOver(events, new MemoryViewStore()).append(
      "acme",
      expectingNew,
      "t",
    );
    expect(answer).toMatchObject({ status: 201, answer: { version: 1 } });
    expect(events.reads).toBe(0);
  });

  it("found stored already, by another process: a replay of its eventId answers 200, another eventId 409", async () => {
    const events = new CountingReads();
    const views = new MemoryViewStore();
    const first = await ledgerOver(events, views).append("acme", expectingNew, "t");
    // Fresh processes: nothing held, so each learns of the stream from its conditional put.
    const replay = await ledgerOver(events, views).append("acme", expectingNew, "t");
    expect(replay).toEqual({ ...first, status: 200 });
    await expect(
      ledgerOver(events, views).append("acme", { ...expectingNew, eventId: "other" }, "t"),
    ).rejects.toMatchObject({ name: "VersionConflict" });
    expect((await events.read("acme")).records).toHaveLength(1);
  });
});
