import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { EVENTS_TABLE } from "../store/keys.js";
import { logger } from "./http.js";
import { type Services, servicesFromEnv } from "./wiring.js";

function entityOf(record: DynamoDBRecord): string | undefined {
  return record.dynamodb?.Keys?.[EVENTS_TABLE.partitionKey]?.S;
}

/**
 * The stream projector. A record only names an entity that changed: each touched entity's
 * view is brought to the head of its stream by reading the events after the view's
 * version, so duplicated, reordered or dropped records cannot make a view wrong. Entities
 * whose projection fails are reported as partial batch failures, to be redelivered.
 */
export function projectorHandler(services: () => Services) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const firstRecord = new Map<string, string>();
    for (const record of event.Records) {
      const entityId = entityOf(record);
      const sequence = record.dynamodb?.SequenceNumber;
      if (entityId !== undefined && sequence !== undefined && !firstRecord.has(entityId)) {
        firstRecord.set(entityId, sequence);
      }
    }
    const failures: { itemIdentifier: string }[] = [];
    await Promise.all(
      [...firstRecord].map(async ([entityId, sequence]) => {
        try {
          await services().ledger.project(entityId);
        } catch (error) {
          logger.error("projection failed", { entityId, error: error as Error });
          failures.push({ itemIdentifier: sequence });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
}

export const handler = projectorHandler(servicesFromEnv);
