import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ledger } from "../../functions/app/ledger.js";
import {
  DynamoEventStore,
  DynamoItemTable,
  DynamoViewStore,
} from "../../functions/store/dynamo.js";
import { type Engine, startEngine } from "../../local/engine.js";
import { ensureLogFormat, ensureViewsFormat } from "../../local/format.js";
import { expectProjected } from "../support/projection.js";

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine({ tablePrefix: "format" });
});
afterAll(async () => {
  await engine.close();
});

describe("views of an older format", () => {
  it("are dropped and rebuilt from the events, once", async () => {
    const events = new DynamoEventStore(engine.doc, engine.tables.events);
    const writer = new Ledger({
      events,
      views: new DynamoViewStore(engine.doc, engine.tables.views),
      now: () => new Date(),
      newId: () => `f-${Math.random()}`,
      projectOnAppend: false,
    });
    for (const id of ["a", "b"]) {
      await writer.append(
        id,
        { type: "EntityRegistered", data: { name: `Old ${id}`, kind: "other" } },
        "t",
      );
    }
    // The Merkle log's layout is current: its marker must outlive the rebuild.
    expect(await ensureLogFormat(engine)).toBe(0);
    // An item of the earlier format: an entity view kept whole.
    await engine.doc.send(
      new PutCommand({
        TableName: engine.tables.views,
        Item: { pk: "entity#a", sk: "state", version: 1, state: new Uint8Array([1, 2]) },
      }),
    );
    expect(await ensureViewsFormat(engine)).toBe(2);
    const views = new DynamoViewStore(engine.doc, engine.tables.views);
    for (const id of ["a", "b"]) await expectProjected(events, views, id);
    expect(await ensureViewsFormat(engine)).toBe(0);
    const marker = await new DynamoItemTable(engine.doc, engine.tables.views).get({
      pk: "format",
      sk: "log",
    });
    expect(marker).toMatchObject({ format: 2 });
  });

  it("an empty ledger is marked with the current format, nothing rebuilt", async () => {
    const fresh = await startEngine({ tablePrefix: "format-empty" });
    try {
      expect(await ensureViewsFormat(fresh)).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
