import { type StatusRange, statusRanges } from "./corrections.js";
import { startOf } from "./dates.js";
import type { IsoDate, LedgerEvent, Timestamp } from "./events.js";
import { canonicalJson, sha256Hex } from "./hash.js";
import { type EntityState, sanctionConcerned } from "./state.js";
import type { SanctionStatus as Status } from "./timeline.js";

/** What a notice tells: a sanction's change on a day, or a correction of days already past. */
export type NoticeKind = "entered" | "amended" | "left" | "corrected";

/** The EventBridge detail type of each kind of notice. */
export const DETAIL_TYPES = {
  entered: "Sanction Entered Into Force",
  amended: "Sanction Amended",
  left: "Sanction Left Force",
  corrected: "Past Status Corrected",
} as const satisfies Record<NoticeKind, string>;

/** The CloudEvents `type` of each kind of notice. */
export const CLOUD_EVENT_TYPES = {
  entered: "sanctions-ledger.sanction.entered-into-force",
  amended: "sanctions-ledger.sanction.amended",
  left: "sanctions-ledger.sanction.left-force",
  corrected: "sanctions-ledger.status.corrected",
} as const satisfies Record<NoticeKind, string>;

/** A sanction entering into force, changing terms or leaving force on `on` (told at the start of that day, UTC). */
export interface DayNotice {
  id: string;
  kind: "entered" | "amended" | "left";
  /** The moment it happens: `on` at 00:00 UTC. */
  time: Timestamp;
  entityId: string;
  sanctionId: string;
  authority: string;
  on: IsoDate;
}

/**
 * An event that changed a sanction's status on days already past (up to and including the
 * day it was recorded, whose notices went out at its start): the fields of a corrections item.
 */
export interface CorrectionNotice {
  id: string;
  kind: "corrected";
  /** When the event was recorded. */
  time: Timestamp;
  entityId: string;
  sanctionId: string;
  authority: string;
  days: { from: IsoDate; to: IsoDate };
  before: Status;
  after: Status;
  versions: number[];
}

export type Notice = DayNotice | CorrectionNotice;

/** A notice's id: a digest of what identifies it, so a repeat or a rerun gives the same id. */
export function noticeId(parts: readonly (string | number)[]): string {
  return sha256Hex(canonicalJson(parts)).slice(0, 32);
}

/** The notice of a change on a day (an item of `/changes` with `from = to = on`). */
export function dayNotice(item: {
  entityId: string;
  sanctionId: string;
  authority: string;
  change: "entered" | "amended" | "left";
  on: IsoDate;
}): DayNotice {
  const { entityId, sanctionId, authority, change, on } = item;
  return {
    id: noticeId([change, entityId, sanctionId, on]),
    kind: change,
    time: startOf(on),
    entityId,
    sanctionId,
    authority,
    on,
  };
}

/**
 * The notices of one event: the ranges of days up to the day it was recorded on which it
 * changed its sanction's status (`before` and `after` the event). A sanction first imposed
 * with a start already past counts too: until then the ledger answered `none` for those days.
 */
export function correctionNotices(
  before: EntityState,
  after: EntityState,
  event: LedgerEvent,
): CorrectionNotice[] {
  const sanctionId = sanctionConcerned(before, event)?.sanctionId;
  if (sanctionId === undefined) return [];
  const authority =
    after.sanctions.find((s) => s.sanctionId === sanctionId)?.authority ??
    before.sanctions.find((s) => s.sanctionId === sanctionId)?.authority ??
    "";
  const recordedOn = event.recordedAt.slice(0, 10);
  return statusRanges(before, after, sanctionId, recordedOn).map((r: StatusRange) => ({
    id: noticeId(["corrected", event.entityId, sanctionId, event.version, r.from]),
    kind: "corrected",
    time: event.recordedAt,
    entityId: event.entityId,
    sanctionId,
    authority,
    days: { from: r.from, to: r.to ?? recordedOn },
    before: r.before,
    after: r.after,
    versions: [event.version],
  }));
}

/** The source every notice names (CloudEvents `source`). */
export const NOTICE_SOURCE = "urn:sanctions-ledger";

/** A notice as a CloudEvents 1.0 document in JSON (structured mode). */
export interface CloudEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  subject: string;
  time: Timestamp;
  datacontenttype: "application/json";
  data: Omit<Notice, "id" | "time">;
}

export function cloudEvent(notice: Notice, source = NOTICE_SOURCE): CloudEvent {
  const { id, time, ...data } = notice;
  return {
    specversion: "1.0",
    id,
    source,
    type: CLOUD_EVENT_TYPES[notice.kind],
    subject: `${notice.entityId}/${notice.sanctionId}`,
    time,
    datacontenttype: "application/json",
    data,
  };
}
