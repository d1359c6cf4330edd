import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { recordingTime, stamp } from "../../functions/domain/decide.js";
import { GENESIS_HASH } from "../../functions/domain/events.js";
import { canonicalJson } from "../../functions/domain/hash.js";
import { evolve, initialState } from "../../functions/domain/state.js";
import {
  againstWitnesses,
  eventOf,
  type SealedRecord,
  verifyChain,
} from "../../functions/domain/verify.js";
import {
  ACTOR,
  ENTITY,
  entityAmended,
  given,
  imposed,
  lifted,
  recordedAtOf,
  recordsOf,
  registered,
  retracted,
} from "./given.js";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("recordingTime", () => {
  const now = new Date("2022-03-26T09:15:02.123Z");

  it("is now on an empty stream", () => {
    expect(recordingTime(initialState(ENTITY), now)).toBe("2022-03-26T09:15:02.123Z");
  });

  it("is now when the head was recorded earlier", () => {
    const state = { ...initialState(ENTITY), headRecordedAt: "2022-03-26T09:15:02.122Z" };
    expect(recordingTime(state, now)).toBe("2022-03-26T09:15:02.123Z");
  });

  it("is the head + 1 ms when the head was recorded at the same moment", () => {
    const state = { ...initialState(ENTITY), headRecordedAt: "2022-03-26T09:15:02.123Z" };
    expect(recordingTime(state, now)).toBe("2022-03-26T09:15:02.124Z");
  });

  it("is the head + 1 ms when the head is later than now (a clock behind)", () => {
    const state = { ...initialState(ENTITY), headRecordedAt: "2022-03-26T10:00:00.999Z" };
    expect(recordingTime(state, now)).toBe("2022-03-26T10:00:01.000Z");
  });

  it("strictly increases over events stamped with a frozen clock", () => {
    let state = initialState(ENTITY);
    const times: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = i === 0 ? registered() : imposed({ sanctionId: `s${i}` });
      const { event } = stamp(body, { entityId: ENTITY, eventId: `e${i}` }, state, {
        now,
        actor: ACTOR,
      });
      times.push(event.recordedAt);
      state = evolve(state, event);
    }
    expect(times).toEqual([
      "2022-03-26T09:15:02.123Z",
      "2022-03-26T09:15:02.124Z",
      "2022-03-26T09:15:02.125Z",
      "2022-03-26T09:15:02.126Z",
      "2022-03-26T09:15:02.127Z",
    ]);
  });
});

describe("stamp", () => {
  const now = new Date("2022-03-26T09:15:02.123Z");

  it("seals version 1 on the genesis hash, over the contract's canonical JSON", () => {
    const { event, canonical } = stamp(
      { type: "EntityRegistered", data: { name: "VTB Bank", kind: "organization" } },
      { entityId: ENTITY, eventId: "e1" },
      initialState(ENTITY),
      { now, actor: "local" },
    );
    expect(canonical).toBe(
      '{"actor":"local","data":{"kind":"organization","name":"VTB Bank"},"entityId":"ru-vtb-bank",' +
        '"eventId":"e1","prevHash":"0000000000000000000000000000000000000000000000000000000000000000",' +
        '"recordedAt":"2022-03-26T09:15:02.123Z","type":"EntityRegistered","version":1}',
    );
    expect(event).toEqual({
      entityId: ENTITY,
      version: 1,
      eventId: "e1",
      type: "EntityRegistered",
      data: { name: "VTB Bank", kind: "organization" },
      recordedAt: "2022-03-26T09:15:02.123Z",
      actor: "local",
      prevHash: GENESIS_HASH,
      hash: sha256(canonical),
    });
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(GENESIS_HASH).toBe("0".repeat(64));
  });

  it("takes version head + 1 and chains to the head's hash", () => {
    const g = given(registered(), imposed({ sanctionId: "s" }));
    const { event } = stamp(
      lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
      { entityId: ENTITY, eventId: "lift" },
      g.state,
      { now, actor: ACTOR },
    );
    expect(event.version).toBe(3);
    expect(event.prevHash).toBe(g.events[1]?.hash);
    expect(g.events.map((e) => e.version)).toEqual([1, 2]);
    expect(g.events[1]?.prevHash).toBe(g.events[0]?.hash);
    expect(g.events[0]?.prevHash).toBe(GENESIS_HASH);
  });

  it("hashes exactly {entityId, version, eventId, type, data, source?, recordedAt, actor, prevHash}", () => {
    const g = given(registered());
    const source = {
      title: "MOF press release",
      url: "https://www.mof.go.jp/",
      publishedOn: "2022-03-25",
    };
    const body = imposed({ sanctionId: "s", scope: { goods: ["luxury"], note: "é ü" } });
    const { event, canonical } = stamp(
      body,
      { entityId: ENTITY, eventId: "imp", source },
      g.state,
      { now, actor: "arn:aws:iam::123456789012:user/ops" },
    );
    const expected = {
      entityId: ENTITY,
      version: 2,
      eventId: "imp",
      type: body.type,
      data: body.data,
      source,
      recordedAt: "2022-03-26T09:15:02.123Z",
      actor: "arn:aws:iam::123456789012:user/ops",
      prevHash: g.events[0]?.hash,
    };
    expect(canonical).toBe(canonicalize(expected));
    expect(event.hash).toBe(sha256(canonicalize(expected) ?? ""));
    expect(event.source).toEqual(source);
  });

  it("omits an absent source from the hashed JSON", () => {
    const { canonical, event } = stamp(
      registered(),
      { entityId: ENTITY, eventId: "e1" },
      initialState(ENTITY),
      { now, actor: ACTOR },
    );
    expect(canonical).not.toContain("source");
    expect("source" in event).toBe(false);
  });

  it("does not hash fields of the command outside the contract (expectedVersion)", () => {
    const a = stamp(registered(), { entityId: ENTITY, eventId: "e1" }, initialState(ENTITY), {
      now,
      actor: ACTOR,
    });
    const command = { entityId: ENTITY, eventId: "e1", expectedVersion: 0 };
    const b = stamp(registered(), command, initialState(ENTITY), { now, actor: ACTOR });
    expect(b).toEqual(a);
  });

  it("the canonical JSON is RFC 8785: sorted keys, no whitespace, ES number form", () => {
    expect(canonicalJson({ b: 1, a: [1e21, 0.5, -0], c: { z: null, y: "\u00e9" } })).toBe(
      '{"a":[1e+21,0.5,0],"b":1,"c":{"y":"é","z":null}}',
    );
  });
});

describe("verifyChain", () => {
  const g = given(
    registered(),
    imposed({ sanctionId: "s" }),
    lifted({ sanctionId: "s", effectiveFrom: "2022-06-01" }),
    retracted(3),
  );
  const records = recordsOf(g);
  const head = g.events[3]?.hash;

  const at = (i: number): SealedRecord => {
    const r = records[i];
    if (!r) throw new Error(`no record ${i}`);
    return r;
  };
  const replace = (i: number, record: SealedRecord) =>
    records.map((r, j) => (j === i ? record : r));

  it("accepts an intact chain", () => {
    expect(verifyChain(ENTITY, records)).toEqual({ valid: true, version: 4, headHash: head });
  });

  it("accepts an empty stream at the genesis hash", () => {
    expect(verifyChain(ENTITY, [])).toEqual({ valid: true, version: 0, headHash: GENESIS_HASH });
  });

  it("eventOf reads back the event from its canonical JSON", () => {
    expect(records.map(eventOf)).toEqual(g.events);
  });

  it("detects a changed canonical JSON", () => {
    const r = at(1);
    const tampered = { ...r, canonical: r.canonical.replace("asset-freeze", "export-ban") };
    expect(tampered.canonical).not.toBe(r.canonical);
    expect(verifyChain(ENTITY, replace(1, tampered))).toEqual({
      valid: false,
      version: 1,
      headHash: g.events[0]?.hash,
      firstBrokenVersion: 2,
    });
  });

  it("detects a canonical JSON that is no longer canonical (whitespace)", () => {
    const r = at(2);
    const tampered = { ...r, canonical: r.canonical.replace('{"actor"', '{ "actor"') };
    expect(verifyChain(ENTITY, replace(2, tampered))).toMatchObject({
      valid: false,
      firstBrokenVersion: 3,
    });
  });

  it("detects a changed hash", () => {
    const tampered = { ...at(2), hash: "f".repeat(64) };
    expect(verifyChain(ENTITY, replace(2, tampered))).toMatchObject({
      valid: false,
      version: 2,
      firstBrokenVersion: 3,
    });
  });

  it("an event rewritten and rehashed breaks the chain at its successor", () => {
    const r = at(1);
    const canonical = r.canonical.replace("asset-freeze", "export-ban");
    const tampered = { ...r, canonical, hash: sha256(canonical) };
    expect(verifyChain(ENTITY, replace(1, tampered))).toMatchObject({
      valid: false,
      version: 2,
      firstBrokenVersion: 3,
    });
  });

  it("detects a removed record (a gap)", () => {
    const withoutV2 = records.filter((r) => r.version !== 2);
    expect(verifyChain(ENTITY, withoutV2)).toEqual({
      valid: false,
      version: 1,
      headHash: g.events[0]?.hash,
      firstBrokenVersion: 2,
    });
  });

  it("a removed head is not a break: the chain is valid up to the new head", () => {
    expect(verifyChain(ENTITY, records.slice(0, 3))).toEqual({
      valid: true,
      version: 3,
      headHash: g.events[2]?.hash,
    });
  });

  it("detects reordered records", () => {
    expect(verifyChain(ENTITY, [at(0), at(2), at(1), at(3)])).toMatchObject({
      valid: false,
      version: 1,
      firstBrokenVersion: 2,
    });
  });

  it("detects a record whose indexed attributes disagree with its canonical JSON", () => {
    expect(verifyChain(ENTITY, replace(1, { ...at(1), eventId: "other" }))).toMatchObject({
      firstBrokenVersion: 2,
    });
    expect(
      verifyChain(ENTITY, replace(1, { ...at(1), recordedAt: "2022-03-26T09:00:01.001Z" })),
    ).toMatchObject({ firstBrokenVersion: 2 });
    expect(verifyChain(ENTITY, replace(1, { ...at(1), version: 5 }))).toMatchObject({
      firstBrokenVersion: 2,
    });
  });

  it("detects another entity's stream", () => {
    expect(verifyChain("country-ru", records)).toMatchObject({
      valid: false,
      firstBrokenVersion: 1,
    });
  });

  it("the given streams are recorded one second apart", () => {
    expect(g.events.map((e) => e.recordedAt)).toEqual([1, 2, 3, 4].map(recordedAtOf));
  });
});

describe("the chain against the head the views witnessed", () => {
  const g = given(registered(), entityAmended({ name: "A" }), entityAmended({ name: "B" }));
  const records = recordsOf(g);
  const chain = verifyChain(ENTITY, records);
  const hash = (v: number) => records[v - 1]?.hash as string;
  const judged = (
    of: readonly (typeof records)[number][],
    head: { version: number; headHash: string } | undefined,
  ) => againstWitnesses(ENTITY, of, head, []);

  it("a witness that agrees leaves the verdict as it is; none at all is reported missing", () => {
    expect(judged(records, { version: 3, headHash: hash(3) })).toEqual(chain);
    expect(judged(records, { version: 2, headHash: hash(2) })).toEqual(chain);
    expect(judged(records, undefined)).toEqual({
      ...chain,
      missingWitnesses: ["the views hold no record of this stream's head"],
    });
  });

  it("a witnessed version missing from the stream: a cut, broken from the first missing version", () => {
    const cut = records.slice(0, 1);
    expect(judged(cut, { version: 3, headHash: hash(3) })).toEqual({
      valid: false,
      version: 1,
      headHash: hash(1),
      firstBrokenVersion: 2,
    });
  });

  it("a witnessed hash the stream no longer has: broken at the witnessed version", () => {
    expect(judged(records, { version: 2, headHash: "f".repeat(64) })).toEqual({
      valid: false,
      version: 1,
      headHash: hash(1),
      firstBrokenVersion: 2,
    });
  });

  it("a chain broken before the witnessed version: broken where the chain breaks", () => {
    const tampered = records.map((r, i) => (i === 1 ? { ...r, canonical: `${r.canonical} ` } : r));
    expect(judged(tampered, { version: 3, headHash: "0".repeat(64) })).toEqual({
      valid: false,
      version: 1,
      headHash: hash(1),
      firstBrokenVersion: 2,
    });
  });
});
