import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_TABLE, VIEWS_TABLE } from "../../functions/store/keys.js";
import type { Engine } from "../../local/engine.js";
import { engineName, startTestEngine } from "../support/engine.js";

let engine: Engine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
});

const event = (fields: Record<string, unknown>) =>
  new PutCommand({
    TableName: engine.tables.events,
    Item: {
      [EVENTS_TABLE.partitionKey]: "rules",
      [EVENTS_TABLE.sortKey]: 1,
      eventId: "e1",
      recordedAt: "2022-03-01T00:00:00.000Z",
      ...fields,
    },
  });

// Where the engines differ, the tests hold the code to what DynamoDB documents; these
// requests fail on every engine, whether the engine or the tests' own check refuses them.
describe(`DynamoDB's rules, on ${engineName()}`, () => {
  it("refuses an empty string as a local secondary index's sort key", async () => {
    for (const index of [EVENTS_TABLE.byEventId, EVENTS_TABLE.byRecordedAt]) {
      await expect(engine.doc.send(event({ [index.sortKey]: "" }))).rejects.toMatchObject({
        name: "ValidationException",
      });
    }
  });

  it("refuses an empty string as a table's sort key", async () => {
    const put = new PutCommand({
      TableName: engine.tables.views,
      Item: { [VIEWS_TABLE.partitionKey]: "snapshot#rules", [VIEWS_TABLE.sortKey]: "" },
    });
    await expect(engine.doc.send(put)).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("refuses Limit 0 and expression values no expression uses", async () => {
    const query = (extra: Record<string, unknown>) =>
      new QueryCommand({
        TableName: engine.tables.events,
        KeyConditionExpression: "#pk = :id",
        ExpressionAttributeNames: { "#pk": EVENTS_TABLE.partitionKey },
        ExpressionAttributeValues: { ":id": "rules" },
        ...extra,
      });
    await expect(engine.doc.send(query({ Limit: 0 }))).rejects.toThrow();
    await expect(
      engine.doc.send(query({ ExpressionAttributeValues: { ":id": "rules", ":unused": 1 } })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    expect((await engine.doc.send(query({ Limit: 1 }))).Items).toEqual([]);
  });

  it("accepts an empty string outside the keys", async () => {
    await engine.doc.send(event({ type: "" }));
    const out = await engine.doc.send(
      new QueryCommand({
        TableName: engine.tables.events,
        KeyConditionExpression: "#pk = :id",
        ExpressionAttributeNames: { "#pk": EVENTS_TABLE.partitionKey },
        ExpressionAttributeValues: { ":id": "rules" },
        ConsistentRead: true,
      }),
    );
    expect(out.Items?.[0]?.type).toBe("");
  });
});
