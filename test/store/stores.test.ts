import { afterAll, beforeAll } from "vitest";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
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
