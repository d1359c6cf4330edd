import { gunzipSync, gzipSync } from "node:zlib";
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { EntityHead } from "../domain/pages.js";
import type { IndexRow } from "../domain/projection.js";
import type { EntityState } from "../domain/state.js";
import { EVENTS_TABLE, VIEWS_TABLE } from "./keys.js";
import type {
  EntityView,
  EventRecord,
  EventStore,
  ReadOptions,
  ReadPage,
  RowRange,
  Snapshot,
  StoredRow,
  StreamHead,
  ViewStore,
  YearPage,
} from "./ports.js";
import { storedSortKey, VersionTaken } from "./ports.js";

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
        ExpressionAttributeNames: { "#pk": PK, "#eid": EVENTS_TABLE.byEventId.sortKey },
        ExpressionAttributeValues: { ":id": entityId, ":eid": eventId },
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? toRecord(item) : undefined;
  }

  async read(entityId: string, options: ReadOptions = {}): Promise<ReadPage> {
    const { afterVersion, knownAt, limit } = options;
    const byTime = knownAt !== undefined && afterVersion === undefined;
    const input: QueryCommandInput = byTime
      ? {
          TableName: this.tableName,
          IndexName: EVENTS_TABLE.byRecordedAt.indexName,
          KeyConditionExpression: "#pk = :id AND #at <= :t",
          ExpressionAttributeNames: { "#pk": PK, "#at": EVENTS_TABLE.byRecordedAt.sortKey },
          ExpressionAttributeValues: { ":id": entityId, ":t": knownAt },
          ConsistentRead: true,
        }
      : {
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

const ENTITY_VIEW_SK = "state";
const entityPk = (entityId: string) => `entity#${entityId}`;
const snapshotPk = (entityId: string) => `snapshot#${entityId}`;
const headPk = (entityId: string) => `head#${entityId}`;
const pagePk = (entityId: string, year: number) => `page#${entityId}#${year}`;
const partsPk = (of: "view" | "snapshot" | "head" | "page", key: string) => `${of}-part#${key}`;
/** Zero-padded so that the parts of one version sort together and in order. */
const partsOf = (version: number) => `${String(version).padStart(12, "0")}#`;
const partSk = (version: number, i: number) => `${partsOf(version)}${String(i).padStart(4, "0")}`;
/** The most gzipped state one item holds; a larger one is split into part items. */
const MAX_INLINE_STATE = 300 * 1024;

/** The view store on a DynamoDB table. The entity state is kept gzipped. */
export class DynamoViewStore implements ViewStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getEntity(entityId: string): Promise<EntityView | undefined> {
    for (let attempt = 1; ; attempt++) {
      const out = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [VP]: entityPk(entityId), [VS]: ENTITY_VIEW_SK },
          ConsistentRead: true,
        }),
      );
      if (!out.Item) return undefined;
      const version = Number(out.Item.version);
      try {
        const { state, openRows, readModel } = (await this.readBlob(
          out.Item,
          partsPk("view", entityId),
          version,
        )) as Pick<EntityView, "state" | "openRows" | "readModel">;
        return {
          entityId,
          version,
          state,
          ...(openRows ? { openRows } : {}),
          ...(readModel ? { readModel } : {}),
        };
      } catch (error) {
        // A later view replaced this one and removed its parts between the two reads: read
        // the view again.
        if (!(error instanceof MissingParts) || attempt >= 5) throw error;
      }
    }
  }

  async putEntity(view: EntityView): Promise<boolean> {
    // The open rows go with the state: an entity with many names has many of them.
    const stored = await this.writeBlob(
      { state: view.state, openRows: view.openRows, readModel: view.readModel },
      partsPk("view", view.entityId),
      view.version,
    );
    let replaced: Record<string, unknown> | undefined;
    try {
      const out = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [VP]: entityPk(view.entityId),
            [VS]: ENTITY_VIEW_SK,
            version: view.version,
            ...stored,
          },
          // Writers and the stream projector race to bring a view forward; a view may only
          // move to a later version, never back to an older one.
          ConditionExpression: "attribute_not_exists(#pk) OR #version < :version",
          ExpressionAttributeNames: { "#pk": VP, "#version": "version" },
          ExpressionAttributeValues: { ":version": view.version },
          ReturnValues: "ALL_OLD",
        }),
      );
      replaced = out.Attributes;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    // The view it replaced is no longer anyone's to read: its parts go. A failure here
    // leaves only unreferenced parts behind, never a view without its parts.
    if (replaced && typeof replaced.parts === "number") {
      await this.deleteParts(
        partsPk("view", view.entityId),
        Number(replaced.version),
        replaced.parts,
      );
    }
    return true;
  }

  private async deleteParts(pk: string, version: number, count: number): Promise<void> {
    let requests = Array.from({ length: count }, (_, i) => ({
      DeleteRequest: { Key: { [VP]: pk, [VS]: partSk(version, i) } },
    }));
    for (let attempt = 0; requests.length > 0 && attempt < 8; attempt++) {
      const batch = requests.slice(0, 25);
      const out = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } }),
      );
      const unprocessed = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      requests = [...unprocessed, ...requests.slice(25)];
    }
  }

  async putSnapshot(snapshot: Snapshot): Promise<void> {
    const { entityId, version, state } = snapshot;
    const stored = await this.writeBlob(state, partsPk("snapshot", entityId), version);
    // A snapshot is the fold of the stream up to its version: the same content whoever
    // writes it, so an unconditional put is idempotent.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [VP]: snapshotPk(entityId),
          [VS]: state.headRecordedAt ?? "",
          version,
          ...stored,
        },
      }),
    );
  }

  async getSnapshot(entityId: string, knownAt: string): Promise<Snapshot | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND #sk <= :t",
        ExpressionAttributeNames: { "#pk": VP, "#sk": VS },
        ExpressionAttributeValues: { ":pk": snapshotPk(entityId), ":t": knownAt },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    if (!item) return undefined;
    const version = Number(item.version);
    const state = (await this.readBlob(
      item,
      partsPk("snapshot", entityId),
      version,
    )) as EntityState;
    return { entityId, version, state };
  }

  async putHead(head: EntityHead): Promise<void> {
    const stored = await this.writeBlob(head, partsPk("head", head.entityId), head.version);
    // The head after an event is the same whoever computes it: a plain put is idempotent.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [VP]: headPk(head.entityId),
          [VS]: head.headRecordedAt ?? "",
          version: head.version,
          ...stored,
        },
      }),
    );
  }

  async getHead(entityId: string, knownAt?: string): Promise<EntityHead | undefined> {
    const item = await this.latest(headPk(entityId), knownAt);
    if (!item) return undefined;
    return (await this.readBlob(
      item,
      partsPk("head", entityId),
      Number(item.version),
    )) as EntityHead;
  }

  async putPage(page: YearPage): Promise<void> {
    const { entityId, year, version, recordedAt, sanctions } = page;
    const key = `${entityId}#${year}`;
    const stored = await this.writeBlob(sanctions, partsPk("page", key), version);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { [VP]: pagePk(entityId, year), [VS]: recordedAt, version, ...stored },
      }),
    );
  }

  async getPage(entityId: string, year: number, knownAt?: string): Promise<YearPage | undefined> {
    const item = await this.latest(pagePk(entityId, year), knownAt);
    if (!item) return undefined;
    const version = Number(item.version);
    const key = `${entityId}#${year}`;
    const sanctions = (await this.readBlob(
      item,
      partsPk("page", key),
      version,
    )) as YearPage["sanctions"];
    return { entityId, year, version, recordedAt: String(item[VS]), sanctions };
  }

  /** The item of a partition kept by `recordedAt` that was the latest at `knownAt`. */
  private async latest(
    pk: string,
    knownAt: string | undefined,
  ): Promise<Record<string, unknown> | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: knownAt === undefined ? "#pk = :pk" : "#pk = :pk AND #sk <= :t",
        ExpressionAttributeNames: { "#pk": VP, ...(knownAt === undefined ? {} : { "#sk": VS }) },
        ExpressionAttributeValues: {
          ":pk": pk,
          ...(knownAt === undefined ? {} : { ":t": knownAt }),
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return out.Items?.[0];
  }

  /**
   * The attributes that hold a value: gzipped JSON in the item itself, or, past what one
   * item may hold, in part items written first under their own partition and version.
   */
  private async writeBlob(
    value: unknown,
    pk: string,
    version: number,
  ): Promise<Record<string, unknown>> {
    const blob = gzipSync(JSON.stringify(value));
    if (blob.length <= MAX_INLINE_STATE) return { state: blob };
    const parts: Uint8Array[] = [];
    for (let at = 0; at < blob.length; at += MAX_INLINE_STATE) {
      parts.push(blob.subarray(at, at + MAX_INLINE_STATE));
    }
    await Promise.all(
      parts.map((part, i) =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { [VP]: pk, [VS]: partSk(version, i), part },
          }),
        ),
      ),
    );
    return { parts: parts.length };
  }

  private async readBlob(
    item: Record<string, unknown>,
    pk: string,
    version: number,
  ): Promise<unknown> {
    let blob: Uint8Array;
    if (typeof item.parts === "number") {
      const chunks: Uint8Array[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :v)",
            ExpressionAttributeNames: { "#pk": VP, "#sk": VS },
            ExpressionAttributeValues: { ":pk": pk, ":v": partsOf(version) },
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        for (const part of out.Items ?? []) chunks.push(part.part as Uint8Array);
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      if (chunks.length !== item.parts)
        throw new MissingParts(pk, version, chunks.length, item.parts);
      blob = Buffer.concat(chunks);
    } else {
      blob = item.state as Uint8Array;
    }
    return JSON.parse(gunzipSync(blob).toString("utf8")) as unknown;
  }

  async openRow(row: IndexRow, id: string, recordedFrom: string): Promise<void> {
    await ignoreConditionFailure(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [VP]: row.pk,
            [VS]: storedSortKey(row, id, recordedFrom),
            kind: row.kind,
            data: JSON.stringify(row.data),
            recordedFrom,
          },
          // A row is written once: if a faster projector already filed (and maybe closed) it,
          // a late one must not reopen it by overwriting.
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": VP },
        }),
      ),
    );
  }

  async closeRow(row: IndexRow, id: string, recordedFrom: string, recordedUntil: string) {
    await ignoreConditionFailure(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [VP]: row.pk, [VS]: storedSortKey(row, id, recordedFrom) },
          UpdateExpression: "SET recordedUntil = :until",
          // Close an existing open row only: never create a stub for a row that is not there,
          // and never move the close of a row that another projection already closed.
          ConditionExpression: "attribute_exists(#pk) AND attribute_not_exists(recordedUntil)",
          ExpressionAttributeNames: { "#pk": VP },
          ExpressionAttributeValues: { ":until": recordedUntil },
        }),
      ),
    );
  }

  async queryRows(
    pk: string,
    range: RowRange,
    limit: number,
  ): Promise<{ rows: StoredRow[]; next?: string }> {
    const names: Record<string, string> = { "#pk": VP };
    const values: Record<string, unknown> = { ":pk": pk };
    let condition = "#pk = :pk";
    let startKey: Record<string, unknown> | undefined;
    if (range.between || range.beginsWith !== undefined || range.after !== undefined) {
      names["#sk"] = VS;
    }
    if (range.between) {
      condition += " AND #sk BETWEEN :lo AND :hi";
      values[":lo"] = range.between[0];
      values[":hi"] = range.between[1];
    } else if (range.beginsWith !== undefined) {
      condition += " AND begins_with(#sk, :prefix)";
      values[":prefix"] = range.beginsWith;
    } else if (range.after !== undefined) {
      condition += " AND #sk > :after";
      values[":after"] = range.after;
    }
    if (range.after !== undefined && (range.between || range.beginsWith !== undefined)) {
      startKey = { [VP]: pk, [VS]: range.after };
    }
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    const rows: StoredRow[] = (out.Items ?? []).map((item) => ({
      pk: String(item[VP]),
      sk: String(item[VS]),
      kind: item.kind as StoredRow["kind"],
      data: JSON.parse(String(item.data)) as StoredRow["data"],
      recordedFrom: String(item.recordedFrom),
      recordedUntil: typeof item.recordedUntil === "string" ? item.recordedUntil : null,
    }));
    const last = out.LastEvaluatedKey?.[VS];
    return typeof last === "string" ? { rows, next: last } : { rows };
  }
}

const { partitionKey: VP, sortKey: VS } = VIEWS_TABLE;

/** Raised when fewer parts of a stored value are found than its item counts. */
class MissingParts extends Error {
  constructor(pk: string, version: number, found: number, expected: number) {
    super(`state of ${pk} at version ${version}: ${found} of ${expected} parts`);
    this.name = "MissingParts";
  }
}

async function ignoreConditionFailure(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
