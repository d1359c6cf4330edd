import { randomBytes } from "node:crypto";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { documentClient } from "../../functions/store/dynamo.js";
import { eventsTableInput, viewsTableInput } from "../../functions/store/tables.js";
import { type Engine, startEngine } from "../../local/engine.js";
import { enforceAwsRules } from "./aws-rules.js";

/**
 * The variable that points the tests at another DynamoDB endpoint (moto, DynamoDB Local,
 * or DynamoDB itself); without it each test file starts its own dynalite.
 */
export const ENDPOINT_VARIABLE = "LEDGER_TEST_DYNAMODB_ENDPOINT";

/** The endpoint the tests run against when one is given, else undefined (dynalite). */
export function externalEndpoint(): string | undefined {
  const value = process.env[ENDPOINT_VARIABLE]?.trim();
  return value ? value : undefined;
}

/** The engine the tests run against, for the names of test suites. */
export function engineName(): string {
  const endpoint = externalEndpoint();
  return endpoint ? `DynamoDB API at ${endpoint}` : "dynalite over HTTP";
}

/**
 * An engine with the ledger's tables for one test file: dynalite in memory by default, or,
 * when `LEDGER_TEST_DYNAMODB_ENDPOINT` is set, that endpoint with tables of a prefix of
 * their own (so that files running at once never share a table), deleted on close. Either
 * way its clients refuse what DynamoDB refuses and some engines accept (`enforceAwsRules`).
 */
export async function startTestEngine(options: { tablePrefix?: string } = {}): Promise<Engine> {
  const engine = await start(options);
  enforceAwsRules(engine.client);
  enforceAwsRules(engine.doc);
  return engine;
}

async function start(options: { tablePrefix?: string }): Promise<Engine> {
  const endpoint = externalEndpoint();
  if (!endpoint) return startEngine(options);
  const config = {
    endpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    // Any credentials do for a local engine; a real endpoint takes the default chain's.
    ...(process.env.AWS_ACCESS_KEY_ID
      ? {}
      : { credentials: { accessKeyId: "testing", secretAccessKey: "testing" } }),
    maxAttempts: 5,
  };
  const client = new DynamoDBClient(config);
  const prefix = `${options.tablePrefix ?? "ledger"}-${randomBytes(4).toString("hex")}`;
  const tables = { events: `${prefix}-events`, views: `${prefix}-views` };
  // Tables on DynamoDB itself take seconds to become active: wait as long as it takes.
  for (const input of [eventsTableInput(tables.events), viewsTableInput(tables.views)]) {
    await client.send(new CreateTableCommand(input));
    await waitUntilTableExists(
      { client, maxWaitTime: 300, minDelay: 1, maxDelay: 5 },
      { TableName: input.TableName },
    );
  }
  const doc = documentClient(config);
  return {
    endpoint,
    client,
    doc,
    tables,
    close: async () => {
      for (const TableName of [tables.events, tables.views]) {
        await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
      }
      doc.destroy();
      client.destroy();
    },
  };
}
