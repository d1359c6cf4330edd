import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CfnResource,
  only,
  refOf,
  resources,
  streamConsumer,
  synthesizeStack,
} from "./support.js";

let template: Template;
beforeAll(() => {
  template = synthesizeStack().template;
});

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
  const functionIds = () => resources(template, "AWS::Lambda::Function").map(([id]) => id);

  it("watch errors and throttles of every function", () => {
    expect(functionIds()).toHaveLength(3);
    for (const metric of ["Errors", "Throttles"]) {
      const watched = alarms(metric, "AWS/Lambda").map((a) => dimensionRef(a, "FunctionName"));
      expect(watched.sort()).toEqual(functionIds().sort());
    }
  });

  it("watch the projector's stream iterator age (Maximum)", () => {
    const alarm = only(alarms("IteratorAge", "AWS/Lambda"), "iterator age alarm");
    expect(dimensionRef(alarm, "FunctionName")).toBe(streamConsumer(template));
    expect(alarm.Properties?.Statistic).toBe("Maximum");
    expect(alarm.Properties?.Threshold).toBeGreaterThan(0);
  });

  it("fire as soon as the dead-letter queue holds a message", () => {
    const [queueId] = only(resources(template, "AWS::SQS::Queue"), "queue");
    const alarm = only(
      alarms("ApproximateNumberOfMessagesVisible", "AWS/SQS"),
      "dead-letter depth alarm",
    );
    const dimensions = alarm.Properties?.Dimensions as { Name: string; Value: unknown }[];
    expect(dimensions).toEqual([
      { Name: "QueueName", Value: { "Fn::GetAtt": [queueId, "QueueName"] } },
    ]);
    expect(alarm.Properties?.ComparisonOperator).toBe("GreaterThanThreshold");
    expect(alarm.Properties?.Threshold).toBe(0);
  });

  it("watch the API's 5XX errors", () => {
    const alarm = only(alarms("5XXError", "AWS/ApiGateway"), "5XX alarm");
    expect(alarm.Properties?.Statistic).toBe("Sum");
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
