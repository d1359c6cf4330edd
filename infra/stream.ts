import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sources from "aws-cdk-lib/aws-lambda-event-sources";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { LedgerFunction } from "./function.js";

/**
 * A dead-letter queue for what a function failed to do (SSE, TLS only, 14 days). What it
 * holds is the record of work not done that may still need a replay: deleting the stack
 * must not delete it, nor its TLS-only policy. `of` names what it is the on-failure
 * destination of, for the reason cdk-nag is told that it needs no dead-letter queue itself.
 */
export function retainedDeadLetterQueue(scope: Construct, of: string): sqs.Queue {
  const queue = new sqs.Queue(scope, "DeadLetterQueue", {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const policy = queue.node.tryFindChild("Policy");
  if (policy instanceof sqs.QueuePolicy) policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
  Validations.of(queue).acknowledge({
    id: "AwsSolutions-SQS3",
    reason: `This queue is itself a dead-letter queue: the on-failure destination of ${of}, which cdk-nag does not recognise as one.`,
  });
  return queue;
}

/** How a function consumes the events table's stream. */
export interface StreamConsumerProps {
  /** Where the records that keep failing go. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Records per invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the stream gathers records before an invocation.
   * @default - none: records go as they come
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retries of a failing batch before its records go to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * The age past which a record goes to the dead-letter queue instead.
   * @default Duration.hours(24)
   */
  readonly maxRecordAge?: Duration;
}

/**
 * Runs `consumer` on the events table's stream from its trim horizon, one shard at a time:
 * partial batch failures, bisection, bounded retries, then the dead-letter queue. Reading a
 * stream needs `dynamodb:ListStreams`, which IAM grants on `*` only (as X-Ray's
 * `PutTraceSegments`): acknowledged here.
 */
export function consumeEventStream(
  consumer: LedgerFunction,
  eventsTable: dynamodb.ITable,
  props: StreamConsumerProps,
): void {
  consumer.function.addEventSource(
    new sources.DynamoEventSource(eventsTable, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts ?? 10,
      maxRecordAge: props.maxRecordAge ?? Duration.hours(24),
      parallelizationFactor: 1,
      onFailure: new sources.SqsDlq(props.deadLetterQueue),
    }),
  );
  Validations.of(consumer.role).acknowledge({
    id: "AwsSolutions-IAM5[Resource::*]",
    reason:
      "Reading the stream (grantStreamRead, for the event source mapping) includes " +
      "dynamodb:ListStreams, and active X-Ray tracing xray:PutTraceSegments; neither " +
      "supports resource-level permissions, so IAM only accepts Resource '*' for them. " +
      "The stream's records are only readable through the events table's stream ARN.",
  });
}
