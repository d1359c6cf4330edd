import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { Item, ItemKey, ItemQuery, ItemTable } from "./items.js";
import { EVENTS_TABLE, VIEWS_TABLE } from "./keys.js";
import type { EventRecord, EventStore, ReadOptions, ReadPage, StreamHead } from "./ports.js";
import { VersionTaken } from "./ports.js";
import { TableViewStore } from "./views.js";

/** A DynamoDB document client with the ledger's marshalling settings. */
export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

const { partitionKey: PK, sortKey: SK } = EVENTS_TABLE;
/** Events read per page up to a moment: as many as a snapshot may leave to replay. */
const KNOWN_AT_PAGE = 100;

/** The event store on a DynamoDB table (or any engine that speaks its API, such as dynalite). */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async append(record: EventRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [PK]: record.entityId,
            [SK]: record.version,
            eventId: record.eventId,
            recordedAt: record.recordedAt,
            type: record.type,
            hash: record.hash,
            canonical: record.canonical,
          },
          // The version is the concurrency check: a put succeeds only into a free slot, so two
          // writers that read the same head cannot both append, and nothing is ever overwritten.
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": PK },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VersionTaken(record.entityId, record.version);
      }
      throw error;
    }
  }

  async findByEventId(entityId: string, eventId: string): Promise<EventRecord | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: EVENTS_TABLE.byEventId.indexName,
        KeyConditionExpression: "#pk = :id AND #eid = :eid",
        ExpressionAttributeNames: {
          "#pk": PK,
          "#eid": EVENTS_TABLE.byEventId.sortKey,
          "#v": SK,
        },
        ExpressionAttributeValues: { ":id": entityId, ":eid": eventId },
        ProjectionExpression: "#v",
        ConsistentRead: true,
      }),
    );
    const key = out.Items?.[0];
    if (!key) return undefined;
    // The index keeps only keys: the event itself is read from the table.
    const found = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK]: entityId, [SK]: key[SK] },
        ConsistentRead: true,
      }),
    );
    return found.Item ? toRecord(found.Item) : undefined;
  }

  async read(entityId: string, options: ReadOptions = {}): Promise<ReadPage> {
    const { afterVersion, knownAt, limit } = options;
    // recordedAt increases with the version: the events known at a moment are a prefix of
    // the stream, read in version order up to the first one recorded later.
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: "#pk = :id AND #v > :v",
      ExpressionAttributeNames: { "#pk": PK, "#v": SK },
      ExpressionAttributeValues: { ":id": entityId, ":v": afterVersion ?? 0 },
      ConsistentRead: true,
    };
    const records: EventRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      // Reading up to a moment stops at the first later event: small pages keep that read
      // close to the events it returns, instead of a whole 1 MB page.
      const want =
        limit === undefined
          ? knownAt === undefined
            ? undefined
            : KNOWN_AT_PAGE
          : limit + 1 - records.length;
      const out = await this.client.send(
        new QueryCommand({ ...input, ExclusiveStartKey: startKey, Limit: want }),
      );
      for (const item of out.Items ?? []) {
        const record = toRecord(item);
        if (knownAt !== undefined && record.recordedAt > knownAt) {
          return { records: trim(records, limit), more: false };
        }
        records.push(record);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey && (limit === undefined || records.length <= limit));
    return { records: trim(records, limit), more: limit !== undefined && records.length > limit };
  }

  async head(entityId: string, knownAt?: string): Promise<StreamHead | undefined> {
    const byTime = knownAt !== undefined;
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(byTime ? { IndexName: EVENTS_TABLE.byRecordedAt.indexName } : {}),
        KeyConditionExpression: byTime ? "#pk = :id AND #at <= :t" : "#pk = :id",
        ExpressionAttributeNames: {
          "#pk": PK,
          "#v": SK,
          "#at": EVENTS_TABLE.byRecordedAt.sortKey,
        },
        ExpressionAttributeValues: { ":id": entityId, ...(byTime ? { ":t": knownAt } : {}) },
        // Only the key attributes: the last event's body is not needed to know where it is.
        ProjectionExpression: "#v, #at",
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item && { version: Number(item[SK]), recordedAt: String(item.recordedAt) };
  }
}

function trim(records: EventRecord[], limit: number | undefined): EventRecord[] {
  return limit === undefined ? records : records.slice(0, limit);
}

/** An item as a DynamoDB stream record's image holds it: attribute values by name. */
export type StreamImage = Readonly<Record<string, { readonly S?: string; readonly N?: string }>>;

/** An event's key as a stream record's image (or its `Keys`) holds it. */
export function keyOfImage(
  image: StreamImage | undefined,
): { entityId: string; version: number } | undefined {
  const entityId = image?.[PK]?.S;
  const version = Number(image?.[SK]?.N);
  if (entityId === undefined || !Number.isSafeInteger(version)) return undefined;
  return { entityId, version };
}

/**
 * The event a stream record's new image holds (the events table's stream is `NEW_IMAGE`),
 * or undefined for an image that is not a whole event.
 */
export function recordOfImage(image: StreamImage | undefined): EventRecord | undefined {
  const key = keyOfImage(image);
  const [eventId, recordedAt, type, hash, canonical] = [
    "eventId",
    "recordedAt",
    "type",
    "hash",
    "canonical",
  ].map((name) => image?.[name]?.S);
  if (
    key === undefined ||
    eventId === undefined ||
    recordedAt === undefined ||
    type === undefined ||
    hash === undefined ||
    canonical === undefined
  ) {
    return undefined;
  }
  return { ...key, eventId, recordedAt, type, hash, canonical };
}

function toRecord(item: Record<string, unknown>): EventRecord {
  return {
    entityId: String(item[PK]),
    version: Number(item[SK]),
    eventId: String(item.eventId),
    recordedAt: String(item.recordedAt),
    type: String(item.type),
    hash: String(item.hash),
    canonical: String(item.canonical),
  };
}

const { partitionKey: VP, sortKey: VS } = VIEWS_TABLE;
/** Items one BatchWriteItem carries at most (DynamoDB's limit). */
const BATCH = 25;
/** Batches in flight at once for one call. */
const BATCHES_AT_ONCE = 4;

/** The views table's items on DynamoDB: the thin adapter under the view store. */
export class DynamoItemTable implements ItemTable {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(key: ItemKey): Record<string, string> {
    return { [VP]: key.pk, [VS]: key.sk };
  }

  private toStored(item: Item): Record<string, unknown> {
    const { pk, sk, ...rest } = item;
    return { ...rest, [VP]: pk, [VS]: sk };
  }

  private fromStored(stored: Record<string, unknown>): Item {
    const { [VP]: pk, [VS]: sk, ...rest } = stored;
    return { ...rest, pk: String(pk), sk: String(sk) };
  }

  async writeAll(puts: readonly Item[], deletes: readonly ItemKey[]): Promise<void> {
    const requests = [
      ...puts.map((item) => ({ PutRequest: { Item: this.toStored(item) } })),
      ...deletes.map((key) => ({ DeleteRequest: { Key: this.key(key) } })),
    ];
    const batches: (typeof requests)[] = [];
    for (let i = 0; i < requests.length; i += BATCH) batches.push(requests.slice(i, i + BATCH));
    const send = async (batch: typeof requests) => {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) {
          if (attempt > 12) throw new Error(`${pending.length} view writes left unprocessed`);
          // Unprocessed items mean throttling: back off before sending them again.
          await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** attempt)));
        }
        const out = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    };
    for (let i = 0; i < batches.length; i += BATCHES_AT_ONCE) {
      await Promise.all(batches.slice(i, i + BATCHES_AT_ONCE).map(send));
    }
  }

  async putIfNewer(item: Item & { version: number }): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.toStored(item),
          // Projectors race to move a card forward; a late one must not put an older card
          // back over a newer one.
          ConditionExpression: "attribute_not_exists(#pk) OR #version < :version",
          ExpressionAttributeNames: { "#pk": VP, "#version": "version" },
          ExpressionAttributeValues: { ":version": item.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(key: ItemKey): Promise<Item | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(key), ConsistentRead: true }),
    );
    return out.Item ? this.fromStored(out.Item) : undefined;
  }

  async getMany(keys: readonly ItemKey[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Record<string, unknown>[] = keys.slice(i, i + 100).map((k) => this.key(k));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) {
          if (attempt > 12) throw new Error(`${pending.length} view reads left unprocessed`);
          await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** attempt)));
        }
        const out = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.push(this.fromStored(item));
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  async query(pk: string, query: ItemQuery): Promise<{ items: Item[]; last?: string }> {
    const { range = {}, upTo, before, latestFirst, limit } = query;
    const names: Record<string, string> = { "#pk": VP };
    const values: Record<string, unknown> = { ":pk": pk };
    let condition = "#pk = :pk";
    let startKey: Record<string, unknown> | undefined;
    const sk = (expression: string, extra: Record<string, unknown>) => {
      names["#sk"] = VS;
      condition += ` AND ${expression}`;
      Object.assign(values, extra);
    };
    // A key condition holds one clause on the sort key: the others become a start key.
    if (range.between)
      sk("#sk BETWEEN :lo AND :hi", { ":lo": range.between[0], ":hi": range.between[1] });
    else if (range.beginsWith !== undefined)
      sk("begins_with(#sk, :prefix)", { ":prefix": range.beginsWith });
    else if (upTo !== undefined) sk("#sk <= :upTo", { ":upTo": upTo });
    else if (before !== undefined) sk("#sk < :before", { ":before": before });
    else if (range.after !== undefined) sk("#sk > :after", { ":after": range.after });
    const clauses = [range.between, range.beginsWith, upTo, before, range.after].filter(
      (c) => c !== undefined,
    );
    if (range.after !== undefined && clauses.length > 1) startKey = { [VP]: pk, [VS]: range.after };
    if (clauses.length > 2 || (clauses.length === 2 && range.after === undefined)) {
      throw new Error("a query combines at most one sort-key bound with a start position");
    }
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        ScanIndexForward: latestFirst !== true,
        ...(limit === undefined ? {} : { Limit: limit }),
        ConsistentRead: true,
      }),
    );
    const items = (out.Items ?? []).map((item) => this.fromStored(item));
    const last = out.LastEvaluatedKey?.[VS];
    return typeof last === "string" ? { items, last } : { items };
  }
}

/** The view store on a DynamoDB table. */
export class DynamoViewStore extends TableViewStore {
  constructor(client: DynamoDBDocumentClient, tableName: string) {
    super(new DynamoItemTable(client, tableName));
  }
}
