import { Duration } from "aws-cdk-lib";
import type * as logs from "aws-cdk-lib/aws-logs";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ENV } from "../functions/store/keys.js";
import type { EventStore } from "./event-store.js";
import { handlerEntry, LedgerFunction } from "./function.js";
import { consumeEventStream, retainedDeadLetterQueue } from "./stream.js";

/** Properties of a {@link Projector}. */
export interface ProjectorProps {
  /**
   * The tables: the projector reads the events table's stream and events, and writes views.
   * @default - no default; required
   */
  readonly eventStore: EventStore;
  /**
   * Most stream records handed to one invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Retries of a failing record (after bisection) before it goes to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Oldest a record may be and still be processed; older ones go to the dead-letter queue.
   * @default Duration.hours(24)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Executions reserved for the projector, also its ceiling. It needs one per shard of the
   * stream (the parallelization factor is 1), far below any account's limit.
   * @default - none reserved: it shares the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * Retention of the projector's logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The stream projector (architecture §4): a function on the events table's `NEW_IMAGE`
 * stream that brings each touched entity's views up to the head of its stream, repairing
 * whatever a crash between an append and its projection left behind.
 *
 * It reports partial batch failures, bisects a failing batch to isolate the record, retries
 * a bounded number of times within a bounded record age, and then sends the failed batch's
 * description (shard and sequence numbers; no event data) to an encrypted dead-letter
 * queue, so a stuck record never blocks its shard for long. Since views are rebuilt from
 * the stream itself, a record in the dead-letter queue is repaired by any later append to
 * the same entity, or by replaying that entity. The queue is retained when the stack is
 * deleted, as the tables are.
 */
export class Projector extends Construct {
  /** The projector function. */
  public readonly projector: LedgerFunction;
  /** Where the descriptions of the batches that could not be projected go. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ProjectorProps) {
    super(scope, id);
    const store = props.eventStore;

    this.projector = new LedgerFunction(this, "Projector", {
      entry: handlerEntry("projector"),
      description: "sanctions-ledger projector: brings the views up to the events stream's head",
      environment: {
        [ENV.eventsTable]: store.eventsTable.tableName,
        [ENV.viewsTable]: store.viewsTable.tableName,
      },
      timeout: props.timeout ?? Duration.seconds(60),
      logRetention: props.logRetention,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    store.grantReadEvents(this.projector);
    store.grantWriteViews(this.projector);
    // The stream read (DescribeStream, GetRecords, GetShardIterator on the stream ARN, and
    // ListStreams) is granted by the DynamoEventSource below, through grantStreamRead.

    this.deadLetterQueue = retainedDeadLetterQueue(
      this,
      "the projector's stream event source mapping",
    );

    consumeEventStream(this.projector, store.eventsTable, {
      deadLetterQueue: this.deadLetterQueue,
      ...(props.batchSize === undefined ? {} : { batchSize: props.batchSize }),
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      ...(props.maxRecordAge === undefined ? {} : { maxRecordAge: props.maxRecordAge }),
    });
  }
}
