import { randomBytes } from "node:crypto";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initialState } from "../../functions/domain/state.js";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { VIEWS_TABLE } from "../../functions/store/keys.js";
import { MemoryEventStore, MemoryViewStore } from "../../functions/store/memory.js";
import type { Engine } from "../../local/engine.js";
import { engineName, startTestEngine } from "../support/engine.js";
import { storeContract } from "./contract.js";

let engine: Engine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
});

storeContract("memory", async () => ({
  events: new MemoryEventStore(),
  views: new MemoryViewStore(),
}));

storeContract(`DynamoDB (${engineName()})`, async () => ({
  events: new DynamoEventStore(engine.doc, engine.tables.events),
  views: new DynamoViewStore(engine.doc, engine.tables.views),
}));

describe("DynamoDB view store: views kept in parts", () => {
  const bigState = (entityId: string, version: number) => ({
    ...initialState(entityId),
    version,
    entityEvents: [
      {
        version: 1,
        data: {
          name: "big",
          kind: "other" as const,
          aliases: Array.from({ length: 16_000 }, () => randomBytes(24).toString("hex")),
        },
      },
    ],
  });
  const partsOf = async (entityId: string) => {
    const out = await engine.doc.send(
      new QueryCommand({
        TableName: engine.tables.views,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": VIEWS_TABLE.partitionKey },
        ExpressionAttributeValues: { ":pk": `view-part#${entityId}` },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((item) => String(item[VIEWS_TABLE.sortKey]).split("#")[0]);
  };

  it("removes the parts of the view it replaces, and a reader racing the removal reads the new view", async () => {
    const views = new DynamoViewStore(engine.doc, engine.tables.views);
    const entityId = "parted";
    await views.putEntity({ entityId, version: 1, state: bigState(entityId, 1) });
    const v1Parts = await partsOf(entityId);
    expect(v1Parts.length).toBeGreaterThan(1);
    // A reader that read the item of version 1 just before version 2 replaced it.
    const stale = await engine.doc.send(
      new GetCommand({
        TableName: engine.tables.views,
        Key: { [VIEWS_TABLE.partitionKey]: `entity#${entityId}`, [VIEWS_TABLE.sortKey]: "state" },
      }),
    );
    const next = bigState(entityId, 2);
    expect(await views.putEntity({ entityId, version: 2, state: next })).toBe(true);
    expect(new Set(await partsOf(entityId))).toEqual(new Set(["000000000002"]));
    expect(stale.Item?.version).toBe(1);
    // The reader's next attempt finds version 1's parts gone and reads the view again.
    let gets = 0;
    const send = engine.doc.send.bind(engine.doc);
    const racing = new DynamoViewStore(
      {
        send: (command: unknown) => {
          if (command instanceof GetCommand && gets++ === 0) return Promise.resolve(stale);
          return send(command as never);
        },
      } as never,
      engine.tables.views,
    );
    expect((await racing.getEntity(entityId))?.state).toEqual(next);
    expect(gets).toBe(2);
  });
});
