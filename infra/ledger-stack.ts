import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { LedgerApi, type LedgerApiProps } from "./api.js";
import { EventStore, type EventStoreProps } from "./event-store.js";
import { Monitoring, type MonitoringProps } from "./monitoring.js";
import { Projector, type ProjectorProps } from "./projector.js";
import { Proofs, type ProofsProps } from "./proofs.js";

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
}

/**
 * The whole sanctions ledger on AWS (architecture §5): the tables, the HTTP API with its
 * writer and reader, the stream projector, the published proofs (the Merkle log's sequencer,
 * its signing key and checkpoint bucket), the alarms and the dashboard.
 *
 * Outputs: `ApiUrl`, `ReaderPolicyArn` and `WriterPolicyArn` (attach them to the IAM
 * principals that call the API), `AlarmTopicArn` (subscribe on-call endpoints to it), and
 * the proofs' `CheckpointPublicKey`, `CheckpointKeyArn` and `CheckpointBucket`.
 */
export class LedgerStack extends Stack {
  public readonly store: EventStore;
  public readonly api: LedgerApi;
  public readonly projector: Projector;
  public readonly proofs: Proofs;
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
    this.proofs = new Proofs(this, "Proofs", { ...props.proofs, eventStore: this.store });
    this.proofs.grantServeProofs(this.api.reader);
    this.monitoring = new Monitoring(this, "Monitoring", {
      ...props.monitoring,
      functions: {
        Writer: this.api.writer.function,
        Reader: this.api.reader.function,
        Projector: this.projector.projector.function,
        Sequencer: this.proofs.sequencer.function,
      },
      sequencer: {
        function: this.proofs.sequencer.function,
        deadLetterQueue: this.proofs.deadLetterQueue,
      },
      tables: { Events: this.store.eventsTable, Views: this.store.viewsTable },
      streamConsumer: this.projector.projector.function,
      deadLetterQueue: this.projector.deadLetterQueue,
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
    new CfnOutput(this, "AlarmTopicArn", {
      description: "SNS topic of the alarms: subscribe the on-call endpoints to it",
      value: this.monitoring.alarmTopic.topicArn,
    });
  }
}
