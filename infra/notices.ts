import { Duration } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as targets from "aws-cdk-lib/aws-scheduler-targets";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ENV } from "../functions/store/keys.js";
import type { EventStore } from "./event-store.js";
import { handlerEntry, LedgerFunction } from "./function.js";
import { acknowledgeWildcardResource } from "./nag.js";
import { consumeEventStream, retainedDeadLetterQueue } from "./stream.js";

/** Properties of {@link Notices}. */
export interface NoticesProps {
  /**
   * The tables: the daily function reads the events and views and files the day's notices
   * in the views; the corrections function reads the events table's stream and events.
   * @default - no default; required
   */
  readonly eventStore: EventStore;
  /**
   * Retries of a failing stream record (after bisection) before it goes to the dead-letter queue.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Oldest a stream record may be and still be told; older ones go to the dead-letter queue.
   * @default Duration.hours(24)
   */
  readonly maxRecordAge?: Duration;
  /**
   * Retention of the functions' logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The notices (architecture §8): an EventBridge event bus of the stack to which the ledger
 * publishes a notice when a sanction enters into force, is amended or leaves force on a day
 * (detail types `Sanction Entered Into Force`, `Sanction Amended`, `Sanction Left Force`),
 * and when an event changes a sanction's status on days already past (`Past Status
 * Corrected`). Each `Detail` is the notice as a CloudEvents document whose `id` is
 * deterministic: consumers drop repeats.
 *
 * - The day's notices come from a function that EventBridge Scheduler runs every day at
 *   00:00 UTC (retried, then sent to a dead-letter queue); it also files them in the views,
 *   where `GET /notices` reads them. A rerun of a day emits the same ids.
 * - The corrections come from a function on the events table's stream (partial batch
 *   failures, bisection, bounded retries and record age, a dead-letter queue), apart from the
 *   projector so that a bus that refuses never holds back the views; the projection files
 *   the same notices in the views.
 */
export class Notices extends Construct {
  /** The bus the notices are published to: add rules to it to route them. */
  public readonly bus: events.EventBus;
  /** The function the daily schedule runs. */
  public readonly daily: LedgerFunction;
  /** The function on the events stream. */
  public readonly corrections: LedgerFunction;
  /** The daily schedule. */
  public readonly schedule: scheduler.Schedule;
  /** Where the schedule's failed runs and the stream's failed batches are described. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: NoticesProps) {
    super(scope, id);
    const store = props.eventStore;
    this.bus = new events.EventBus(this, "Bus", {
      description: "sanctions-ledger notices: sanctions entering and leaving force, corrections",
    });
    const environment = {
      [ENV.eventsTable]: store.eventsTable.tableName,
      [ENV.viewsTable]: store.viewsTable.tableName,
      [ENV.noticeBus]: this.bus.eventBusName,
    };

    this.deadLetterQueue = retainedDeadLetterQueue(
      this,
      "the notices' stream event source mapping and of the daily schedule's target",
    );

    this.daily = new LedgerFunction(this, "Daily", {
      entry: handlerEntry("notices-daily"),
      description: "sanctions-ledger notices: what enters into and leaves force today",
      environment,
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
    });
    store.grantReadEvents(this.daily);
    // The day's notices are filed in the views, for GET /notices.
    store.grantWriteViews(this.daily);
    this.bus.grantPutEventsTo(this.daily);

    // The schedule's own role, which may only invoke the daily function.
    const scheduleRole = new iam.Role(this, "ScheduleRole", {
      assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com"),
      description: "sanctions-ledger: the daily schedule runs the day's notices",
    });
    this.schedule = new scheduler.Schedule(this, "Schedule", {
      description: "sanctions-ledger: the day's notices, at the start of each day (UTC)",
      schedule: scheduler.ScheduleExpression.cron({ minute: "0", hour: "0" }),
      target: new targets.LambdaInvoke(this.daily.function, {
        input: scheduler.ScheduleTargetInput.fromObject({
          time: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.deadLetterQueue,
        role: scheduleRole,
      }),
    });
    acknowledgeWildcardResource(
      scheduleRole,
      `${this.daily.function.functionArn}:*`,
      "Lambda's grantInvoke covers the daily function's versions and aliases (`<arn>:*`) " +
        "beside the function itself: the wildcard names no other function.",
    );

    this.corrections = new LedgerFunction(this, "Corrections", {
      entry: handlerEntry("notices-stream"),
      description: "sanctions-ledger notices: events that change the status of past days",
      environment,
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
    });
    store.grantReadEvents(this.corrections);
    // Snapshots in the views spare the fold of a long stream.
    store.grantReadViews(this.corrections);
    this.bus.grantPutEventsTo(this.corrections);
    consumeEventStream(this.corrections, store.eventsTable, {
      deadLetterQueue: this.deadLetterQueue,
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      ...(props.maxRecordAge === undefined ? {} : { maxRecordAge: props.maxRecordAge }),
    });
  }
}
