import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { EVENTS_TABLE, VIEWS_TABLE } from "../functions/store/keys.js";

/** Properties of an {@link EventStore}. */
export interface EventStoreProps {
  /**
   * How many days back point-in-time recovery can restore either table (1 to 35).
   * @default 35
   */
  readonly recoveryPeriodInDays?: number;
}

/** Read actions on a table, and on its indexes where the action applies to indexes. */
const READ_ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];
const VIEW_WRITE_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
];

/**
 * The ledger's storage (architecture §4): the append-only events table and the derived
 * views table.
 *
 * Both tables are on-demand, with point-in-time recovery and deletion protection, and are
 * retained when the stack is deleted. Both are encrypted at rest with the AWS managed key
 * (`aws/dynamodb`, `TableEncryption.AWS_MANAGED`): a KMS key in the deploying account whose
 * every use is logged in CloudTrail, with no key policy to maintain and no `kms:` grants
 * to keep in step with the functions' roles; access to the data is then governed by the
 * IAM grants below alone. A customer managed key would add key-level revocation and a
 * separate key administrator, at the price of a key policy, `kms:Decrypt`/`Encrypt`
 * grants for the three functions and the stream, and a monthly key and request cost;
 * nothing in architecture §5 asks for those, so the AWS managed key is the simpler
 * correct choice.
 *
 * Access is granted by intent rather than with `grantReadWriteData`, so that no principal
 * can ever update or delete an event: {@link EventStore.grantAppend} gives `PutItem` and
 * reads, and nothing else.
 */
export class EventStore extends Construct {
  /** The events table: partition key the entity id, sort key the version; `NEW_IMAGE` stream. */
  public readonly eventsTable: dynamodb.Table;
  /** The views table: derived, rebuildable projections. */
  public readonly viewsTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: EventStoreProps = {}) {
    super(scope, id);

    const common = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: props.recoveryPeriodInDays ?? 35,
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    } satisfies Partial<dynamodb.TableProps>;

    this.eventsTable = new dynamodb.Table(this, "EventsTable", {
      ...common,
      partitionKey: { name: EVENTS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: EVENTS_TABLE.sortKey, type: dynamodb.AttributeType.NUMBER },
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    for (const index of [EVENTS_TABLE.byEventId, EVENTS_TABLE.byRecordedAt]) {
      this.eventsTable.addLocalSecondaryIndex({
        indexName: index.indexName,
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }

    this.viewsTable = new dynamodb.Table(this, "ViewsTable", {
      ...common,
      partitionKey: { name: VIEWS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: VIEWS_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
    });
  }

  /** The ARNs of the events table's indexes, each named (no wildcard). */
  private get eventsIndexArns(): string[] {
    return [EVENTS_TABLE.byEventId, EVENTS_TABLE.byRecordedAt].map(
      (index) => `${this.eventsTable.tableArn}/index/${index.indexName}`,
    );
  }

  /**
   * The command side: append an event (`dynamodb:PutItem`, conditional on the version)
   * and read the stream (`GetItem`, `Query`, also on the two local indexes for the
   * idempotency and `knownAt` look-ups). No `UpdateItem`, `DeleteItem` or
   * `BatchWriteItem`: a stored event can never be changed or removed.
   */
  public grantAppend(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnEvents(grantee, ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"]);
  }

  /** Read the events (`GetItem`, `BatchGetItem`, `Query`; `Query` on the local indexes). */
  public grantReadEvents(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnEvents(grantee, READ_ITEM_ACTIONS);
  }

  /** These actions on the events table, and `Query` on its two local indexes, by name. */
  private grantOnEvents(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.eventsTable.tableArn],
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ["dynamodb:Query"],
        resourceArns: this.eventsIndexArns,
      }),
    );
  }

  /**
   * Read the views (`GetItem`, `BatchGetItem`, `Query`). No `Scan`: every question is
   * answered by Query and GetItem work on the partitions the projection files rows under,
   * so no route's cost can grow with the whole ledger.
   */
  public grantReadViews(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: READ_ITEM_ACTIONS,
      resourceArns: [this.viewsTable.tableArn],
    });
  }

  /**
   * Maintain the views: write them (`PutItem`, `UpdateItem`, `DeleteItem`,
   * `BatchWriteItem`, on the views table only) and read them.
   */
  public grantWriteViews(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: VIEW_WRITE_ACTIONS,
      resourceArns: [this.viewsTable.tableArn],
    }).combine(this.grantReadViews(grantee));
  }
}
