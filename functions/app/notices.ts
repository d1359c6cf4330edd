import { addDays, startOf } from "../domain/dates.js";
import type { IsoDate, LedgerEvent } from "../domain/events.js";
import {
  type CorrectionNotice,
  correctionNotices,
  type DayNotice,
  dayNotice,
  type Notice,
} from "../domain/notices.js";
import { noticeEntry } from "../domain/projections/notices.js";
import { evolve } from "../domain/state.js";
import type { ViewStore } from "../store/ports.js";
import type { AuditQueries } from "./audit.js";
import type { EntitySource } from "./reads.js";

/** Where notices go: an event bus, a webhook's outbox. Must accept the same notice twice. */
export interface NoticeSink {
  publish(notices: readonly Notice[]): Promise<void>;
}

/** The first moment of a day, UTC, in the ledger's form. */

/**
 * The notices: those of a day (what enters into force, is amended or leaves force on it, as
 * known at its first moment, so that a rerun of the day emits the same notices with the same
 * ids) and those of an event that changed the status of days already past.
 */
export class Notices {
  constructor(
    private readonly deps: { ledger: EntitySource; audit: AuditQueries; views: ViewStore },
  ) {}

  /** The notices of `day`: `/changes` of that one day, as known at its first moment. */
  async ofDay(day: IsoDate): Promise<DayNotice[]> {
    const notices: DayNotice[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.deps.audit.changes({
        from: day,
        to: day,
        knownAt: startOf(day),
        limit: 1000,
        ...(nextToken === undefined ? {} : { nextToken }),
      });
      // A sanction's coverage (undetermined, determined) is not a change of its force.
      for (const item of page.items) {
        if (item.change === "entered" || item.change === "amended" || item.change === "left") {
          notices.push(dayNotice({ ...item, change: item.change }));
        }
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return notices;
  }

  /**
   * Files the day's notices in the feed and hands them to the sink: what the daily schedule
   * runs. Filing first: a sink that fails leaves the feed complete, and a rerun publishes
   * the same ids again.
   */
  async runDay(day: IsoDate, sink?: NoticeSink): Promise<DayNotice[]> {
    const notices = await this.ofDay(day);
    await this.file(notices);
    if (sink && notices.length > 0) await sink.publish(notices);
    return notices;
  }

  /** The days from the one after `last` up to `today`, at most `max` of them (the latest). */
  static daysAfter(last: IsoDate | undefined, today: IsoDate, max = 31): IsoDate[] {
    const days: IsoDate[] = [];
    for (let d = last === undefined ? today : addDays(last, 1); d <= today; d = addDays(d, 1)) {
      days.push(d);
    }
    return days.slice(-max);
  }

  /** Files notices in the feed (`GET /notices`); filing one twice changes nothing. */
  async file(notices: readonly Notice[]): Promise<void> {
    if (notices.length === 0) return;
    await this.deps.views.write(notices.map((n) => ({ type: "entry", entry: noticeEntry(n) })));
  }

  /**
   * The notices of an appended event (as the stream record holds it): the past days whose
   * status it changed. What the stream's handler publishes (the projection files the same
   * ones). One read: the entity's state just before the event was recorded.
   */
  async ofEvent(event: LedgerEvent): Promise<CorrectionNotice[]> {
    const { entityId, version } = event;
    const justBefore = new Date(Date.parse(event.recordedAt) - 1).toISOString();
    const before = await this.deps.ledger.stateAt(entityId, justBefore);
    if (before.version !== version - 1) {
      throw new Error(`${entityId}: found version ${before.version} before ${version}`);
    }
    return correctionNotices(before, evolve(before, event), event);
  }
}
