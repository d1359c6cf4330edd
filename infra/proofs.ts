import {
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import * as cr from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { DEFAULT_CHECKPOINT_RETENTION_DAYS, ENV, PROOFS_ENV } from "../functions/store/keys.js";
import type { EventStore } from "./event-store.js";
import { handlerEntry, LedgerFunction } from "./function.js";
import { acknowledgeWildcardResource } from "./nag.js";
import { consumeEventStream, retainedDeadLetterQueue } from "./stream.js";

/** Properties of {@link Proofs}. */
export interface ProofsProps {
  /**
   * The tables: the sequencer follows the events table's stream and keeps the log (its
   * leaves, claims, tiles and head) in the views table.
   * @default - no default; required
   */
  readonly eventStore: EventStore;
  /**
   * Absolute path of the sequencer's TypeScript entry file (it must export `handler`).
   * @default functions/handlers/sequencer.ts
   */
  readonly entry?: string;
  /**
   * The checkpoints' origin line and the signature's key name.
   * @default "sanctions-ledger/<account>/<region>"
   */
  readonly origin?: string;
  /**
   * How long Object Lock (compliance mode) keeps every published checkpoint: nobody, the
   * account's root user included, can delete or overwrite one before that.
   * @default Duration.days(1826) (five years)
   */
  readonly retention?: Duration;
  /**
   * Most stream records handed to one invocation of the sequencer.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Longest a stream batch waits to fill before the sequencer runs (the checkpoint lag).
   * @default Duration.seconds(5)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Retention of the sequencer's logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Actions of a key administrator: everything but using the key (no `kms:Sign`, `kms:Verify`). */
const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

/**
 * The ledger's published proofs (issue 12): the sequencer that admits every event to the
 * ledger-wide Merkle log, the KMS key that signs its checkpoints, and the S3 bucket where
 * the checkpoints are kept under Object Lock.
 *
 * - The key (ECC_NIST_P256, SIGN_VERIFY) has a key policy that lets the account administer
 *   it but lets only the sequencer's role sign with it: `kms:Sign` is in no statement for
 *   the account, so no IAM policy can grant it to anyone else.
 * - The bucket has Object Lock in compliance mode with a default retention, is versioned,
 *   encrypted, private, TLS-only, and logs its accesses; its policy denies writing
 *   objects to every principal but the sequencer's role.
 * - The sequencer follows the events table's stream (partial batch failures, bisection,
 *   bounded retries, a dead-letter queue): every batch ends with a published checkpoint.
 *
 * The public key (base64 of its DER SPKI, read from KMS at deployment) and the bucket are
 * stack outputs, so that an auditor can fetch both without access to the ledger.
 */
export class Proofs extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly key: kms.Key;
  public readonly sequencer: LedgerFunction;
  public readonly deadLetterQueue: sqs.Queue;
  /** The public key: base64 of its DER SubjectPublicKeyInfo (a PEM body). */
  public readonly publicKey: string;
  /** The checkpoints' origin line. */
  public readonly origin: string;
  private readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: ProofsProps) {
    super(scope, id);
    const store = props.eventStore;
    const stack = Stack.of(this);
    const retention = props.retention ?? Duration.days(DEFAULT_CHECKPOINT_RETENTION_DAYS);
    const origin = props.origin ?? `sanctions-ledger/${stack.account}/${stack.region}`;
    this.origin = origin;
    this.retentionDays = retention.toDays();

    const accessLogs = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, "Checkpoints", {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(retention),
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: "checkpoints/",
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.key = new kms.Key(this, "SigningKey", {
      description: "sanctions-ledger: signs the Merkle log's checkpoints (sequencer only)",
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: "AdministerButNeverSign",
            principals: [new iam.AccountRootPrincipal()],
            actions: KEY_ADMIN_ACTIONS,
            resources: ["*"],
          }),
        ],
      }),
    });

    this.sequencer = new LedgerFunction(this, "Sequencer", {
      entry: props.entry ?? handlerEntry("sequencer"),
      description: "sanctions-ledger sequencer: admits events to the Merkle log, signs checkpoints",
      environment: {
        [ENV.eventsTable]: store.eventsTable.tableName,
        [ENV.viewsTable]: store.viewsTable.tableName,
        [PROOFS_ENV.bucket]: this.bucket.bucketName,
        [PROOFS_ENV.keyId]: this.key.keyArn,
        [PROOFS_ENV.retentionDays]: String(retention.toDays()),
        [PROOFS_ENV.origin]: origin,
      },
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
    });
    const role = this.sequencer.role;
    store.grantReadEvents(this.sequencer);
    store.grantWriteViews(this.sequencer);
    this.grantSign(role);
    this.grantPublish(role);

    this.deadLetterQueue = retainedDeadLetterQueue(
      this,
      "the sequencer's stream event source mapping",
    );
    consumeEventStream(this.sequencer, store.eventsTable, {
      deadLetterQueue: this.deadLetterQueue,
      ...(props.batchSize === undefined ? {} : { batchSize: props.batchSize }),
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(5),
    });

    const publicKey = new cr.AwsCustomResource(this, "PublicKey", {
      onUpdate: {
        service: "KMS",
        action: "getPublicKey",
        parameters: { KeyId: this.key.keyArn },
        physicalResourceId: cr.PhysicalResourceId.of(this.key.keyArn),
        outputPaths: ["PublicKey"],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ["kms:GetPublicKey"], resources: [this.key.keyArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    this.publicKey = publicKey.getResponseField("PublicKey");
    // The provider function of AwsCustomResource is one per stack, under a fixed id.
    const provider = stack.node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll("-", "")}`,
    );
    if (provider) {
      Validations.of(provider).acknowledge({
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "The AwsCustomResource provider that reads the public key at deployment is CDK's " +
          "own singleton function; its role has the basic execution policy for its logs, " +
          "and only kms:GetPublicKey on the signing key besides.",
      });
      // cfn-lint W3005: CDK's function depends on its role, which it also names (GetAtt), as
      // every Lambda L2 does (see infra/function.ts).
      (provider.node.defaultChild as CfnResource | undefined)?.addMetadata("cfn-lint", {
        config: { ignore_checks: ["W3005"] },
      });
    }

    new CfnOutput(this, "CheckpointPublicKey", {
      description: "Base64 DER SPKI of the checkpoint signing key (ECDSA P-256; a PEM body)",
      value: this.publicKey,
    });
    new CfnOutput(this, "CheckpointBucket", {
      description: "S3 bucket of the signed checkpoints (Object Lock, compliance mode)",
      value: this.bucket.bucketName,
    });
    new CfnOutput(this, "CheckpointKeyArn", {
      description: "KMS key that signs the checkpoints",
      value: this.key.keyArn,
    });

    this.acknowledge();
  }

  /** Sign with the key: in the key policy, for this role alone, and in the role's policy. */
  private grantSign(role: iam.IRole): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "OnlyTheSequencerSigns",
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ["kms:Sign", "kms:GetPublicKey"],
        resources: ["*"],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["kms:Sign", "kms:GetPublicKey"],
        resources: [this.key.keyArn],
      }),
    );
  }

  /**
   * Write and read checkpoints (with their retention), and deny writing to everyone else:
   * an explicit deny in the bucket policy overrides any IAM grant in the account.
   */
  private grantPublish(role: iam.IRole): void {
    const objects = this.bucket.arnForObjects("*");
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject"],
        resources: [objects],
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "OnlyTheSequencerWrites",
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ["s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectLegalHold"],
        resources: [objects],
        conditions: { ArnNotEquals: { "aws:PrincipalArn": role.roleArn } },
      }),
    );
  }

  /**
   * Serve the proofs (`/checkpoints/…` and the inclusion proofs): read access to the
   * checkpoints and archived tiles, and the environment naming them and the public key
   * (read from KMS at deployment), so that the function never calls KMS.
   */
  public grantServeProofs(fn: LedgerFunction): iam.Grant {
    fn.function.addEnvironment(PROOFS_ENV.bucket, this.bucket.bucketName);
    fn.function.addEnvironment(PROOFS_ENV.origin, this.origin);
    fn.function.addEnvironment(PROOFS_ENV.retentionDays, String(this.retentionDays));
    fn.function.addEnvironment(PROOFS_ENV.publicKey, this.publicKey);
    const objects = this.bucket.arnForObjects("*");
    const grant = iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ["s3:GetObject"],
      resourceArns: [objects],
    });
    acknowledgeWildcardResource(
      fn.role,
      objects,
      "The proofs function reads the published checkpoints (checkpoints/<tree size>, checkpoint) and " +
        "archived tiles (tile/…) by their tree size and path, known only at run time; it may " +
        "only read them (the bucket policy denies writes to every role but the sequencer's).",
    );
    return grant;
  }

  /**
   * Read the log's leaves (in the views table, which the function reads already): the
   * environment naming the log, so that the reader adds each listed event's `leafIndex`
   * and holds the log's hashes as witnesses in `verify`.
   */
  public grantReadLog(fn: LedgerFunction): void {
    fn.function.addEnvironment(PROOFS_ENV.origin, this.origin);
  }

  private acknowledge(): void {
    Validations.of(this.sequencer.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      reason:
        "The sequencer writes one object per checkpoint (checkpoints/<tree size>) and the " +
        "latest (checkpoint): the object keys are only known at run time.",
    });
  }
}

function stack(scope: Construct): Stack {
  return Stack.of(scope);
}
