import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Duration, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { SERVICE_NAME_ENV } from "../functions/handlers/telemetry.js";
import { BUNDLING, bundleDefines } from "./bundling.js";

/**
 * The folder that holds `functions/`: the repository root when this module runs from
 * `infra/`, or the installed package when it runs built, from `dist/infra/`.
 */
export const PROJECT_ROOT = fileURLToPath(
  new URL(
    existsSync(new URL("../functions/handlers/writer.ts", import.meta.url)) ? ".." : "../..",
    import.meta.url,
  ),
);

/**
 * Where esbuild runs: in the repository, its root and `package-lock.json`; in an installed
 * package (which ships no lock file), CDK's default, the app's own lock file and its folder.
 */
const BUNDLING_ROOT = existsSync(`${PROJECT_ROOT}package-lock.json`)
  ? { projectRoot: PROJECT_ROOT, depsLockFilePath: `${PROJECT_ROOT}package-lock.json` }
  : {};

/** The absolute path of a Lambda entry file under `functions/handlers/`. */
export function handlerEntry(
  name:
    | "writer"
    | "reader"
    | "audit"
    | "proofs"
    | "docs"
    | "projector"
    | "notices-daily"
    | "notices-stream"
    | "sequencer",
): string {
  return `${PROJECT_ROOT}functions/handlers/${name}.ts`;
}

/**
 * How long an API function may run, by default. The slowest append the API's limits admit
 * (a registration with the heaviest names, each of its words a search row) must finish
 * well within it: `test/reliability/bounded.test.ts` proves the margin.
 */
export const DEFAULT_TIMEOUT_SECONDS = 10;

/** Properties of a {@link LedgerFunction}. */
export interface LedgerFunctionProps {
  /**
   * Absolute path of the TypeScript entry file; it must export `handler`.
   * @default - no default; required
   */
  readonly entry: string;
  /**
   * What the function does, shown in the Lambda console.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Environment variables (the table names, under the names in `ENV`).
   * @default - none besides `NODE_OPTIONS=--enable-source-maps` and the service name
   * (`POWERTOOLS_SERVICE_NAME`, the stack's name)
   */
  readonly environment?: Record<string, string>;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory (MB); on Lambda it also scales the CPU share.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Concurrent executions reserved for the function, which are also its ceiling.
   * @default - none reserved: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long the function's log group keeps its logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A ledger Lambda function with the settings every function of the app shares:
 * Node.js 24 on arm64, bundled locally by esbuild (minified ESM with source maps and the
 * pinned AWS SDK inside the bundle, so the code runs against the SDK version it was
 * tested with), active X-Ray tracing, an explicit log group with a retention, and its
 * own role that starts with no permissions at all: not even the AWS managed
 * `AWSLambdaBasicExecutionRole`, only writing to its own log group.
 */
export class LedgerFunction extends Construct implements iam.IGrantable {
  /** The Lambda function. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's execution role. */
  public readonly role: iam.Role;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The principal to grant permissions to (the execution role). */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: LedgerFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, "LogGroup", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: props.description,
    });
    this.grantPrincipal = this.role;
    // What AWSLambdaBasicExecutionRole would give, limited to this function's log group.
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, "Function", {
      entry: props.entry,
      handler: "handler",
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        // The service of the log lines, of the traces and of the metrics' `service`
        // dimension: the stack's name, so that two deployments in one account stay apart.
        [SERVICE_NAME_ENV]: Stack.of(this).stackName,
        ...props.environment,
      },
      ...BUNDLING_ROOT,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: BUNDLING.target,
        mainFields: [...BUNDLING.mainFields],
        banner: BUNDLING.banner,
        define: bundleDefines(),
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        externalModules: [],
        forceDockerBundling: false,
      },
    });

    // cfn-lint W3005 ("dependency already enforced by a GetAtt"): the Lambda L2 makes the
    // function depend on its whole role construct, the role and its default policy, so that
    // the function exists only once its permissions do. The policy half of that DependsOn
    // is needed; the role half repeats the `Role: GetAtt` and is harmless, and the L2 gives
    // no way to drop it alone. The check is ignored on this resource only, for that reason.
    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata("cfn-lint", {
      config: { ignore_checks: ["W3005"] },
    });

    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "Active X-Ray tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, " +
        "which support no resource-level permissions: IAM only accepts Resource '*' for them.",
    });
  }
}
