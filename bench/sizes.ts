/**
 * What the tables hold, as DynamoDB sizes items: each attribute's name in UTF-8 bytes plus
 * its value (strings in UTF-8 bytes, binary in bytes, numbers about one byte per two
 * digits plus one, lists and maps three bytes plus their elements), plus the 100 bytes of
 * overhead DynamoDB adds to every item and to every item of a local secondary index.
 */

import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand } from "@aws-sdk/client-dynamodb";

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[-.]/g, "").length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n, x) => n + 1 + valueBytes(x), 0);
  if (v.M !== undefined) return 3 + itemBytes(v.M) + Object.keys(v.M).length;
  if (v.SS !== undefined) return v.SS.reduce((n, x) => n + utf8(x), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, x) => n + x.length, 0);
  return 0;
}

function itemBytes(item: Record<string, AttributeValue>): number {
  let n = 0;
  for (const [name, value] of Object.entries(item)) n += utf8(name) + valueBytes(value);
  return n;
}

/** Items and their bytes. */
export interface Stored {
  items: number;
  bytes: number;
}

/**
 * The items and bytes of a table, and of its local secondary indexes (keys only); and the
 * same by the kind of item, named by `kindOf` (by default, the partition key up to its
 * first `#`).
 */
export async function tableBytes(
  client: DynamoDBClient,
  table: string,
  indexKeys: readonly string[] = [],
  kindOf: (item: Record<string, AttributeValue>) => string = (item) =>
    (item.pk?.S ?? "").split("#")[0] ?? "",
): Promise<Stored & { byKind: Record<string, Stored> }> {
  const total: Stored = { items: 0, bytes: 0 };
  const byKind: Record<string, Stored> = {};
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) {
      let bytes = itemBytes(item) + 100;
      for (const key of indexKeys) {
        const value = item[key];
        // A keys-only index item: the table's keys, the index's key, and the overhead.
        if (value) bytes += 100 + utf8(key) + valueBytes(value) + 40;
      }
      const kind = kindOf(item);
      byKind[kind] ??= { items: 0, bytes: 0 };
      for (const n of [total, byKind[kind]]) {
        n.items++;
        n.bytes += bytes;
      }
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { ...total, byKind };
}
