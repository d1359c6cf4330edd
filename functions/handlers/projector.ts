import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from "aws-lambda";
import { EVENTS_TABLE } from "../store/keys.js";
import { logger } from "./http.js";
import { eventHandler, recordProjectionLag } from "./observability.js";
import { type ProjectorServices, projectorServicesFromEnv } from "./wiring.js";

/** What a projection leaves of the function's time for its last flush and the answer. */
const DEADLINE_MARGIN_MS = 15_000;

function entityOf(record: DynamoDBRecord): string | undefined {
  return record.dynamodb?.Keys?.[EVENTS_TABLE.partitionKey]?.S;
}

/**
 * The stream projector. A record only names an entity that changed: each touched entity's
 * view is brought to the head of its stream by reading the events after the view's
 * version, so duplicated, reordered or dropped records cannot make a view wrong. Entities
 * whose projection fails, or stops at the function's deadline with its progress kept, are
 * reported as partial batch failures, to be redelivered.
 * `onProjected` is told of the records of each entity whose views are then up to date.
 */
export function projectorHandler(
  services: () => ProjectorServices,
  onProjected: (records: readonly DynamoDBRecord[]) => void = () => {},
) {
  return async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    // A catch-up keeps its progress as it goes: one that would outrun the function's
    // timeout stops short of it, and its record is redelivered to go on from there.
    const deadline =
      context === undefined
        ? undefined
        : Date.now() + Math.max(0, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS);
    const firstRecord = new Map<string, string>();
    const recordsOf = new Map<string, DynamoDBRecord[]>();
    for (const record of event.Records) {
      const entityId = entityOf(record);
      const sequence = record.dynamodb?.SequenceNumber;
      if (entityId !== undefined && sequence !== undefined && !firstRecord.has(entityId)) {
        firstRecord.set(entityId, sequence);
      }
      if (entityId !== undefined) {
        const records = recordsOf.get(entityId) ?? [];
        records.push(record);
        recordsOf.set(entityId, records);
      }
    }
    const failures: { itemIdentifier: string }[] = [];
    await Promise.all(
      [...firstRecord].map(async ([entityId, sequence]) => {
        try {
          await services().ledger.project(entityId, deadline);
        } catch (error) {
          logger.error("projection failed", { entityId, error: error as Error });
          failures.push({ itemIdentifier: sequence });
          return;
        }
        try {
          onProjected(recordsOf.get(entityId) ?? []);
        } catch (error) {
          // The views are up to date: a metric that fails must not make the batch redelivered.
          logger.warn("projection not reported", { entityId, error: error as Error });
        }
      }),
    );
    return { batchItemFailures: failures };
  };
}

export const handler = eventHandler(
  projectorHandler(projectorServicesFromEnv, recordProjectionLag),
);
