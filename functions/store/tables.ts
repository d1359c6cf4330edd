import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { EVENTS_TABLE, VIEWS_TABLE } from "./keys.js";

/** The events table as the engine must hold it (the CDK stack declares the same keys). */
export function eventsTableInput(TableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, byEventId, byRecordedAt } = EVENTS_TABLE;
  return {
    TableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: "S" },
      { AttributeName: sortKey, AttributeType: "N" },
      { AttributeName: byEventId.sortKey, AttributeType: "S" },
      { AttributeName: byRecordedAt.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: "HASH" },
      { AttributeName: sortKey, KeyType: "RANGE" },
    ],
    LocalSecondaryIndexes: [byEventId, byRecordedAt].map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey, KeyType: "RANGE" },
      ],
      // Keys only: the look-ups need the version (and recordedAt, the index's own key), and
      // an index that copied whole events would store every event three times.
      Projection: { ProjectionType: "KEYS_ONLY" },
    })),
  };
}

/** The views table as the engine must hold it. */
export function viewsTableInput(TableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey } = VIEWS_TABLE;
  return {
    TableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: "S" },
      { AttributeName: sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: "HASH" },
      { AttributeName: sortKey, KeyType: "RANGE" },
    ],
  };
}

/** Creates the table unless it exists, and waits until it is active. */
export async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput) {
  try {
    await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(input));
  }
  for (let i = 0; i < 200; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (out.Table?.TableStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`table ${input.TableName} did not become active`);
}
