import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { EventRef, Sequencer } from "../app/sequencer.js";
import { keyOfImage } from "../store/dynamo.js";
import { logger } from "./http.js";
import { eventHandler } from "./observability.js";
import { sequencerFromEnv } from "./wiring.js";

/** The event a stream record inserted, or undefined for any other record. */
export function eventRefOf(record: DynamoDBRecord): EventRef | undefined {
  if (record.eventName !== "INSERT") return undefined;
  const image = record.dynamodb?.NewImage;
  const key = keyOfImage(image);
  const hash = image?.hash?.S;
  return key && hash !== undefined ? { ...key, hash } : undefined;
}

/**
 * The sequencer on the events table's stream: admits the batch's inserted events to the
 * ledger-wide log, in stream order, and publishes the checkpoint that covers them. A
 * batch that fails is reported from its first record, to be redelivered whole: admitting
 * an event twice writes nothing, so a redelivery only completes what was left. Any other
 * record than an insert is logged (nothing in the ledger updates or deletes an event).
 */
export function sequencerHandler(sequencer: () => Promise<Sequencer>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const refs: EventRef[] = [];
    for (const record of event.Records) {
      const ref = eventRefOf(record);
      if (ref) refs.push(ref);
      else {
        logger.error("a stream record that is not an appended event", {
          eventName: record.eventName,
          keys: record.dynamodb?.Keys,
        });
      }
    }
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    try {
      const { head, published } = await (await sequencer()).sequence(refs);
      logger.info("sequenced", {
        events: refs.length,
        treeSize: head.treeSize,
        published: published.length,
      });
      return { batchItemFailures: [] };
    } catch (error) {
      logger.error("sequencing failed", { error: error as Error });
      return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] };
    }
  };
}

export const handler = eventHandler(sequencerHandler(sequencerFromEnv));
