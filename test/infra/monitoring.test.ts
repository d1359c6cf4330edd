import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { DIMENSION, METRIC, METRICS_NAMESPACE } from "../../functions/handlers/telemetry.js";
import {
  type CfnResource,
  dlqOf,
  ledgerFunctions,
  ledgerTemplate,
  noticesMapping,
  only,
  projectorMapping,
  propsOf,
  refOf,
  resources,
  streamConsumer,
  TEMPLATE_WAIT_MS,
} from "./support.js";

let template: Template;
beforeAll(async () => {
  template = await ledgerTemplate();
}, TEMPLATE_WAIT_MS);

function alarms(metricName: string, namespace: string): CfnResource[] {
  return resources(template, "AWS::CloudWatch::Alarm")
    .map(([, alarm]) => alarm)
    .filter(
      (alarm) =>
        alarm.Properties?.MetricName === metricName && alarm.Properties?.Namespace === namespace,
    );
}

/** The logical id of the resource a metric dimension refers to. */
function dimensionRef(alarm: CfnResource, name: string): string {
  const dimensions = alarm.Properties?.Dimensions as { Name: string; Value: unknown }[];
  return refOf(
    only(
      dimensions.filter((d) => d.Name === name),
      `dimension ${name}`,
    ).Value,
  );
}

describe("the alarms", () => {
  const functionIds = () => ledgerFunctions(template).map(([id]) => id);

  it("watch errors and throttles of every function", () => {
    expect(functionIds()).toHaveLength(9);
    for (const metric of ["Errors", "Throttles"]) {
      const watched = alarms(metric, "AWS/Lambda").map((a) => dimensionRef(a, "FunctionName"));
      expect(watched.sort()).toEqual(functionIds().sort());
    }
  });

  it("watch the stream iterator age (Maximum) of the projector and of the notices", () => {
    const watched = alarms("IteratorAge", "AWS/Lambda");
    // The sequencer's too, with the proofs' own threshold: a checkpoint within a minute.
    expect(watched).toHaveLength(3);
    expect(watched.map((a) => dimensionRef(a, "FunctionName"))).toEqual(
      expect.arrayContaining([
        streamConsumer(template),
        refOf(noticesMapping(template).Properties?.FunctionName),
      ]),
    );
    for (const alarm of watched) {
      expect(alarm.Properties?.Statistic).toBe("Maximum");
      expect(alarm.Properties?.Threshold).toBeGreaterThan(0);
    }
  });

  it("fire as soon as a dead-letter queue (the projector's, the notices', the sequencer's) holds a message", () => {
    const queueIds = resources(template, "AWS::SQS::Queue").map(([id]) => id);
    expect(queueIds).toHaveLength(3);
    expect(queueIds).toEqual(
      expect.arrayContaining([dlqOf(projectorMapping(template)), dlqOf(noticesMapping(template))]),
    );
    const depth = alarms("ApproximateNumberOfMessagesVisible", "AWS/SQS");
    expect(depth).toHaveLength(3);
    for (const alarm of depth) {
      const dimensions = alarm.Properties?.Dimensions as { Name: string; Value: unknown }[];
      expect(dimensions).toHaveLength(1);
      const queue = dimensions[0]?.Value as { "Fn::GetAtt": [string, string] };
      expect(queueIds).toContain(queue["Fn::GetAtt"][0]);
      expect(alarm.Properties?.ComparisonOperator).toBe("GreaterThanThreshold");
      expect(alarm.Properties?.Threshold).toBe(0);
    }
  });

  it("watch the API's 5XX errors", () => {
    const alarm = only(alarms("5XXError", "AWS/ApiGateway"), "5XX alarm");
    expect(alarm.Properties?.Statistic).toBe("Sum");
  });

  it("watch every function's p99 duration against 80 % of its own timeout", () => {
    const fns = ledgerFunctions(template);
    const durationAlarms = alarms("Duration", "AWS/Lambda");
    expect(durationAlarms).toHaveLength(fns.length);
    for (const [id, fn] of fns) {
      const timeoutMs = (fn.Properties?.Timeout as number) * 1000;
      const alarm = only(
        durationAlarms.filter((a) => dimensionRef(a, "FunctionName") === id),
        "duration alarm",
      );
      expect(alarm.Properties?.ExtendedStatistic).toBe("p99");
      expect(alarm.Properties?.Threshold).toBe(timeoutMs * 0.8);
      expect(alarm.Properties?.ComparisonOperator).toBe("GreaterThanThreshold");
    }
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/Lambda",
      MetricName: "Duration",
      ExtendedStatistic: "p99",
      Threshold: 48_000,
    });
  });

  it("watch read and write throttling of both tables", () => {
    const tableIds = resources(template, "AWS::DynamoDB::Table").map(([id]) => id);
    expect(tableIds).toHaveLength(2);
    for (const metric of ["ReadThrottleEvents", "WriteThrottleEvents"]) {
      const watched = alarms(metric, "AWS/DynamoDB").map((a) => dimensionRef(a, "TableName"));
      expect(watched.sort()).toEqual([...tableIds].sort());
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/DynamoDB",
        MetricName: metric,
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    }
  });

  it("watch the API's 4XX rate, once enough requests come in", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Threshold: 0.1,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: 3,
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: Match.stringLikeRegexp("clientErrors / requests"),
          ReturnData: true,
        }),
        Match.objectLike({
          Id: "clientErrors",
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: "AWS/ApiGateway", MetricName: "4XXError" }),
            Stat: "Sum",
          }),
          ReturnData: false,
        }),
        Match.objectLike({
          Id: "requests",
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ Namespace: "AWS/ApiGateway", MetricName: "Count" }),
            Stat: "Sum",
          }),
          ReturnData: false,
        }),
      ]),
    });
  });

  it("notify an encrypted, TLS-only SNS topic, whose ARN is a stack output", () => {
    const [topicId, topic] = only(resources(template, "AWS::SNS::Topic"), "topic");
    expect(topic.Properties?.KmsMasterKeyId).toBeDefined();
    expect(topic.Properties?.TopicName).toBeUndefined();
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
          }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: "cloudwatch.amazonaws.com" } }),
        ]),
      },
    });
    for (const [, alarm] of resources(template, "AWS::CloudWatch::Alarm")) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties?.AlarmName).toBeUndefined();
    }
    template.hasOutput("AlarmTopicArn", { Value: { Ref: topicId } });
  });
});

describe("the dashboard", () => {
  /** The dashboard body, its tokens (Refs to the resources) rendered as `<ref>`. */
  function body(): string {
    const [, dashboard] = only(resources(template, "AWS::CloudWatch::Dashboard"), "dashboard");
    expect(dashboard.Properties?.DashboardName).toBeUndefined();
    const join = (propsOf(dashboard).DashboardBody as { "Fn::Join": [string, unknown[]] })[
      "Fn::Join"
    ];
    return join[1].map((part) => (typeof part === "string" ? part : "<ref>")).join("");
  }

  it("is one, and shows the ledger's own metrics by their names in its namespace", () => {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    const text = body();
    for (const name of Object.values(METRIC)) expect(text).toContain(name);
    expect(text).toContain(METRICS_NAMESPACE);
    expect(text).toContain(`${DIMENSION.eventType}} MetricName=\\"${METRIC.eventsAppended}\\"`);
    expect(text).toContain(`${DIMENSION.status}} MetricName=\\"${METRIC.appendsRejected}\\"`);
    // the service dimension is the stack's name, which the functions are given
    expect(text).toContain('service=\\"SanctionsLedger\\"');
    for (const [, fn] of ledgerFunctions(template)) {
      const variables = (propsOf(fn).Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe("SanctionsLedger");
    }
  });

  it("shows the functions', the tables' and the API's basic metrics, and every alarm", () => {
    const text = body();
    for (const metric of [
      '"AWS/Lambda","Invocations"',
      '"AWS/Lambda","Errors"',
      '"AWS/Lambda","Duration"',
      '"AWS/Lambda","Throttles"',
      '"AWS/DynamoDB","ConsumedReadCapacityUnits"',
      '"AWS/DynamoDB","ConsumedWriteCapacityUnits"',
      '"AWS/DynamoDB","ReadThrottleEvents"',
      '"AWS/ApiGateway","Count"',
      '"AWS/ApiGateway","4XXError"',
      '"AWS/ApiGateway","5XXError"',
      '"AWS/ApiGateway","Latency"',
      '"AWS/ApiGateway","IntegrationLatency"',
    ]) {
      expect(text).toContain(metric);
    }
    const alarmCount = resources(template, "AWS::CloudWatch::Alarm").length;
    expect(text.match(/"alarms":\[([^\]]*)\]/)?.[1]?.split(",")).toHaveLength(alarmCount);
  });
});
