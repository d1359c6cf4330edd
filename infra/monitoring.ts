import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import type * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  DIMENSION,
  METRIC,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
} from "../functions/handlers/telemetry.js";

/** Properties of a {@link Monitoring}. */
export interface MonitoringProps {
  /**
   * The functions to watch for errors, throttles and durations near their timeout, by a
   * readable name ("Writer", ...) used in the alarms' construct ids and descriptions.
   * @default - no default; required
   */
  readonly functions: Readonly<Record<string, lambda.Function>>;
  /**
   * The tables to watch for read and write throttling, by a readable name ("Events", ...).
   * @default - no default; required
   */
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  /**
   * The stream consumer whose `IteratorAge` (how far it lags behind the stream) to watch.
   * @default - no default; required
   */
  readonly streamConsumer: lambda.IFunction;
  /**
   * The projector's dead-letter queue: any message in it is a batch that was not projected.
   * @default - no default; required
   */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The notices' stream consumer and dead-letter queue, watched as the projector's are.
   * @default - none watched
   */
  readonly notices?: {
    readonly streamConsumer: lambda.IFunction;
    readonly deadLetterQueue: sqs.IQueue;
  };
  /**
   * The API stage whose 4XX and 5XX responses to watch.
   * @default - no default; required
   */
  readonly apiStage: apigateway.Stage;
  /**
   * The sequencer of the Merkle log (Proofs): alarms on its stream iterator age (a
   * checkpoint is due within a minute of an append) and on its dead-letter queue.
   * @default - no sequencer alarms
   */
  readonly sequencer?: {
    readonly function: lambda.IFunction;
    readonly deadLetterQueue: sqs.IQueue;
  };
  /**
   * The `service` dimension of the ledger's own metrics (the functions'
   * `POWERTOOLS_SERVICE_NAME`), which the dashboard shows.
   * @default - the stack's name, as LedgerFunction sets it
   */
  readonly serviceName?: string;
  /**
   * Alarm when the stream consumer's maximum iterator age stays above this.
   * @default Duration.minutes(5)
   */
  readonly iteratorAgeThreshold?: Duration;
  /**
   * Alarm when the API answers at least this many 5XX responses in five minutes.
   * @default 1
   */
  readonly serverErrorThreshold?: number;
  /**
   * Alarm when a function's p99 duration over five minutes exceeds this fraction of its
   * timeout: it is about to time out.
   * @default 0.8
   */
  readonly durationTimeoutRatio?: number;
  /**
   * Alarm when this fraction of the API's answers over fifteen minutes are 4XX (refused
   * signatures and permissions, throttling, invalid requests, conflicts), once at least
   * {@link CLIENT_ERROR_MIN_REQUESTS} requests came in each five minutes.
   * @default 0.1
   */
  readonly clientErrorRateThreshold?: number;
}

/** Fewer requests than this in five minutes are too few for a 4XX rate to mean anything. */
export const CLIENT_ERROR_MIN_REQUESTS = 20;

/** A function's timeout when none is set: Lambda's default. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);

/**
 * The alarms of architecture §5: errors, throttles and durations near the timeout of every
 * function, read and write throttling of every table, the projector's stream iterator age,
 * the dead-letter queue's depth, and the API's 4XX rate and 5XX answers. Each alarm
 * notifies {@link alarmTopic} when it fires and when it recovers.
 *
 * A CloudWatch {@link dashboard} shows the ledger's own metrics (appends by event type,
 * rejected appends by status, batch items, projection lag) above the functions', the
 * tables' and the API's, and the state of every alarm.
 *
 * The topic is encrypted with a customer managed key (CloudWatch cannot use the AWS
 * managed `aws/sns` key, whose policy does not admit it) and only accepts TLS publishers.
 * Subscribe the on-call endpoints to it after deployment.
 */
export class Monitoring extends Construct {
  /** Where every alarm sends its notifications. */
  public readonly alarmTopic: sns.Topic;
  /** Every alarm created. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The operations dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const key = new kms.Key(this, "AlarmTopicKey", {
      description: "sanctions-ledger: encrypts the alarm notification topic",
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowCloudWatchAlarmsToUseTheKey",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
      }),
    );
    this.alarmTopic = new sns.Topic(this, "AlarmTopic", {
      masterKey: key,
      enforceSSL: true,
    });
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AllowThisAccountsAlarmsToPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": stack.formatArn({
              service: "cloudwatch",
              resource: "alarm",
              resourceName: "*",
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { "aws:SourceAccount": stack.account },
        },
      }),
    );

    const fiveMinutes = Duration.minutes(5);
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, {
        metric: fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription: `${name} function: invocations ended in an error`,
      });
      this.alarm(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        alarmDescription: `${name} function: invocations were throttled`,
      });
      const timeout = fn.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
      const ratio = props.durationTimeoutRatio ?? 0.8;
      this.alarm(`${name}DurationNearTimeout`, {
        metric: fn.metricDuration({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) }),
        threshold: Math.round(timeout.toMilliseconds() * ratio),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: `${name} function: p99 duration above ${Math.round(ratio * 100)} % of its ${timeout.toHumanString()} timeout`,
      });
    }

    for (const [name, table] of Object.entries(props.tables)) {
      for (const kind of ["Read", "Write"]) {
        this.alarm(`${name}Table${kind}Throttles`, {
          metric: table.metric(`${kind}ThrottleEvents`, {
            period: fiveMinutes,
            statistic: cloudwatch.Stats.SUM,
          }),
          threshold: 1,
          alarmDescription: `${name} table: ${kind.toLowerCase()} requests were throttled`,
        });
      }
    }

    const iteratorAge = props.iteratorAgeThreshold ?? Duration.minutes(5);
    this.streamAlarms(
      ["StreamIteratorAge", "DeadLetterQueueDepth"],
      { function: props.streamConsumer, deadLetterQueue: props.deadLetterQueue },
      { age: iteratorAge, evaluationPeriods: 5 },
      `Projector: the oldest unprocessed stream record is older than ${iteratorAge.toHumanString()}`,
      "Projector: stream batches that could not be projected are in the dead-letter queue",
    );
    if (props.notices) {
      this.streamAlarms(
        ["NoticesStreamIteratorAge", "NoticesDeadLetterQueueDepth"],
        { function: props.notices.streamConsumer, deadLetterQueue: props.notices.deadLetterQueue },
        { age: iteratorAge, evaluationPeriods: 5 },
        `Notices: the oldest stream record not yet told is older than ${iteratorAge.toHumanString()}`,
        "Notices: a daily run or stream batches whose notices were not sent are in the dead-letter queue",
      );
    }
    if (props.sequencer) {
      this.streamAlarms(
        ["SequencerIteratorAge", "SequencerDeadLetterQueueDepth"],
        props.sequencer,
        // A checkpoint is promised within a minute of an append.
        { age: Duration.minutes(1), evaluationPeriods: 3 },
        "Sequencer: the oldest stream record not yet in a signed checkpoint is older than a minute",
        "Sequencer: stream batches that could not be admitted to the Merkle log are in its dead-letter queue",
      );
    }

    this.alarm("Api5xxErrors", {
      metric: props.apiStage.metricServerError({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: props.serverErrorThreshold ?? 1,
      alarmDescription: "HTTP API: answered with 5XX server errors",
    });

    const clientErrorRate = props.clientErrorRateThreshold ?? 0.1;
    this.alarm("Api4xxRate", {
      // The 4XXError metric is 1 or 0 per request; its rate is errors over requests, and
      // nought while too few requests come in for a rate to mean anything.
      metric: new cloudwatch.MathExpression({
        expression: `IF(requests >= ${CLIENT_ERROR_MIN_REQUESTS}, clientErrors / requests, 0)`,
        usingMetrics: {
          clientErrors: props.apiStage.metricClientError({
            period: fiveMinutes,
            statistic: cloudwatch.Stats.SUM,
          }),
          requests: props.apiStage.metricCount({
            period: fiveMinutes,
            statistic: cloudwatch.Stats.SUM,
          }),
        },
        label: "4XX rate",
        period: fiveMinutes,
      }),
      threshold: clientErrorRate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `HTTP API: more than ${Math.round(clientErrorRate * 100)} % of the requests answered 4XX for fifteen minutes`,
    });

    this.dashboard = this.buildDashboard(props);
  }

  /** The dashboard: the ledger's own metrics first, then its functions, tables and API. */
  private buildDashboard(props: MonitoringProps): cloudwatch.Dashboard {
    const service = props.serviceName ?? Stack.of(this).stackName;
    const minute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const ledgerMetric = (metricName: string, statistic: string, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { [SERVICE_DIMENSION]: service },
        statistic,
        period: minute,
        label,
      });
    // One line per value of a dimension (each event type, each status), whatever values
    // appear: a search over the namespace rather than a list to keep in step with the code.
    const byDimension = (metricName: string, dimension: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${dimension}} MetricName="${metricName}" ${SERVICE_DIMENSION}="${service}"', 'Sum', 60)`,
        label,
        period: minute,
      });
    const functions = Object.entries(props.functions);
    const tables = Object.entries(props.tables);
    const perFunction = (
      title: string,
      metric: (fn: lambda.Function) => cloudwatch.IMetric,
      extra: Partial<cloudwatch.GraphWidgetProps> = {},
    ) =>
      new cloudwatch.GraphWidget({
        title,
        left: functions.map(([name, fn]) => withLabel(metric(fn), name)),
        width: 6,
        ...extra,
      });
    const perTable = (title: string, metricName: string, statistic: string) =>
      new cloudwatch.GraphWidget({
        title,
        left: tables.map(([name, table]) =>
          table.metric(metricName, { statistic, period: minute, label: name }),
        ),
        width: 6,
      });
    const stage = props.apiStage;

    const dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          "# sanctions-ledger\nThe ledger's own metrics (namespace " +
          `\`${METRICS_NAMESPACE}\`, service \`${service}\`), then its functions, tables and API.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Events appended, by type (per minute)",
        left: [byDimension(METRIC.eventsAppended, DIMENSION.eventType, "")],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Appends rejected, by status (per minute)",
        left: [byDimension(METRIC.appendsRejected, DIMENSION.status, "")],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Imports: batch items per minute, items per batch",
        left: [ledgerMetric(METRIC.batchItems, cloudwatch.Stats.SUM, "items per minute")],
        right: [ledgerMetric(METRIC.batchItems, cloudwatch.Stats.AVERAGE, "items per batch")],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Projection lag (ms from recordedAt to the views)",
        left: [
          ledgerMetric(METRIC.projectionLag, cloudwatch.Stats.p(50), "p50"),
          ledgerMetric(METRIC.projectionLag, cloudwatch.Stats.p(99), "p99"),
          ledgerMetric(METRIC.projectionLag, cloudwatch.Stats.MAXIMUM, "max"),
        ],
        width: 6,
      }),
    );
    dashboard.addWidgets(
      perFunction("Lambda invocations", (fn) =>
        fn.metricInvocations({ period: minute, statistic: cloudwatch.Stats.SUM }),
      ),
      perFunction("Lambda errors", (fn) =>
        fn.metricErrors({ period: minute, statistic: cloudwatch.Stats.SUM }),
      ),
      perFunction("Lambda duration p99 (ms)", (fn) =>
        fn.metricDuration({ period: minute, statistic: cloudwatch.Stats.p(99) }),
      ),
      perFunction(
        "Lambda throttles and concurrency",
        (fn) => fn.metricThrottles({ period: minute, statistic: cloudwatch.Stats.SUM }),
        {
          right: functions.map(([name, fn]) =>
            fn.metric("ConcurrentExecutions", {
              period: minute,
              statistic: cloudwatch.Stats.MAXIMUM,
              label: `${name} concurrency`,
            }),
          ),
        },
      ),
    );
    dashboard.addWidgets(
      perTable("DynamoDB consumed read units", "ConsumedReadCapacityUnits", cloudwatch.Stats.SUM),
      perTable("DynamoDB consumed write units", "ConsumedWriteCapacityUnits", cloudwatch.Stats.SUM),
      new cloudwatch.GraphWidget({
        title: "DynamoDB throttle events",
        left: tables.flatMap(([name, table]) =>
          ["Read", "Write"].map((kind) =>
            table.metric(`${kind}ThrottleEvents`, {
              statistic: cloudwatch.Stats.SUM,
              period: minute,
              label: `${name} ${kind.toLowerCase()}`,
            }),
          ),
        ),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: "Projector iterator age (ms)",
        left: [
          props.streamConsumer.metric("IteratorAge", {
            period: minute,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: "max",
          }),
        ],
        right: [
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: fiveMinutes,
            statistic: cloudwatch.Stats.MAXIMUM,
            label: "dead-letter messages",
          }),
        ],
        width: 6,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "API requests, 4XX and 5XX",
        left: [
          stage.metricCount({ period: minute, statistic: cloudwatch.Stats.SUM, label: "requests" }),
          stage.metricClientError({
            period: minute,
            statistic: cloudwatch.Stats.SUM,
            label: "4XX",
          }),
          stage.metricServerError({
            period: minute,
            statistic: cloudwatch.Stats.SUM,
            label: "5XX",
          }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: "API latency p99 (ms)",
        left: [
          stage.metricLatency({
            period: minute,
            statistic: cloudwatch.Stats.p(99),
            label: "request",
          }),
          stage.metricIntegrationLatency({
            period: minute,
            statistic: cloudwatch.Stats.p(99),
            label: "integration",
          }),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 8 }),
    );
    return dashboard;
  }

  /**
   * The two alarms of a stream consumer: its oldest unprocessed record older than `age` (for
   * `evaluationPeriods` minutes), and anything in its dead-letter queue.
   */
  private streamAlarms(
    ids: readonly [string, string],
    consumer: { function: lambda.IFunction; deadLetterQueue: sqs.IQueue },
    lag: { age: Duration; evaluationPeriods: number },
    lagDescription: string,
    deadLetterDescription: string,
  ): void {
    this.alarm(ids[0], {
      metric: consumer.function.metric("IteratorAge", {
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: lag.age.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: lag.evaluationPeriods,
      alarmDescription: lagDescription,
    });
    this.alarm(ids[1], {
      metric: consumer.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: deadLetterDescription,
    });
  }

  private alarm(
    id: string,
    props: Omit<cloudwatch.AlarmProps, "evaluationPeriods"> & { evaluationPeriods?: number },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    const action = new actions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** The metric, labelled. */
function withLabel(metric: cloudwatch.IMetric, label: string): cloudwatch.IMetric {
  return metric instanceof cloudwatch.Metric ? metric.with({ label }) : metric;
}
