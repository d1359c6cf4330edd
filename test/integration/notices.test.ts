import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NoticeSink } from "../../functions/app/notices.js";
import type { Notice } from "../../functions/domain/notices.js";
import { correctionsHandler, dailyHandler } from "../../functions/handlers/notices.js";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import { loadDemo } from "../../local/demo.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

let api: RunningLedger;
beforeAll(async () => {
  api = await startLedger();
  await loadDemo(api.engine);
});
afterAll(async () => {
  await api.close();
});

/** A sink that keeps what it is given. */
function recording(): NoticeSink & { published: Notice[] } {
  const published: Notice[] = [];
  return { published, publish: async (n) => void published.push(...n) };
}

const post = (entityId: string, body: unknown) => api.post(`/entities/${entityId}/events`, body);

describe("the daily notices", () => {
  it("tell what enters into force and what leaves force on the day, the same ids on a rerun", async () => {
    // Two entities: one sanction enters into force on 2030-01-01, another leaves force then.
    for (const [id, effectiveFrom, effectiveUntil] of [
      ["nt-enters", "2030-01-01", undefined],
      ["nt-leaves", "2029-06-01", "2030-01-01"],
    ] as const) {
      expect(
        (await post(id, { type: "EntityRegistered", data: { name: id, kind: "organization" } }))
          .status,
      ).toBe(201);
      const imposed = await post(id, {
        type: "SanctionImposed",
        data: {
          sanctionId: "eu-freeze",
          authority: "EU",
          measures: ["asset-freeze"],
          announcedOn: "2029-05-01",
          effectiveFrom,
          ...(effectiveUntil ? { effectiveUntil } : {}),
        },
      });
      expect(imposed.status).toBe(201);
    }
    const sink = recording();
    const daily = dailyHandler(
      () => api.fns.services,
      () => sink,
    );
    const out = await daily({ time: "2030-01-01T00:00:00Z" });
    expect(out).toEqual({ day: "2030-01-01", notices: 2 });
    expect(
      sink.published.map(({ id: _, ...n }) => n).sort((a, b) => (a.entityId < b.entityId ? -1 : 1)),
    ).toEqual([
      {
        kind: "entered",
        time: "2030-01-01T00:00:00.000Z",
        entityId: "nt-enters",
        sanctionId: "eu-freeze",
        authority: "EU",
        on: "2030-01-01",
      },
      {
        kind: "left",
        time: "2030-01-01T00:00:00.000Z",
        entityId: "nt-leaves",
        sanctionId: "eu-freeze",
        authority: "EU",
        on: "2030-01-01",
      },
    ]);
    // A rerun of the day (by hand) emits the same ids, and the feed holds each once.
    const again = recording();
    await dailyHandler(
      () => api.fns.services,
      () => again,
    )({ day: "2030-01-01" });
    expect(again.published.map((n) => n.id).sort()).toEqual(sink.published.map((n) => n.id).sort());
    const feed = await api.get("/notices?limit=1000");
    const ids = feed.body.items.map((e: { id: string }) => e.id);
    for (const n of sink.published) expect(ids.filter((i: string) => i === n.id)).toHaveLength(1);
    const entered = feed.body.items.find((e: { id: string }) => e.id === sink.published[0]?.id);
    expect(entered.specversion).toBe("1.0");
    expect(entered.time).toBe("2030-01-01T00:00:00.000Z");
  });

  it("of a day of the demo: the four banks' asset freeze enters into force on 2022-04-02", async () => {
    const notices = await api.fns.services.notices.ofDay("2022-04-02");
    expect(notices.map((n) => [n.kind, n.entityId, n.sanctionId])).toEqual([
      ["entered", "ru-novikombank", "jp-asset-freeze"],
      ["entered", "ru-otkritie", "jp-asset-freeze"],
      ["entered", "ru-sovcombank", "jp-asset-freeze"],
      ["entered", "ru-vtb-bank", "jp-asset-freeze"],
    ]);
  });
});

describe("the correction notices", () => {
  it("the stream's handler sends what the projection filed in the feed, for the demo's corrections", async () => {
    // As the events table's stream (NEW_IMAGE) gives it: the keys and the item.
    const record = async (version: number, sequence: number) => {
      const keys = {
        [EVENTS_TABLE.partitionKey]: { S: "country-ru" },
        [EVENTS_TABLE.sortKey]: { N: String(version) },
      };
      const { Item = {} } = await api.engine.doc.send(
        new GetCommand({
          TableName: api.engine.tables.events,
          Key: { [EVENTS_TABLE.partitionKey]: "country-ru", [EVENTS_TABLE.sortKey]: version },
        }),
      );
      const strings = ["eventId", "recordedAt", "type", "hash", "canonical"] as const;
      const image = {
        ...keys,
        ...Object.fromEntries(strings.map((name) => [name, { S: String(Item[name]) }])),
      };
      return {
        eventName: "INSERT",
        dynamodb: { Keys: keys, NewImage: image, SequenceNumber: String(sequence) },
      };
    };
    const sink = recording();
    const handler = correctionsHandler(
      () => api.fns.services,
      () => sink,
    );
    const out = await handler({
      Records: await Promise.all([4, 5, 6, 7].map((v, i) => record(v, i + 1))),
    } as unknown as DynamoDBStreamEvent);
    expect(out.batchItemFailures).toEqual([]);
    // The retraction of 2022-04-01 takes back the ban believed in force that day (and
    // pending before); the re-imposition makes it pending again on the same days.
    expect(
      sink.published.map((n) =>
        n.kind === "corrected"
          ? [n.versions[0], n.sanctionId, n.days.from, n.days.to, n.before, n.after]
          : [],
      ),
    ).toEqual([
      [4, "jp-luxury-export-ban", "2022-03-25", "2022-03-31", "pending", "none"],
      [4, "jp-luxury-export-ban", "2022-04-01", "2022-04-01", "in-force", "none"],
      [5, "jp-luxury-export-ban", "2022-03-25", "2022-04-01", "none", "pending"],
      [6, "jp-mfn-revocation", "2022-03-16", "2022-03-24", "pending", "none"],
      [6, "jp-mfn-revocation", "2022-03-25", "2022-04-20", "in-force", "none"],
      [7, "jp-mfn-revocation", "2022-03-16", "2022-04-20", "none", "pending"],
    ]);
    const feed = await api.get("/notices?limit=1000");
    const ids = new Set(feed.body.items.map((e: { id: string }) => e.id));
    for (const n of sink.published) expect(ids.has(n.id)).toBe(true);
  });
});

describe("a stream without new images", () => {
  it("fails the record, and every later one of its entity, instead of skipping them", async () => {
    const keys = (entityId: string, version: number) => ({
      [EVENTS_TABLE.partitionKey]: { S: entityId },
      [EVENTS_TABLE.sortKey]: { N: String(version) },
    });
    const sink = recording();
    const handler = correctionsHandler(
      () => api.fns.services,
      () => sink,
    );
    const out = await handler({
      Records: [
        { eventName: "INSERT", dynamodb: { Keys: keys("country-ru", 4), SequenceNumber: "1" } },
        { eventName: "INSERT", dynamodb: { Keys: keys("country-ru", 5), SequenceNumber: "2" } },
      ],
    } as unknown as DynamoDBStreamEvent);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "1" }, { itemIdentifier: "2" }]);
    expect(sink.published).toEqual([]);
  });
});

describe("GET /notices", () => {
  it("pages through the feed by its cursor, each notice once, and refuses a cursor it did not give", async () => {
    const all = await api.get("/notices?limit=1000");
    expect(all.status).toBe(200);
    const seen: string[] = [];
    let since: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await api.get(`/notices?limit=2${since ? `&since=${since}` : ""}`);
      expect(page.status).toBe(200);
      if (page.body.items.length === 0) break;
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      since = page.body.cursor;
    }
    expect(seen).toEqual(all.body.items.map((e: { id: string }) => e.id));
    const times = all.body.items.map((e: { time: string }) => e.time);
    expect(times).toEqual([...times].sort());
    const bad = await api.get("/notices?since=nonsense");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("/since");
  });
});
