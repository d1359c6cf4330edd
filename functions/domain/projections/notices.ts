import { correctionNotices, type Notice } from "../notices.js";
import { noticePartition, recordedPartition, recordedSortKey, shardOf } from "../rows.js";
import type { DerivedWrite, EntryRow, Projection, Step } from "./types.js";

/** A recorded event as the record-time index files it. */
export interface RecordedRow {
  entityId: string;
  version: number;
  recordedAt: string;
}

/**
 * The record-time index: one row per event, by `recordedAt`, spread over the shards of the
 * entity; the corrections report reads the window's rows to find the entities to compare.
 */
export const recordedProjection: Projection = {
  name: "record-time index",
  project({ event }: Step): DerivedWrite[] {
    const data: RecordedRow = {
      entityId: event.entityId,
      version: event.version,
      recordedAt: event.recordedAt,
    };
    return [
      {
        type: "entry",
        entry: {
          kind: "recorded",
          pk: recordedPartition(shardOf(event.entityId)),
          sk: recordedSortKey(event.recordedAt, event.entityId, event.version),
          data,
        },
      },
    ];
  },
};

/** Where a notice is filed: its entity's shard, in order of time, then id. */
export function noticeEntry(notice: Notice): EntryRow {
  return {
    kind: "notice",
    pk: noticePartition(shardOf(notice.entityId)),
    sk: `${notice.time}#${notice.id}`,
    data: notice,
  };
}

/** The notices of an event that changed a sanction's status on days already past. */
export const noticeProjection: Projection = {
  name: "correction notices",
  project({ before, after, event }: Step): DerivedWrite[] {
    return correctionNotices(before.state, after, event).map((notice) => ({
      type: "entry",
      entry: noticeEntry(notice),
    }));
  },
};
