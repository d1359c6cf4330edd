import { App, Duration, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { EventStore } from "../../infra/event-store.js";
import { LedgerStack } from "../../infra/ledger-stack.js";
import { Proofs } from "../../infra/proofs.js";
import { type CfnResource, resources, SKIP_BUNDLING, type Statement } from "./support.js";

/** A stack holding the tables and the proofs construct alone. */
function synth(props: { retention?: Duration } = {}) {
  const app = new App({ context: SKIP_BUNDLING });
  const stack = new Stack(app, "ProofsTest");
  const eventStore = new EventStore(stack, "EventStore");
  const proofs = new Proofs(stack, "Proofs", { eventStore, ...props });
  return { app, stack, proofs, template: Template.fromStack(stack) };
}

function statementsOf(policy: unknown): Statement[] {
  return ((policy as { Statement?: Statement[] })?.Statement ?? []) as Statement[];
}

function actions(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

let t: ReturnType<typeof synth>;
let roleId: string;
beforeAll(() => {
  t = synth();
  roleId = t.stack.getLogicalId(t.proofs.sequencer.role.node.defaultChild as never);
});

describe("the checkpoint bucket", () => {
  it("has Object Lock in compliance mode, five years by default, versioned and retained", () => {
    t.template.hasResource("AWS::S3::Bucket", {
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: "Enabled",
          Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 1826 } },
        },
        VersioningConfiguration: { Status: "Enabled" },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
        LoggingConfiguration: Match.anyValue(),
      }),
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("takes the retention as a prop", () => {
    synth({ retention: Duration.days(3650) }).template.hasResourceProperties("AWS::S3::Bucket", {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 3650 } } },
    });
  });

  it("denies writing objects to every principal but the sequencer's role", () => {
    t.template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: Match.arrayWith(["s3:PutObject", "s3:PutObjectRetention"]),
            Condition: { ArnNotEquals: { "aws:PrincipalArn": { "Fn::GetAtt": [roleId, "Arn"] } } },
          }),
        ]),
      },
    });
  });
});

describe("the signing key", () => {
  let key: CfnResource;
  beforeAll(() => {
    const keys = resources(t.template, "AWS::KMS::Key");
    expect(keys).toHaveLength(1);
    key = (keys[0] as [string, CfnResource])[1];
  });

  it("is an ECDSA P-256 signing key, retained", () => {
    expect(key.Properties).toMatchObject({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    expect(key.DeletionPolicy).toBe("Retain");
  });

  it("lets only the sequencer's role sign: no other statement names kms:Sign or kms:*", () => {
    const statements = statementsOf(key.Properties?.KeyPolicy);
    const signing = statements.filter((s) =>
      actions(s).some((a) => a === "kms:Sign" || a === "kms:*" || a === "*"),
    );
    expect(signing).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Principal: { AWS: { "Fn::GetAtt": [roleId, "Arn"] } },
      }),
    ]);
    // The account administers the key (no lock-out) but may not use it.
    const admin = statements.find(
      (s) => (s as { Sid?: string }).Sid === "AdministerButNeverSign",
    ) as Statement;
    expect(actions(admin)).not.toContain("kms:Sign");
    expect(actions(admin).some((a) => /^kms:(Sign|Verify|\*)/.test(a))).toBe(false);
  });

  it("is granted to no other role in the stack, nor are the checkpoints' writes", () => {
    const policies = resources(t.template, "AWS::IAM::Policy");
    for (const [, policy] of policies) {
      const roles = (policy.Properties?.Roles ?? []) as { Ref: string }[];
      const grants = statementsOf(policy.Properties?.PolicyDocument).flatMap(actions);
      const mine = roles.some((r) => r.Ref === roleId);
      if (!mine) {
        expect(grants).not.toContain("kms:Sign");
        expect(grants).not.toContain("s3:PutObject");
      }
    }
    t.template.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ["kms:Sign", "kms:GetPublicKey"], Effect: "Allow" }),
          Match.objectLike({
            Action: ["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject"],
            Effect: "Allow",
          }),
        ]),
      },
    });
  });
});

describe("the sequencer", () => {
  it("follows the events table's stream with partial failures, bisection and a dead-letter queue", () => {
    const fnId = t.stack.getLogicalId(t.proofs.sequencer.function.node.defaultChild as never);
    t.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: fnId },
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("learns the bucket, the key and the retention from its environment", () => {
    t.template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: {
        Variables: Match.objectLike({
          CHECKPOINT_BUCKET_NAME: Match.anyValue(),
          CHECKPOINT_KEY_ID: Match.anyValue(),
          CHECKPOINT_RETENTION_DAYS: "1826",
        }),
      },
    });
  });
});

describe("outputs and cdk-nag", () => {
  it("outputs the public key and the bucket", () => {
    const outputs = t.template.toJSON().Outputs as Record<string, { Description: string }>;
    const described = Object.values(outputs).map((o) => o.Description);
    expect(described).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/public|SPKI/i),
        expect.stringMatching(/bucket/i),
      ]),
    );
  });

  it("leaves no AwsSolutions finding unacknowledged", () => {
    const result = new AwsSolutionsChecks().validateScope(t.app);
    expect(result.violations).toEqual([]);
  });
});

describe("in the ledger's stack", () => {
  let stack: Template;
  let ledger: LedgerStack;
  beforeAll(() => {
    const app = new App({ context: SKIP_BUNDLING });
    // Without the web app, whose deployment writes its own bucket (see stack-web-app.test.ts).
    ledger = new LedgerStack(app, "LedgerWithProofs", { webApp: false });
    stack = Template.fromStack(ledger);
  });
  const idOf = (fn: { role: unknown }) =>
    ledger.getLogicalId((fn.role as { node: { defaultChild: never } }).node.defaultChild);

  it("outputs the public key, the key and the bucket", () => {
    const outputs = Object.keys(stack.toJSON().Outputs as object);
    for (const name of ["CheckpointPublicKey", "CheckpointKeyArn", "CheckpointBucket"]) {
      expect(
        outputs.some((o) => o.includes(name)),
        name,
      ).toBe(true);
    }
  });

  it("runs the sequencer's own handler on the events stream", () => {
    stack.hasResourceProperties("AWS::Lambda::Function", {
      Description: Match.stringLikeRegexp("sequencer"),
      Environment: { Variables: Match.objectLike({ CHECKPOINT_ORIGIN: Match.anyValue() }) },
    });
  });

  it("lets the reader read the log (its origin named, no bucket, no key)", () => {
    stack.hasResourceProperties("AWS::Lambda::Function", {
      Role: { "Fn::GetAtt": [idOf(ledger.api.reader), "Arn"] },
      Environment: {
        Variables: Match.objectLike({
          CHECKPOINT_ORIGIN: Match.anyValue(),
          CHECKPOINT_BUCKET_NAME: Match.absent(),
          CHECKPOINT_PUBLIC_KEY: Match.absent(),
        }),
      },
    });
  });

  it("lets the proofs function serve the proofs: the bucket read, the public key in its environment, no signing or writing", () => {
    const readerRole = idOf(ledger.api.proofServer);
    stack.hasResourceProperties("AWS::Lambda::Function", {
      Role: { "Fn::GetAtt": [readerRole, "Arn"] },
      Environment: {
        Variables: Match.objectLike({
          CHECKPOINT_BUCKET_NAME: Match.anyValue(),
          CHECKPOINT_PUBLIC_KEY: Match.anyValue(),
        }),
      },
    });
    const sequencerRole = idOf(ledger.proofs.sequencer);
    for (const [, policy] of resources(stack, "AWS::IAM::Policy")) {
      const roles = ((policy.Properties?.Roles ?? []) as { Ref: string }[]).map((r) => r.Ref);
      const grants = statementsOf(policy.Properties?.PolicyDocument).flatMap(actions);
      if (roles.includes(sequencerRole)) continue;
      expect(grants).not.toContain("kms:Sign");
      expect(grants).not.toContain("s3:PutObject");
      if (roles.includes(readerRole)) expect(grants).toContain("s3:GetObject");
    }
  });

  it("alarms on the sequencer's iterator age and dead letters", () => {
    stack.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "IteratorAge",
      Threshold: 60_000,
    });
    stack.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmDescription: Match.stringLikeRegexp("^Sequencer: stream batches"),
    });
  });
  // cdk-nag over the whole stack: test/infra/nag.test.ts.
});
