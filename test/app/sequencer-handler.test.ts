import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { Sequencer } from "../../functions/app/sequencer.js";
import { eventRefOf, sequencerHandler } from "../../functions/handlers/sequencer.js";
import { sequencerFromEnv } from "../../functions/handlers/wiring.js";
import { MemoryCheckpointStore } from "../../functions/store/checkpoints.js";
import { ENV, PROOFS_ENV } from "../../functions/store/keys.js";
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

describe("the sequencer's environment", () => {
  const ENV_NAMES = [
    "AWS_REGION",
    PROOFS_ENV.origin,
    PROOFS_ENV.keyId,
    PROOFS_ENV.bucket,
    PROOFS_ENV.retentionDays,
    ENV.viewsTable,
  ];
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it.each([
    [undefined, "must be a whole number of days, not 'undefined'"],
    ["", "must be a whole number of days, not ''"],
    ["0", "must be a whole number of days, not '0'"],
    ["365.5", "must be a whole number of days, not '365.5'"],
  ])(
    "refuses to lock checkpoints for an unset or bad retention (%s), before asking KMS",
    async (days, message) => {
      Object.assign(process.env, {
        AWS_REGION: "eu-west-1",
        [PROOFS_ENV.origin]: ORIGIN,
        [PROOFS_ENV.keyId]: "alias/none",
        [PROOFS_ENV.bucket]: "checkpoints",
        [ENV.viewsTable]: "views",
      });
      if (days === undefined) delete process.env[PROOFS_ENV.retentionDays];
      else process.env[PROOFS_ENV.retentionDays] = days;
      await expect(sequencerFromEnv()).rejects.toThrow(`${PROOFS_ENV.retentionDays} ${message}`);
    },
  );
});
