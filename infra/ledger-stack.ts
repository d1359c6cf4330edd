import { Aws, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { LedgerApi, type LedgerApiProps } from "./api.js";
import { EventStore, type EventStoreProps } from "./event-store.js";
import { Monitoring, type MonitoringProps } from "./monitoring.js";
import { Notices, type NoticesProps } from "./notices.js";
import { Projector, type ProjectorProps } from "./projector.js";
import { Proofs, type ProofsProps } from "./proofs.js";
import { WebApp, type WebAppProps } from "./web-app.js";

/** Settings of the stack's web app; the API and the reader policy are the stack's. */
export type LedgerWebAppProps = Partial<Omit<WebAppProps, "readerPolicy" | "apiUrl">>;

/** Properties of a {@link LedgerStack}. */
export interface LedgerStackProps extends StackProps {
  /**
   * Settings of the tables.
   * @default - the EventStore defaults
   */
  readonly store?: EventStoreProps;
  /**
   * Settings of the HTTP API (its tables are this stack's).
   * @default - the LedgerApi defaults
   */
  readonly api?: Omit<LedgerApiProps, "eventStore">;
  /**
   * Settings of the stream projector (its tables are this stack's).
   * @default - the Projector defaults
   */
  readonly projector?: Omit<ProjectorProps, "eventStore">;
  /**
   * Settings of the notices (their tables are this stack's).
   * @default - the Notices defaults
   */
  readonly notices?: Omit<NoticesProps, "eventStore">;
  /**
   * Settings of the published proofs: the Merkle log's sequencer, its KMS signing key and
   * the Object Lock bucket of its checkpoints (retention five years by default).
   * @default - the Proofs defaults
   */
  readonly proofs?: Omit<ProofsProps, "eventStore">;
  /**
   * Alarm thresholds.
   * @default - the Monitoring defaults
   */
  readonly monitoring?: Pick<
    MonitoringProps,
    | "iteratorAgeThreshold"
    | "serverErrorThreshold"
    | "durationTimeoutRatio"
    | "clientErrorRateThreshold"
  >;
  /**
   * The auditor's web app (S3, CloudFront, Cognito sign-in), or `false` for none. Its sign-in
   * domain prefix defaults to the stack's name and account (`sanctionsledger-123456789012`),
   * which is unique in a region as long as the account deploys one stack of that name there.
   * @default - the web app, with the WebApp defaults
   */
  readonly webApp?: LedgerWebAppProps | false;
}

/**
 * The whole sanctions ledger on AWS (architecture §5): the tables, the HTTP API with its
 * writer and reader, the stream projector, the notices, the published proofs (the Merkle
 * log's sequencer, its signing key and checkpoint bucket), the alarms and the dashboard, and
 * the auditor's web app behind sign-in, the one browser origin the API answers.
 *
 * Outputs: `ApiUrl`, `ReaderPolicyArn` and `WriterPolicyArn` (attach them to the IAM
 * principals that call the API), `NoticeBusName` (route the notices from it),
 * `AlarmTopicArn` (subscribe on-call endpoints to it), the proofs' `CheckpointPublicKey`,
 * `CheckpointKeyArn` and `CheckpointBucket`, and, with the web app, `AppUrl` (where
 * auditors open it) and `UserPoolId` (who may sign in).
 */
export class LedgerStack extends Stack {
  public readonly store: EventStore;
  public readonly api: LedgerApi;
  public readonly projector: Projector;
  public readonly notices: Notices;
  public readonly proofs: Proofs;
  public readonly monitoring: Monitoring;
  /** The web app, unless the props turned it off. */
  public readonly webApp?: WebApp;

  constructor(scope: Construct, id: string, props: LedgerStackProps = {}) {
    super(scope, id, {
      description: "sanctions-ledger: an event-sourced, bitemporal ledger of sanctions measures",
      ...props,
    });

    this.store = new EventStore(this, "Store", props.store);
    this.api = new LedgerApi(this, "Api", { ...props.api, eventStore: this.store });
    this.projector = new Projector(this, "Projection", {
      ...props.projector,
      eventStore: this.store,
    });
    this.notices = new Notices(this, "Notices", { ...props.notices, eventStore: this.store });
    this.proofs = new Proofs(this, "Proofs", { ...props.proofs, eventStore: this.store });
    this.proofs.grantServeProofs(this.api.proofServer);
    this.proofs.grantReadLog(this.api.reader);
    this.monitoring = new Monitoring(this, "Monitoring", {
      ...props.monitoring,
      functions: {
        // Every function behind the API, under its construct id (Writer, Reader, Audit…).
        ...Object.fromEntries(this.api.functions.map((f) => [f.node.id, f.function])),
        Projector: this.projector.projector.function,
        NoticesDaily: this.notices.daily.function,
        NoticesCorrections: this.notices.corrections.function,
        Sequencer: this.proofs.sequencer.function,
      },
      sequencer: {
        function: this.proofs.sequencer.function,
        deadLetterQueue: this.proofs.deadLetterQueue,
      },
      tables: { Events: this.store.eventsTable, Views: this.store.viewsTable },
      streamConsumer: this.projector.projector.function,
      deadLetterQueue: this.projector.deadLetterQueue,
      notices: {
        streamConsumer: this.notices.corrections.function,
        deadLetterQueue: this.notices.deadLetterQueue,
      },
      apiStage: this.api.stage,
    });

    if (props.webApp !== false) {
      this.webApp = new WebApp(this, "WebApp", {
        ...props.webApp,
        signInDomainPrefix: props.webApp?.signInDomainPrefix ?? this.defaultSignInDomainPrefix(),
        readerPolicy: this.api.readerPolicy,
        // Built from the API's id and the stage's name rather than the stage's URL: the API's
        // CORS names the distribution, whose security headers name the API; the stage
        // depends on the CORS methods, so naming it here would close a loop.
        apiUrl: `https://${this.api.restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${this.api.stageName}/`,
      });
      this.api.allowOrigin(this.webApp.origin);
      new CfnOutput(this, "AppUrl", {
        description: "The auditor's web app: sign in with a user of the UserPoolId pool",
        value: this.webApp.url,
      });
      new CfnOutput(this, "UserPoolId", {
        description:
          "The web app's users: create them with `aws cognito-idp admin-create-user` (no self-sign-up)",
        value: this.webApp.userPool.userPoolId,
      });
    }

    new CfnOutput(this, "ApiUrl", {
      description: "Base URL of the HTTP API (requests must be SigV4-signed)",
      value: this.api.restApi.url,
    });
    new CfnOutput(this, "ReaderPolicyArn", {
      description: "Managed policy to attach to principals that read the ledger (GET methods)",
      value: this.api.readerPolicy.managedPolicyArn,
    });
    new CfnOutput(this, "WriterPolicyArn", {
      description: "Managed policy to attach to principals that record events (GET and POST)",
      value: this.api.writerPolicy.managedPolicyArn,
    });
    new CfnOutput(this, "NoticeBusName", {
      description: "EventBridge bus of the notices: add rules to it to route them",
      value: this.notices.bus.eventBusName,
    });
    new CfnOutput(this, "AlarmTopicArn", {
      description: "SNS topic of the alarms: subscribe the on-call endpoints to it",
      value: this.monitoring.alarmTopic.topicArn,
    });
  }

  /** `<stack name>-<account>`, lower case, as a Cognito domain prefix must be. */
  private defaultSignInDomainPrefix(): string {
    const name = this.stackName
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/aws|amazon|cognito/g, "x")
      .slice(0, 48)
      .replace(/^-+|-+$/g, "");
    return `${name || "ledger"}-${Aws.ACCOUNT_ID}`;
  }
}
