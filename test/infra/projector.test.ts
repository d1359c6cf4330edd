import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  dlqOf,
  eventsTable,
  ledgerTemplate,
  projectorMapping,
  resources,
  TEMPLATE_WAIT_MS,
} from "./support.js";

let template: Template;
beforeAll(async () => {
  template = await ledgerTemplate();
}, TEMPLATE_WAIT_MS);

describe("the stream projector", () => {
  it("consumes the events table's stream from the trim horizon", () => {
    const [tableId] = eventsTable(template);
    // The projector's, the notices' and the sequencer's.
    template.resourcePropertiesCountIs(
      "AWS::Lambda::EventSourceMapping",
      {
        EventSourceArn: { "Fn::GetAtt": [tableId, "StreamArn"] },
        StartingPosition: "TRIM_HORIZON",
      },
      3,
    );
    expect(projectorMapping(template).Properties?.EventSourceArn).toEqual({
      "Fn::GetAtt": [tableId, "StreamArn"],
    });
  });

  it("reports partial batch failures, bisects, retries a bounded number of times", () => {
    const mapping = projectorMapping(template);
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

  it("keeps every dead-letter queue of the stack, and its policy (the notices', the sequencer's)", () => {
    const queues = resources(template, "AWS::SQS::Queue");
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const [, queue] of queues) expect(queue.DeletionPolicy).toBe("Retain");
    const policies = resources(template, "AWS::SQS::QueuePolicy");
    expect(policies).toHaveLength(queues.length);
    for (const [, policy] of policies) expect(policy.DeletionPolicy).toBe("Retain");
  });

  it("sends what fails to an encrypted, TLS-only dead-letter queue kept 14 days", () => {
    const queueId = dlqOf(projectorMapping(template));
    const queue = Object.fromEntries(resources(template, "AWS::SQS::Queue"))[queueId];
    if (!queue) throw new Error("no dead-letter queue");
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
