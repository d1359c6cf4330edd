import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { LedgerApi, type LedgerApiProps } from "./api.js";
import { EventStore, type EventStoreProps } from "./event-store.js";
import { Monitoring, type MonitoringProps } from "./monitoring.js";
import { Notices, type NoticesProps } from "./notices.js";
import { Projector, type ProjectorProps } from "./projector.js";

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
}

/**
 * The whole sanctions ledger on AWS (architecture §5): the tables, the HTTP API with its
 * writer and reader, the stream projector, the notices, the alarms and the dashboard.
 *
 * Outputs: `ApiUrl`, `ReaderPolicyArn` and `WriterPolicyArn` (attach them to the IAM
 * principals that call the API), `NoticeBusName` (route the notices from it) and `AlarmTopicArn` (subscribe on-call endpoints to it).
 */
export class LedgerStack extends Stack {
  public readonly store: EventStore;
  public readonly api: LedgerApi;
  public readonly projector: Projector;
  public readonly notices: Notices;
  public readonly monitoring: Monitoring;

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
    this.monitoring = new Monitoring(this, "Monitoring", {
      ...props.monitoring,
      functions: {
        Writer: this.api.writer.function,
        Reader: this.api.reader.function,
        Projector: this.projector.projector.function,
        NoticesDaily: this.notices.daily.function,
        NoticesCorrections: this.notices.corrections.function,
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
}
