import { changedPages, detailsOf, headOf } from "../pages.js";
import { sameDetails } from "./names.js";
import type { DerivedWrite, Projection, Step } from "./types.js";

/** The key of a year page's record. */
export const pageKey = (entityId: string, year: number | string) => `${entityId}#${year}`;

/**
 * The read model of point-in-time answers: the pages of the years whose sanctions the
 * event changed, the details when it changed them, and the head, which names the versions
 * of the details and pages that go with it. Each is one record version, filed by the
 * event's `recordedAt`, so that the answer as known at any moment reads the same way.
 */
export const readModelProjection: Projection = {
  name: "read model",
  project({ before, after, event }: Step): DerivedWrite[] {
    const at = { version: event.version, recordedAt: event.recordedAt };
    const writes: DerivedWrite[] = [];
    const pages = { ...before.pages };
    for (const [year, sanctions] of changedPages(before.state, after)) {
      pages[year] = event.version;
      writes.push({
        type: "record",
        record: { kind: "page", key: pageKey(after.entityId, year), ...at, value: sanctions },
      });
    }
    let detailsVersion = before.detailsVersion;
    if (!sameDetails(before.state, after)) {
      detailsVersion = event.version;
      writes.push({
        type: "record",
        record: { kind: "details", key: after.entityId, ...at, value: detailsOf(after) },
      });
    }
    writes.push({
      type: "record",
      record: {
        kind: "head",
        key: after.entityId,
        ...at,
        value: headOf(after, detailsVersion, pages),
      },
    });
    return writes;
  },
};
