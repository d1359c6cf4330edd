import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  ScheduledEvent,
} from "aws-lambda";
import type { NoticeSink } from "../app/notices.js";
import type { IsoDate, LedgerEvent } from "../domain/events.js";
import type { Notice } from "../domain/notices.js";
import { eventOf } from "../domain/verify.js";
import { keyOfImage, recordOfImage } from "../store/dynamo.js";
import { ENV } from "../store/keys.js";
import { EventBridgeNotices } from "../store/notice-bus.js";
import { logger } from "./http.js";
import type { NoticesServices } from "./wiring.js";

/**
 * The daily notices: run by the schedule at 00:00 UTC, for the day the schedule names
 * (the event's `time`), or for `day` when invoked by hand to rerun one. The day's notices
 * are those of `/changes` for that day as known at its first moment, so a rerun emits the
 * same ids.
 */
export function dailyHandler(services: () => NoticesServices, sink: () => NoticeSink) {
  return async (
    event: Partial<Pick<ScheduledEvent, "time">> & { day?: IsoDate },
  ): Promise<{ day: IsoDate; notices: number }> => {
    const day = event.day ?? (event.time ?? new Date().toISOString()).slice(0, 10);
    const notices = await services().notices.runDay(day, sink());
    logger.info("daily notices", { day, notices: notices.length });
    return { day, notices: notices.length };
  };
}

/** The appended event a stream record holds in its new image. */
function eventOfRecord(record: DynamoDBRecord): LedgerEvent {
  const stored = recordOfImage(record.dynamodb?.NewImage);
  if (!stored) {
    throw new Error(
      "the stream record holds no whole event: the events table's stream must be NEW_IMAGE",
    );
  }
  return eventOf(stored);
}

/**
 * The correction notices, from the events table's stream: for each event appended, the
 * notices of the past days whose status it changed. A record that fails is reported as a
 * partial batch failure, and with it every later record of its entity, so that a consumer
 * never sees an entity's corrections out of order; a repeat sends the same ids.
 */
export function correctionsHandler(services: () => NoticesServices, sink: () => NoticeSink) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const failed = new Set<string>();
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      const keys = keyOfImage(record.dynamodb?.Keys);
      const sequence = record.dynamodb?.SequenceNumber;
      if (record.eventName !== "INSERT" || keys === undefined || sequence === undefined) continue;
      if (failed.has(keys.entityId)) {
        failures.push({ itemIdentifier: sequence });
        continue;
      }
      try {
        const notices: Notice[] = await services().notices.ofEvent(eventOfRecord(record));
        if (notices.length > 0) await sink().publish(notices);
      } catch (error) {
        logger.error("correction notices not sent", { ...keys, error: error as Error });
        failed.add(keys.entityId);
        failures.push({ itemIdentifier: sequence });
      }
    }
    return { batchItemFailures: failures };
  };
}

let bus: NoticeSink | undefined;

/** The stack's event bus, named in the function's environment. */
export function busFromEnv(): NoticeSink {
  if (!bus) {
    const name = process.env[ENV.noticeBus];
    const region = process.env.AWS_REGION;
    if (!name || !region) throw new Error(`${ENV.noticeBus} and AWS_REGION must be set`);
    bus = new EventBridgeNotices(name, { region });
  }
  return bus;
}
