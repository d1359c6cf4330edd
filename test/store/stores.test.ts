import { afterAll, beforeAll } from "vitest";
import { DynamoEventStore, DynamoViewStore } from "../../functions/store/dynamo.js";
import { MemoryEventStore, MemoryViewStore } from "../../functions/store/memory.js";
import { type Engine, startEngine } from "../../local/engine.js";
import { storeContract } from "./contract.js";

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine.close();
});

storeContract("memory", async () => ({
  events: new MemoryEventStore(),
  views: new MemoryViewStore(),
}));

storeContract("DynamoDB (dynalite over HTTP)", async () => ({
  events: new DynamoEventStore(engine.doc, engine.tables.events),
  views: new DynamoViewStore(engine.doc, engine.tables.views),
}));
