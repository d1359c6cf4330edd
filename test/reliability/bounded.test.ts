/**
 * What an event costs to project, against a real dynalite server: the derived writes of an
 * event are those its own change opens or closes, whatever the entity's history and names;
 * search reads only what holds now; a projector killed any number of times converges; and
 * the limits on names are answered clearly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prng } from "../../bench/history.js";
import type { AppendRequest } from "../../functions/app/ledger.js";
import { Ledger } from "../../functions/app/ledger.js";
import { NAME_LIMITS } from "../../functions/domain/limits.js";
import type { DerivedWrite } from "../../functions/domain/projections/index.js";
import { wordPartition } from "../../functions/domain/rows.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { DEFAULT_TIMEOUT_SECONDS } from "../../infra/function.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";
import { expectProjected } from "../support/projection.js";

let api: RunningLedger;
let events: DynamoEventStore;
let views: DynamoViewStore;
beforeAll(async () => {
  api = await startLedger();
  events = new DynamoEventStore(api.engine.doc, api.engine.tables.events);
  views = new DynamoViewStore(api.engine.doc, api.engine.tables.views);
});
afterAll(async () => {
  await api.close();
});

/** The DynamoDB view store, counting the derived writes it is asked for, by type. */
class CountingViews extends DynamoViewStore {
  counts: Record<string, number> = {};
  reset() {
    this.counts = {};
  }
  override async write(writes: readonly DerivedWrite[]) {
    for (const w of writes) {
      const what =
        w.type === "record"
          ? `record:${w.record.kind}`
          : w.type === "entry"
            ? `entry:${w.entry.kind}`
            : w.type;
      this.counts[what] = (this.counts[what] ?? 0) + 1;
    }
    return super.write(writes);
  }
  get total() {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

let n = 0;
function counted() {
  const counting = new CountingViews(api.engine.doc, api.engine.tables.views);
  const ledger = new Ledger({
    events,
    views: counting,
    now: () => new Date(),
    newId: () => `bounded-${++n}`,
  });
  return { counting, ledger };
}

/** `count` distinct words of 7 random letters. */
function words(seed: number, count: number): string[] {
  const next = prng(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: 7 }, () => String.fromCharCode(97 + Math.floor(next() * 26))).join(""),
  );
}

/** The largest set of names the API admits: the most aliases, the most words in all. */
function heaviestNames(seed: number): string[] {
  const pool = words(seed, NAME_LIMITS.wordsPerEntity);
  const perAlias = Math.floor(NAME_LIMITS.wordsPerEntity / (NAME_LIMITS.aliases + 1));
  return Array.from({ length: NAME_LIMITS.aliases }, (_, i) =>
    pool.slice(i * perAlias, (i + 1) * perAlias).join(" "),
  );
}

const imposition = (sanctionId: string): AppendRequest => ({
  type: "SanctionImposed",
  data: {
    sanctionId,
    authority: "EU",
    measures: ["asset-freeze"],
    announcedOn: "2022-03-01",
    effectiveFrom: "2022-03-15",
  },
});

describe("derived writes bounded by the event", () => {
  it("the heaviest names the API admits: a rename files the names it changes only, an imposition no name at all", async () => {
    const { counting, ledger } = counted();
    // One alias short of the most, so that one more may be added below.
    const aliases = heaviestNames(1).slice(1);
    const registered = await ledger.append(
      "heavy",
      {
        type: "EntityRegistered",
        data: { name: "Heavy Names Bank", kind: "organization", aliases },
      },
      "t",
    );
    expect(registered.status).toBe(201);
    // The registration files a search row per distinct word: as many as the event carries.
    expect(counting.counts.name).toBeGreaterThan(NAME_LIMITS.wordsPerEntity * 0.85);

    counting.reset();
    await ledger.append(
      "heavy",
      { type: "EntityAmended", data: { name: "Heavy Names Trust" } },
      "t",
    );
    // The old name's three words out, the new name's in (none of the aliases'); the details,
    // the head, the card and the event's row in the record-time index once each.
    expect(counting.counts).toEqual({
      name: 3,
      unname: 3,
      card: 1,
      "record:details": 1,
      "record:head": 1,
      "entry:recorded": 1,
    });

    counting.reset();
    await ledger.append(
      "heavy",
      { type: "EntityAmended", data: { aliases: { add: ["Zeta Omega"] } } },
      "t",
    );
    expect(counting.counts.name).toBe(2);
    expect(counting.counts.unname).toBeUndefined();

    counting.reset();
    await ledger.append("heavy", imposition("s1"), "t");
    const heavyImposition = counting.counts;
    // The same imposition on an entity with one short name writes the same items.
    const light = counted();
    await light.ledger.append(
      "light",
      { type: "EntityRegistered", data: { name: "Light", kind: "organization" } },
      "t",
    );
    light.counting.reset();
    await light.ledger.append("light", imposition("s1"), "t");
    expect(heavyImposition).toEqual(light.counting.counts);
    expect(heavyImposition.name).toBeUndefined();
    await expectProjected(events, views, "heavy");
  }, 120_000);

  it("an event on a long history writes what it changes, not the history", async () => {
    const { counting, ledger } = counted();
    await ledger.append(
      "long",
      { type: "EntityRegistered", data: { name: "Long History", kind: "organization" } },
      "t",
    );
    for (let i = 0; i < 150; i++) await ledger.append("long", imposition(`s${i}`), "t");
    counting.reset();
    await ledger.append("long", imposition("last"), "t");
    const late = counting.total;
    const fresh = counted();
    await fresh.ledger.append(
      "short",
      { type: "EntityRegistered", data: { name: "Short", kind: "organization" } },
      "t",
    );
    fresh.counting.reset();
    await fresh.ledger.append("short", imposition("first"), "t");
    expect(late).toBe(fresh.counting.total);
  }, 120_000);
});

/**
 * The DynamoDB requests the local ledger's writer sends while `work` runs, and the waves
 * they come in: a wave starts when a request leaves with none in flight, so the waves are
 * the round trips an append waits for one after the other, whatever the engine's speed.
 */
async function roundTrips(work: () => Promise<void>): Promise<{ requests: number; waves: number }> {
  let inFlight = 0;
  const seen = { requests: 0, waves: 0 };
  const name = "bounded-round-trips";
  api.engine.doc.middlewareStack.add(
    (next) => async (args) => {
      seen.requests++;
      if (inFlight++ === 0) seen.waves++;
      try {
        return await next(args);
      } finally {
        inFlight--;
      }
    },
    { step: "initialize", name },
  );
  try {
    await work();
  } finally {
    api.engine.doc.middlewareStack.remove(name);
  }
  return seen;
}

describe("the writer's timeout", () => {
  it("leaves a margin over the slowest append the limits admit: the heaviest registration, then its rename", async () => {
    // Every word of every name is a search row: the registration with the most words an
    // entity may have writes the most derived items of any one event. Over HTTP, as the
    // writer runs it. What it costs in time is its round trips to DynamoDB, one wave after
    // the other (the writes of a wave go together): at a generous 100 ms each, the waves
    // must fit in half of the function's timeout. (Its wall time is the bench's to measure:
    // the write-path section's heaviest-names row.)
    const budget = (DEFAULT_TIMEOUT_SECONDS * 1000) / 2 / 100;
    const registration = await roundTrips(async () => {
      const registered = await api.post("/entities/slowest/events", {
        type: "EntityRegistered",
        data: { name: "Slowest Possible Bank", kind: "organization", aliases: heaviestNames(9) },
      });
      expect(registered.status).toBe(201);
    });
    const rename = await roundTrips(async () => {
      const renamed = await api.post("/entities/slowest/events", {
        type: "EntityAmended",
        data: { name: "Slowest Possible Trust" },
      });
      expect(renamed.status).toBe(201);
    });
    // The registration files a search row for nearly every one of its 2,000 words, 25 to a
    // request: what is measured is that heavy work, which goes 4 requests at once.
    expect(registration.requests).toBeGreaterThan((NAME_LIMITS.wordsPerEntity * 0.85) / 25);
    expect(registration.waves, "the heaviest registration's round trips").toBeLessThanOrEqual(
      budget,
    );
    expect(rename.waves, "its rename's round trips").toBeLessThanOrEqual(budget);
  }, 60_000);
});

describe("search reads what holds now", () => {
  it("renames and re-imports of common words never make another entity's search fail", async () => {
    const { ledger } = counted();
    await ledger.append(
      "vtb-like",
      { type: "EntityRegistered", data: { name: "VTB Bank PJSC", kind: "organization" } },
      "t",
    );
    // An entity whose name holds "bank", renamed back and forth: every rename drops the row
    // it replaced, so no history of its names stays behind for queries to read.
    await ledger.append(
      "renamed",
      { type: "EntityRegistered", data: { name: "Bank 0", kind: "organization" } },
      "t",
    );
    for (let i = 1; i <= 60; i++) {
      await ledger.append("renamed", { type: "EntityAmended", data: { name: `Bank ${i}` } }, "t");
    }
    const rows = await views.queryRows(wordPartition("bank"), { beginsWith: "bank#renamed#" }, 100);
    expect(rows.rows).toHaveLength(1);
    const found = await api.get("/search?q=vtb%20bank");
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { entityId: string }) => i.entityId)).toEqual(["vtb-like"]);
    const renamed = await api.get("/search?q=bank%2060");
    expect(renamed.body.items).toEqual([
      { entityId: "renamed", name: "Bank 60", matched: "Bank 60" },
    ]);
    expect((await api.get("/search?q=bank%2059")).body.items).toEqual([]);
  }, 60_000);

  it("answers the entity's own name when it matches, before an alias as short", async () => {
    const { ledger } = counted();
    await ledger.append(
      "own-name",
      {
        type: "EntityRegistered",
        data: { name: "Zorba Qux", kind: "organization", aliases: ["Qux Zorba", "Zorba"] },
      },
      "t",
    );
    const found = await api.get("/search?q=zorba%20qux");
    expect(found.body.items).toEqual([
      { entityId: "own-name", name: "Zorba Qux", matched: "Zorba Qux" },
    ]);
    const alias = await api.get("/search?q=zorb");
    expect(alias.body.items).toEqual([
      { entityId: "own-name", name: "Zorba Qux", matched: "Zorba Qux" },
    ]);
  });

  it("keys are cut by code points: a name of astral letters files well-formed keys", async () => {
    const { ledger } = counted();
    const name = "𠀀𠀁𠀂 Trading";
    await ledger.append("astral", { type: "EntityRegistered", data: { name, kind: "other" } }, "t");
    const pk = wordPartition("𠀀𠀁𠀂");
    expect(pk).toBe("word#𠀀𠀁");
    expect(pk.isWellFormed()).toBe(true);
    const found = await api.get(`/search?q=${encodeURIComponent("𠀀𠀁")}`);
    expect(found.body.items.map((i: { entityId: string }) => i.entityId)).toEqual(["astral"]);
  });
});

describe("limits on names", () => {
  const register = (data: Record<string, unknown>) => ({
    type: "EntityRegistered",
    data: { kind: "organization", ...data },
  });

  it("more aliases than an entity may have: 422 naming the aliases, nothing written", async () => {
    const aliases = Array.from({ length: NAME_LIMITS.aliases + 1 }, (_, i) => `Alias ${i}`);
    const res = await api.post(
      "/entities/too-many-aliases/events",
      register({ name: "X", aliases }),
    );
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: "/data/aliases", message: expect.stringMatching(/at most 256/) },
    ]);
    expect((await api.get("/entities/too-many-aliases")).status).toBe(404);
  });

  it("more words in one name, or in all names, than allowed: 422, nothing written", async () => {
    const long = Array.from({ length: NAME_LIMITS.wordsPerName + 1 }, () => "ab").join(" ");
    const res = await api.post("/entities/too-many-words/events", register({ name: long }));
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/at most 64 words/);
    const all = Array.from({ length: 40 }, (_, i) => words(10 + i, 60).join(" "));
    const over = await api.post(
      "/entities/too-many-in-all/events",
      register({ name: "Y", aliases: all }),
    );
    expect(over.status).toBe(422);
    expect(over.body.detail).toMatch(/at most 2000 are allowed/);
    expect((await api.get("/entities/too-many-in-all")).status).toBe(404);
  });

  it("an amendment that would pass the limits: 422, and the entity is unchanged", async () => {
    await api.post(
      "/entities/near-limit/events",
      register({
        name: "Near",
        aliases: Array.from({ length: NAME_LIMITS.aliases }, (_, i) => `Alias ${i}`),
      }),
    );
    const res = await api.post("/entities/near-limit/events", {
      type: "EntityAmended",
      data: { aliases: { add: ["One Too Many"] } },
    });
    expect(res.status).toBe(422);
    expect((await api.get("/entities/near-limit")).body.version).toBe(1);
  });
});

describe("a batch of appends", () => {
  const batch = (prefix: string, entities: number) =>
    Array.from({ length: entities }, (_, e) => [
      {
        entityId: `${prefix}-${e}`,
        request: {
          type: "EntityRegistered",
          data: { name: `Batch Holding ${prefix} ${e}`, kind: "organization" },
        } as AppendRequest,
      },
      { entityId: `${prefix}-${e}`, request: imposition(`s-${e}`) },
    ]).flat();

  it("files the derived writes of all its events together: its heads after all else", async () => {
    const { counting, ledger } = counted();
    const calls: string[][] = [];
    const write = counting.write.bind(counting);
    counting.write = async (writes) => {
      calls.push([...new Set(writes.map((w) => (w.type === "record" ? w.record.kind : w.type)))]);
      return write(writes);
    };
    const outcomes = await ledger.appendMany(batch("together", 40), "t");
    expect(outcomes.every((o) => o.status === "fulfilled" && o.value.status === 201)).toBe(true);
    // Two calls for 80 events: everything but the heads, then the heads.
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(["head"]);
    expect(calls[0]).not.toContain("head");
    for (let e = 0; e < 40; e++) await expectProjected(events, views, `together-${e}`);
    // Read-your-writes: the answer came after the views were filed.
    const state = await ledger.state("together-7", { asOf: "2024-06-01" });
    expect(state.inForce.map((s) => s.sanctionId)).toEqual(["s-7"]);
  });

  it("a filing cut short leaves every event stored and answered; the projector completes the views", async () => {
    const failed: string[] = [];
    let calls = 0;
    class Cut extends DynamoViewStore {
      override async write(writes: readonly DerivedWrite[]) {
        // The first call lands half its items, then the process loses the rest.
        if (++calls === 1) {
          await super.write(writes.filter((_, i) => i % 2 === 0));
          throw new Error("cut short");
        }
        return super.write(writes);
      }
    }
    const cut = new Cut(api.engine.doc, api.engine.tables.views);
    const ledger = new Ledger({
      events,
      views: cut,
      now: () => new Date(),
      newId: () => `bounded-${++n}`,
      onViewError: (entityId) => failed.push(entityId),
    });
    const outcomes = await ledger.appendMany(batch("cut", 10), "t");
    expect(outcomes.every((o) => o.status === "fulfilled" && o.value.status === 201)).toBe(true);
    expect(new Set(failed).size).toBe(10);
    // A later append on one of them, in the same process, must not vouch for the lost writes.
    await ledger.append("cut-3", imposition("later"), "t");
    const fresh = counted().ledger;
    for (let e = 0; e < 10; e++) {
      await fresh.project(`cut-${e}`);
      await expectProjected(events, views, `cut-${e}`);
    }
  });

  it("an append to one of its entities while the batch files, in the same process, keeps every head sound", async () => {
    let filing: () => void = () => {};
    const started = new Promise<void>((r) => {
      filing = r;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let gated = true;
    class Gated extends DynamoViewStore {
      override async write(writes: readonly DerivedWrite[]) {
        if (gated) {
          gated = false;
          filing();
          await released;
        }
        return super.write(writes);
      }
    }
    const ledger = new Ledger({
      events,
      views: new Gated(api.engine.doc, api.engine.tables.views),
      now: () => new Date(),
      newId: () => `bounded-${++n}`,
    });
    const batched = ledger.appendMany(batch("meanwhile", 20), "t");
    await started;
    // Every append of the batch is stored, none of its writes filed yet.
    const single = await ledger.append("meanwhile-19", imposition("meanwhile"), "t");
    expect(single.answer.version).toBe(3);
    release();
    const outcomes = await batched;
    expect(outcomes.every((o) => o.status === "fulfilled")).toBe(true);
    for (let e = 0; e < 20; e++) await expectProjected(events, views, `meanwhile-${e}`);
    const state = await counted().ledger.state("meanwhile-19", { asOf: "2024-06-01" });
    expect(state.inForce.map((s) => s.sanctionId).sort()).toEqual(["meanwhile", "s-19"]);
  });
});
