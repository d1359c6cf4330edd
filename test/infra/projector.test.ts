import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { eventsTable, only, refOf, resources, streamConsumer, synthesizeStack } from "./support.js";

let template: Template;
beforeAll(() => {
  template = synthesizeStack().template;
});

describe("the stream projector", () => {
  it("consumes the events table's stream from the trim horizon", () => {
    const [tableId] = eventsTable(template);
    template.resourcePropertiesCountIs(
      "AWS::Lambda::EventSourceMapping",
      {
        EventSourceArn: { "Fn::GetAtt": [tableId, "StreamArn"] },
        StartingPosition: "TRIM_HORIZON",
      },
      // The projector's and the sequencer's.
      2,
    );
  });

  const projectorMapping = () =>
    only(
      resources(template, "AWS::Lambda::EventSourceMapping").filter(
        ([, m]) => refOf(m.Properties?.FunctionName) === streamConsumer(template),
      ),
      "mapping",
    );

  it("reports partial batch failures, bisects, retries a bounded number of times", () => {
    const [, mapping] = projectorMapping();
    const props = mapping.Properties ?? {};
    expect(props.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(props.BisectBatchOnFunctionError).toBe(true);
    expect(props.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(props.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    expect(props.MaximumRecordAgeInSeconds).toBeGreaterThan(0);
    expect(props.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(7 * 24 * 3600);
    expect(props.BatchSize).toBe(100);
  });

  it("keeps the dead-letter queue and its TLS-only policy when the stack is deleted", () => {
    template.hasResource("AWS::SQS::Queue", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
    template.hasResource("AWS::SQS::QueuePolicy", { DeletionPolicy: "Retain" });
  });

  it("sends what fails to an encrypted, TLS-only dead-letter queue kept 14 days", () => {
    const [queueId, queue] = only(
      resources(template, "AWS::SQS::Queue").filter(([id]) => id.startsWith("Projection")),
      "queue",
    );
    expect(queue.Properties?.SqsManagedSseEnabled ?? queue.Properties?.KmsMasterKeyId).toBeTruthy();
    expect(queue.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(queue.Properties?.QueueName).toBeUndefined();
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [queueId, "Arn"] } } },
    });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
  });
});
