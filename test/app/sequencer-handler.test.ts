import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { Sequencer } from "../../functions/app/sequencer.js";
import { eventRefOf, sequencerHandler } from "../../functions/handlers/sequencer.js";
import { MemoryCheckpointStore } from "../../functions/store/checkpoints.js";
import { MemoryLogStore } from "../../functions/store/log.js";
import { localSigner } from "../../functions/store/signers.js";

const ORIGIN = "sanctions-ledger.test/handler";

function insert(entityId: string, version: number, hash: string, seq: number): DynamoDBRecord {
  return {
    eventName: "INSERT",
    dynamodb: {
      Keys: { entityId: { S: entityId }, version: { N: String(version) } },
      NewImage: {
        entityId: { S: entityId },
        version: { N: String(version) },
        hash: { S: hash },
        canonical: { S: "{}" },
      },
      SequenceNumber: String(seq),
    },
  };
}

const hashOf = (n: number) => n.toString(16).padStart(64, "0");

describe("the sequencer's handler on the events stream", () => {
  it("reads the inserted event's key and hash from the new image; nothing else", () => {
    expect(eventRefOf(insert("a", 2, hashOf(1), 1))).toEqual({
      entityId: "a",
      version: 2,
      hash: hashOf(1),
    });
    expect(eventRefOf({ ...insert("a", 2, hashOf(1), 1), eventName: "MODIFY" })).toBeUndefined();
    expect(eventRefOf({ eventName: "INSERT", dynamodb: {} })).toBeUndefined();
  });

  it("admits a batch in stream order and publishes its checkpoint; a redelivery writes nothing", async () => {
    const log = new MemoryLogStore();
    const checkpoints = new MemoryCheckpointStore();
    const sequencer = new Sequencer({
      log,
      checkpoints,
      signer: await localSigner(ORIGIN),
      origin: ORIGIN,
    });
    const handler = sequencerHandler(async () => sequencer);
    const event = {
      Records: [
        insert("a", 1, hashOf(1), 1),
        insert("b", 1, hashOf(2), 2),
        insert("a", 2, hashOf(3), 3),
      ],
    } as DynamoDBStreamEvent;
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect((await log.readLeaves(0, 10)).map((l) => `${l.entityId}#${l.version}`)).toEqual([
      "a#1",
      "b#1",
      "a#2",
    ]);
    expect(await checkpoints.latest()).toMatch(/\n3\n/);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await log.readLeaves(0, 10)).toHaveLength(3);
  });

  it("reports a failed batch from its first record, to be redelivered whole", async () => {
    const handler = sequencerHandler(async () => {
      throw new Error("KMS unreachable");
    });
    const event = { Records: [insert("a", 1, hashOf(1), 7), insert("a", 2, hashOf(2), 8)] };
    expect(await handler(event as DynamoDBStreamEvent)).toEqual({
      batchItemFailures: [{ itemIdentifier: "7" }],
    });
  });
});
