import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import type * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** Properties of a {@link Monitoring}. */
export interface MonitoringProps {
  /**
   * The functions to watch for errors and throttles, by a readable name ("Writer", ...)
   * used in the alarms' construct ids and descriptions.
   * @default - no default; required
   */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
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
   * The API stage whose 5XX responses to watch.
   * @default - no default; required
   */
  readonly apiStage: apigateway.Stage;
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
}

/**
 * The alarms of architecture §5: errors and throttles of every function, the projector's
 * stream iterator age, the dead-letter queue's depth, and the API's 5XX answers. Each alarm
 * notifies {@link alarmTopic} when it fires and when it recovers.
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
    }

    const iteratorAge = props.iteratorAgeThreshold ?? Duration.minutes(5);
    this.alarm("StreamIteratorAge", {
      metric: props.streamConsumer.metric("IteratorAge", {
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: iteratorAge.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      alarmDescription: `Projector: the oldest unprocessed stream record is older than ${iteratorAge.toHumanString()}`,
    });

    this.alarm("DeadLetterQueueDepth", {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription:
        "Projector: stream batches that could not be projected are in the dead-letter queue",
    });

    this.alarm("Api5xxErrors", {
      metric: props.apiStage.metricServerError({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: props.serverErrorThreshold ?? 1,
      alarmDescription: "HTTP API: answered with 5XX server errors",
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
