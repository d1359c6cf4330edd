import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as apigateway from "aws-cdk-lib/aws-apigateway";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { ROUTES, type Route, type RouteTarget } from "../functions/api/routes.js";
import { ENV } from "../functions/store/keys.js";
import type { EventStore } from "./event-store.js";
import { handlerEntry, LedgerFunction } from "./function.js";
import { acknowledgeWildcardResource } from "./nag.js";

/** Properties of a {@link LedgerApi}. */
export interface LedgerApiProps {
  /**
   * The tables the writer and the reader work on.
   * @default - no default; required
   */
  readonly eventStore: EventStore;
  /**
   * The deployment stage, the first segment of every URL path.
   * @default "v1"
   */
  readonly stageName?: string;
  /**
   * Throttle of each write method (the POST routes: appends and batches). API Gateway
   * applies it to every method separately.
   * @default { rateLimit: 25, burstLimit: 50 }
   */
  readonly writeThrottle?: MethodThrottle;
  /**
   * Throttle of each read method (the GET routes), also the stage's default for any method
   * without its own. API Gateway applies it to every method separately.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly readThrottle?: MethodThrottle;
  /**
   * Executions reserved for the writer: also its ceiling. Unset, the writer draws on the
   * account's unreserved concurrency like any function; set, it can neither starve the
   * other functions of the account nor be starved by them.
   * @default - none reserved
   */
  readonly writerReservedConcurrency?: number;
  /**
   * Executions reserved for each function that answers reads (the reader, the audit
   * function, the proofs function), each its own (see {@link writerReservedConcurrency}).
   * @default - none reserved
   */
  readonly readerReservedConcurrency?: number;
  /**
   * Retention of the access log and of the functions' logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether this stack sets the account's API Gateway CloudWatch Logs role, which API
   * Gateway needs before it can write access and execution logs. It is one setting per
   * account and region: turn it off if the account already has it.
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /**
   * The routes to serve.
   * @default ROUTES (functions/api/routes.ts)
   */
  readonly routes?: readonly Route[];
  /**
   * Whether the writer brings the views to each event before it answers 201. Off, the
   * writer only appends (and may only read the views), the stream projector alone keeps
   * the views, and reads stay exact by folding the events the views have not taken in yet:
   * faster appends, slower reads until the projector catches up.
   * @default true
   */
  readonly projectOnAppend?: boolean;
  /**
   * The one browser origin (`https://host[:port]`) whose pages may call the API, such as the
   * web app's: see {@link LedgerApi.allowOrigin}. A `LedgerStack` sets it to its web app's.
   * @default - none: no CORS, callers are scripts and servers, not web pages
   */
  readonly corsOrigin?: string;
}

/** The request rate API Gateway allows a method: a steady rate and a burst above it. */
export interface MethodThrottle {
  /**
   * Steady-state requests per second.
   * @default - no default; required
   */
  readonly rateLimit: number;
  /**
   * Requests allowed at once above the steady rate (the token bucket's size).
   * @default - no default; required
   */
  readonly burstLimit: number;
}

/** The default throttle of each write (POST) method. */
export const DEFAULT_WRITE_THROTTLE: MethodThrottle = { rateLimit: 25, burstLimit: 50 };
/** The default throttle of each read (GET) method. */
export const DEFAULT_READ_THROTTLE: MethodThrottle = { rateLimit: 50, burstLimit: 100 };

/**
 * The access log: one JSON line per request, with what an operator needs to answer "who
 * called, what failed and where the time went": the request id (the `instance` of a 5xx
 * problem and the `correlation_id` of the functions' log lines), the caller's ARN, API
 * Gateway's own error message, and the integration's latency beside the whole request's.
 */
function accessLogFormat(): apigateway.AccessLogFormat {
  const F = apigateway.AccessLogField;
  const fields: Record<string, string> = {
    requestId: F.contextRequestId(),
    extendedRequestId: F.contextExtendedRequestId(),
    requestTime: F.contextRequestTime(),
    httpMethod: F.contextHttpMethod(),
    resourcePath: F.contextResourcePath(),
    path: F.contextPath(),
    protocol: F.contextProtocol(),
    status: F.contextStatus(),
    responseLength: F.contextResponseLength(),
    responseLatency: F.contextResponseLatency(),
    integrationLatency: F.contextIntegrationLatency(),
    integrationStatus: F.contextIntegrationStatus(),
    ip: F.contextIdentitySourceIp(),
    userAgent: F.contextIdentityUserAgent(),
    caller: F.contextIdentityCaller(),
    user: F.contextIdentityUser(),
    userArn: F.contextIdentityUserArn(),
    errorType: F.contextErrorResponseType(),
    xrayTraceId: F.contextXrayTraceId(),
  };
  const quoted = Object.entries(fields).map(([key, value]) => `"${key}":"${value}"`);
  // `$context.error.messageString` is `$context.error.message` already quoted and escaped
  // by API Gateway, so that a message holding a quote cannot break the line's JSON.
  quoted.push(`"errorMessage":${F.contextErrorMessageString()}`);
  return apigateway.AccessLogFormat.custom(`{${quoted.join(",")}}`);
}

/**
 * The request headers a browser page sends with a SigV4-signed call (the signature, its date,
 * the session token of the identity pool's credentials, the payload hash) besides those CORS
 * always admits.
 */
export const CORS_ALLOWED_HEADERS = [
  "Authorization",
  "Content-Type",
  "X-Amz-Content-Sha256",
  "X-Amz-Date",
  "X-Amz-Security-Token",
  "X-Amz-User-Agent",
];

/** A route's resource path as API Gateway matches it in an execute-api ARN. */
function arnPath(resource: string): string {
  return resource.replace(/\{[^}]+\}/g, "*");
}

/**
 * The HTTP API (architecture §3): an API Gateway REST API with IAM (SigV4) authorization on
 * every method, built from {@link ROUTES} so that every route of the product is served and
 * none is left unauthenticated. Each route is answered by its function (`target`), with a
 * Lambda proxy integration: the writer (appends), the reader (one entity), the audit
 * function (across entities), the proofs function and the docs function. Request validation is the functions'
 * (valibot), which answers `application/problem+json` with JSON Pointer paths.
 *
 * Callers are authorized with the two managed policies it creates: {@link readerPolicy}
 * (`execute-api:Invoke` on every GET method) and {@link writerPolicy} (every GET and POST
 * method).
 */
export class LedgerApi extends Construct {
  /** The REST API. */
  public readonly restApi: apigateway.RestApi;
  /** The deployment stage. */
  public readonly stage: apigateway.Stage;
  /** The stage's name, the first segment of every URL path (not a token). */
  public readonly stageName: string;
  /** The command side: appends events. */
  public readonly writer: LedgerFunction;
  /** The questions about one entity: its state, stream, timeline and chain. */
  public readonly reader: LedgerFunction;
  /** The questions across entities: sanctions, changes, corrections, notices, search. */
  public readonly audit: LedgerFunction;
  /** What the ledger publishes: checkpoints, their key, inclusion and consistency proofs. */
  public readonly proofServer: LedgerFunction;
  /** The API's OpenAPI document. */
  public readonly docs: LedgerFunction;
  /** Invoke the GET methods; attach it to the callers that only read. */
  public readonly readerPolicy: iam.ManagedPolicy;
  /** Invoke every GET and POST method; attach it to the callers that record events. */
  public readonly writerPolicy: iam.ManagedPolicy;
  /** The browser origin allowed to call the API, once {@link allowOrigin} has set one. */
  public get corsOrigin(): string | undefined {
    return this.allowedOrigin;
  }
  private allowedOrigin: string | undefined;
  private readonly routes: readonly Route[];

  constructor(scope: Construct, id: string, props: LedgerApiProps) {
    super(scope, id);
    const store = props.eventStore;
    const stageName = props.stageName ?? "v1";
    this.stageName = stageName;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const routes = props.routes ?? ROUTES;
    this.routes = routes;
    const writeThrottle = props.writeThrottle ?? DEFAULT_WRITE_THROTTLE;
    const readThrottle = props.readThrottle ?? DEFAULT_READ_THROTTLE;
    const environment = {
      [ENV.eventsTable]: store.eventsTable.tableName,
      [ENV.viewsTable]: store.viewsTable.tableName,
    };

    const projectOnAppend = props.projectOnAppend ?? true;
    this.writer = new LedgerFunction(this, "Writer", {
      entry: handlerEntry("writer"),
      description: projectOnAppend
        ? "sanctions-ledger writer: appends events, then brings the views up to date"
        : "sanctions-ledger writer: appends events; the projector brings the views up to date",
      environment: { ...environment, [ENV.projectOnAppend]: String(projectOnAppend) },
      logRetention: retention,
      reservedConcurrentExecutions: props.writerReservedConcurrency,
    });
    store.grantAppend(this.writer);
    if (projectOnAppend) store.grantWriteViews(this.writer);
    else store.grantReadViews(this.writer);

    // The reads are served by three functions, each bundling only the code of its routes
    // (a smaller bundle, a shorter cold start): one entity, across entities, the proofs.
    const readFunction = (id: string, name: "reader" | "audit" | "proofs", what: string) =>
      new LedgerFunction(this, id, {
        entry: handlerEntry(name),
        description: `sanctions-ledger ${name}: ${what}`,
        environment,
        logRetention: retention,
        reservedConcurrentExecutions: props.readerReservedConcurrency,
      });
    this.reader = readFunction("Reader", "reader", "answers the questions about one entity");
    store.grantReadEvents(this.reader);
    store.grantReadViews(this.reader);
    this.audit = readFunction("Audit", "audit", "answers the questions across entities");
    store.grantReadEvents(this.audit);
    store.grantReadViews(this.audit);
    this.proofServer = readFunction("ProofServer", "proofs", "serves checkpoints and proofs");
    store.grantReadViews(this.proofServer);
    this.docs = new LedgerFunction(this, "Docs", {
      entry: handlerEntry("docs"),
      description: "sanctions-ledger docs: serves the OpenAPI document",
      logRetention: retention,
      memorySize: 256,
    });

    const accessLogs = new logs.LogGroup(this, "AccessLogs", { retention });
    const methodSettings = {
      metricsEnabled: true,
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
    } satisfies apigateway.MethodDeploymentOptions;
    const cloudWatchRole = props.cloudWatchRole ?? true;
    this.restApi = new apigateway.RestApi(this, "RestApi", {
      // A display name, not a unique physical name; CloudFormation requires one, and the
      // API's CloudWatch metrics are keyed by it, so it follows the stack's name to keep
      // the metrics (and the 5XX alarm) of two deployments in one account apart.
      restApiName: `${Stack.of(this).stackName}-api`,
      description: "sanctions-ledger HTTP API, version 1 (IAM authorization on every method)",
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole,
      // The account setting outlives this stack: other APIs of the account may rely on it.
      cloudWatchRoleRemovalPolicy: cloudWatchRole ? RemovalPolicy.RETAIN : undefined,
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      deployOptions: {
        stageName,
        tracingEnabled: true,
        ...methodSettings,
        throttlingRateLimit: readThrottle.rateLimit,
        throttlingBurstLimit: readThrottle.burstLimit,
        // A method's own settings replace the stage's for that method, so each repeats the
        // logging and metrics settings beside its throttle.
        methodOptions: Object.fromEntries(
          routes.map((route) => {
            const throttle = route.method === "GET" ? readThrottle : writeThrottle;
            return [
              `${route.resource}/${route.method}`,
              {
                ...methodSettings,
                throttlingRateLimit: throttle.rateLimit,
                throttlingBurstLimit: throttle.burstLimit,
              },
            ];
          }),
        ),
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });
    this.stage = this.restApi.deploymentStage;
    // The stack outputs the URL under a stable name (ApiUrl); drop the automatic duplicate.
    this.restApi.node.tryRemoveChild("Endpoint");

    const integration = (fn: LedgerFunction) =>
      new apigateway.LambdaIntegration(fn.function, { allowTestInvoke: false });
    const integrations: Record<RouteTarget, apigateway.LambdaIntegration> = {
      writer: integration(this.writer),
      reader: integration(this.reader),
      audit: integration(this.audit),
      proofs: integration(this.proofServer),
      docs: integration(this.docs),
    };
    for (const route of routes) {
      this.restApi.root
        .resourceForPath(route.resource)
        .addMethod(route.method, integrations[route.target], {
          authorizationType: apigateway.AuthorizationType.IAM,
        });
    }

    const invokeArn = (route: Route) =>
      this.restApi.arnForExecuteApi(route.method, arnPath(route.resource), stageName);
    const readerArns = routes.filter((route) => route.method === "GET").map(invokeArn);
    const writerArns = routes
      .filter((route) => route.method === "GET" || route.method === "POST")
      .map(invokeArn);
    this.readerPolicy = this.invokePolicy(
      "ReaderPolicy",
      "sanctions-ledger: call the read (GET) methods of the HTTP API",
      readerArns,
    );
    this.writerPolicy = this.invokePolicy(
      "WriterPolicy",
      "sanctions-ledger: call every method (POST and GET) of the HTTP API",
      writerArns,
    );

    Validations.of(this.restApi).acknowledge(
      {
        id: "AwsSolutions-COG4",
        reason:
          "Every method uses IAM (SigV4) authorization, by design (architecture §5): callers " +
          "are AWS principals given the reader or writer managed policy (the web app's users " +
          "get the reader's through the identity pool); only the CORS preflights (OPTIONS, " +
          "answered by API Gateway itself) have none, as browsers send them unsigned.",
      },
      {
        id: "AwsSolutions-APIG2",
        reason:
          "Requests are validated in the Lambda functions (valibot), which answer " +
          "application/problem+json with a JSON Pointer per error as the API contract " +
          "requires (architecture §3); an API Gateway validator would answer its own format.",
      },
    );
    Validations.of(this.stage).acknowledge({
      id: "AwsSolutions-APIG3",
      reason:
        "Every method requires a SigV4 signature from a principal holding the reader or " +
        "writer policy, so API Gateway rejects anonymous traffic before any integration, " +
        "and the stage is throttled; a WAF web ACL is left to the deploying account.",
    });
    if (props.corsOrigin !== undefined) this.allowOrigin(props.corsOrigin);
    const accountLogsRole = this.restApi.node.tryFindChild("CloudWatchRole");
    if (accountLogsRole !== undefined) {
      Validations.of(accountLogsRole).acknowledge({
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
        reason:
          "The account-level API Gateway CloudWatch Logs role (required for access and " +
          "execution logging) uses the AWS managed policy AWS documents for that purpose; " +
          "API Gateway creates its execution log groups itself, by name, at run time.",
      });
    }
  }

  /**
   * Lets the pages of one browser origin (the web app's) call the API, and no other: every
   * route answers a CORS preflight (`OPTIONS`, which browsers send without credentials, so
   * it has no authorization and reaches no function: API Gateway answers it itself) naming
   * that origin, the methods of the route and the SigV4 headers; the functions' answers carry
   * `Access-Control-Allow-Origin` for it (the `CORS_ORIGIN` variable), and so do API
   * Gateway's own errors (a refused signature, a throttle, a timeout), so that the page can
   * read why a call failed. Every other method still requires a SigV4 signature. One origin
   * per API; it may be a token (a distribution's domain).
   */
  public allowOrigin(origin: string): void {
    if (this.allowedOrigin !== undefined) {
      throw new Error("LedgerApi.allowOrigin: the API already allows an origin; CORS admits one");
    }
    if (origin === "*" || origin.includes("*")) {
      throw new Error("LedgerApi.allowOrigin: give the app's origin, not a wildcard");
    }
    this.allowedOrigin = origin;
    const methods = new Map<string, Set<string>>();
    for (const route of this.routes) {
      const set = methods.get(route.resource) ?? new Set<string>();
      set.add(route.method);
      methods.set(route.resource, set);
    }
    for (const [resource, allowed] of methods) {
      this.restApi.root.resourceForPath(resource).addCorsPreflight({
        allowOrigins: [origin],
        allowMethods: [...allowed],
        allowHeaders: CORS_ALLOWED_HEADERS,
        maxAge: Duration.hours(1),
      });
    }
    const headers = { "Access-Control-Allow-Origin": `'${origin}'`, Vary: "'Origin'" };
    for (const [id, type] of [
      ["Cors4xx", apigateway.ResponseType.DEFAULT_4XX],
      ["Cors5xx", apigateway.ResponseType.DEFAULT_5XX],
    ] as const) {
      this.restApi.addGatewayResponse(id, { type, responseHeaders: headers });
    }
    for (const fn of this.functions) fn.function.addEnvironment(ENV.corsOrigin, origin);
  }

  /** Every function behind the API. */
  public get functions(): readonly LedgerFunction[] {
    return [this.writer, this.reader, this.audit, this.proofServer, this.docs];
  }

  /** A managed policy allowing `execute-api:Invoke` on the given method ARNs. */
  private invokePolicy(id: string, description: string, arns: string[]): iam.ManagedPolicy {
    const policy = new iam.ManagedPolicy(this, id, {
      description,
      statements: [new iam.PolicyStatement({ actions: ["execute-api:Invoke"], resources: arns })],
    });
    for (const arn of arns) {
      acknowledgeWildcardResource(
        policy,
        arn,
        "An execute-api ARN names a request path, and each path parameter ({entityId}) is " +
          "matched by '*': this resource is one method on one route of this API's stage.",
      );
    }
    return policy;
  }
}
