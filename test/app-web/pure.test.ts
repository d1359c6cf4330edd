import { describe, expect, it } from "vitest";
import { toCsv } from "../../app/src/csv.js";
import { addDays, isDay, justBefore } from "../../app/src/days.js";
import { hrefOf, parseRoute } from "../../app/src/routes.js";
import { type SanctionDates, statusChanges, statusOn } from "../../app/src/status.js";

/** A timeline entry of one stretch of terms: in force on `[effectiveFrom, end)`. */
function sanction(
  dates: { announcedOn: string; effectiveFrom: string; end: string | null },
  undetermined: SanctionDates["undetermined"] = null,
): SanctionDates {
  const { effectiveFrom: from, end } = dates;
  const intervals = end === null || from < end ? [{ from, until: end }] : [];
  return { ...dates, intervals, undetermined };
}

describe("status on a day", () => {
  const ban = sanction({
    announcedOn: "2022-03-25",
    effectiveFrom: "2022-04-05",
    end: "2022-05-01",
  });
  it("is pending from the announcement, in force from effectiveFrom, none from the end", () => {
    expect(statusOn(ban, "2022-03-24")).toBe("none");
    expect(statusOn(ban, "2022-03-25")).toBe("pending");
    expect(statusOn(ban, "2022-04-04")).toBe("pending");
    expect(statusOn(ban, "2022-04-05")).toBe("in-force");
    expect(statusOn(ban, "2022-04-30")).toBe("in-force");
    expect(statusOn(ban, "2022-05-01")).toBe("none");
    expect(statusOn(undefined, "2022-05-01")).toBe("none");
  });
  it("a sanction lifted before it takes effect is never in force", () => {
    const lifted = sanction({
      announcedOn: "2022-03-01",
      effectiveFrom: "2022-04-01",
      end: "2022-03-10",
    });
    expect(statusOn(lifted, "2022-03-09")).toBe("pending");
    expect(statusOn(lifted, "2022-03-10")).toBe("none");
    expect(statusOn(lifted, "2022-04-02")).toBe("none");
  });
  it("undetermined on its span, before pending; not known is never none", () => {
    const listed = sanction(
      { announcedOn: "2022-05-01", effectiveFrom: "2022-05-10", end: null },
      { since: "2022-03-01", until: "2022-05-10", reason: "no listing date" },
    );
    expect(statusOn(listed, "2022-02-28")).toBe("none");
    expect(statusOn(listed, "2022-03-01")).toBe("undetermined");
    expect(statusOn(listed, "2022-05-05")).toBe("undetermined");
    expect(statusOn(listed, "2022-05-10")).toBe("in-force");
    const always = sanction(listed, {
      since: null,
      until: "2022-05-10",
      reason: "no listing date",
    });
    expect(statusOn(always, "1990-01-01")).toBe("undetermined");
  });
});

describe("the days on which two beliefs differ", () => {
  it("the demo's luxury-goods ban: 2022-04-01 to 2022-04-04 in force, now pending", () => {
    const believed = sanction({
      announcedOn: "2022-03-25",
      effectiveFrom: "2022-04-01",
      end: null,
    });
    const now = sanction({ announcedOn: "2022-03-25", effectiveFrom: "2022-04-05", end: null });
    expect(statusChanges(believed, now)).toEqual([
      { from: "2022-04-01", to: "2022-04-04", before: "in-force", after: "pending" },
    ]);
  });
  it("the demo's MFN revocation: 2022-03-25 to 2022-04-20 in force, now pending", () => {
    const believed = sanction({
      announcedOn: "2022-03-16",
      effectiveFrom: "2022-03-25",
      end: null,
    });
    const now = sanction({ announcedOn: "2022-03-16", effectiveFrom: "2022-04-21", end: null });
    expect(statusChanges(believed, now)).toEqual([
      { from: "2022-03-25", to: "2022-04-20", before: "in-force", after: "pending" },
    ]);
  });
  it("a retraction without replacement: every day it had a status, open-ended", () => {
    const believed = sanction({
      announcedOn: "2022-03-16",
      effectiveFrom: "2022-03-25",
      end: null,
    });
    expect(statusChanges(believed, undefined)).toEqual([
      { from: "2022-03-16", to: "2022-03-24", before: "pending", after: "none" },
      { from: "2022-03-25", to: null, before: "in-force", after: "none" },
    ]);
  });
  it("an end brought forward: the days between the two ends", () => {
    const believed = sanction({
      announcedOn: "2022-01-01",
      effectiveFrom: "2022-01-01",
      end: "2022-12-01",
    });
    const now = sanction({ ...believed, end: "2022-06-01" });
    expect(statusChanges(believed, now)).toEqual([
      { from: "2022-06-01", to: "2022-11-30", before: "in-force", after: "none" },
    ]);
    expect(statusChanges(believed, believed)).toEqual([]);
  });
  it("a listing date learnt later: the undetermined days become none and pending", () => {
    const believed = sanction(
      { announcedOn: "2022-05-10", effectiveFrom: "2022-05-10", end: null },
      { since: "2022-03-01", until: "2022-05-10", reason: "no listing date" },
    );
    const now = sanction({ announcedOn: "2022-04-01", effectiveFrom: "2022-04-20", end: null });
    expect(statusChanges(believed, now)).toEqual([
      { from: "2022-03-01", to: "2022-03-31", before: "undetermined", after: "none" },
      { from: "2022-04-01", to: "2022-04-19", before: "undetermined", after: "pending" },
      { from: "2022-04-20", to: "2022-05-09", before: "undetermined", after: "in-force" },
    ]);
  });
});

describe("days", () => {
  it("counts in UTC and refuses impossible dates", () => {
    expect(addDays("2022-02-28", 1)).toBe("2022-03-01");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(isDay("2022-02-30")).toBe(false);
    expect(isDay("2022-02-28")).toBe(true);
    expect(justBefore("2022-04-01T09:00:00.000Z")).toBe("2022-04-01T08:59:59.999Z");
  });
});

describe("deep links", () => {
  it("each page's URL gives back the same page and filters", () => {
    const routes = [
      { page: "search", q: "vtb bank", asOf: "2022-04-03" },
      {
        page: "entity",
        entityId: "country-ru",
        asOf: "2022-04-05",
        knownAt: "2022-03-26T00:00:00Z",
      },
      {
        page: "sanctions",
        asOf: "2022-04-03",
        knownAt: "",
        authority: "JP",
        measure: "asset-freeze",
        limit: "2",
        token: "",
      },
      {
        page: "changes",
        from: "2022-04-01",
        to: "2022-04-10",
        knownAt: "",
        authority: "",
        measure: "",
        limit: "",
        token: "abc",
      },
      {
        page: "corrections",
        from: "2022-03-26T00:00:00Z",
        to: "2022-05-01T00:00:00Z",
        limit: "",
        token: "",
      },
    ] as const;
    for (const route of routes) {
      const url = new URL(hrefOf(route), "http://localhost");
      expect(parseRoute(url.pathname, url.search)).toEqual(route);
    }
    expect(hrefOf(routes[1])).toBe(
      "/app/entities/country-ru?asOf=2022-04-05&knownAt=2022-03-26T00%3A00%3A00Z",
    );
  });
  it("an entity id with reserved characters survives the round trip; unknown paths are not found", () => {
    const route = { page: "entity", entityId: "ofac:12/3", asOf: "", knownAt: "" } as const;
    const url = new URL(hrefOf(route), "http://localhost");
    expect(parseRoute(url.pathname, url.search)).toEqual(route);
    expect(parseRoute("/app/", "")).toEqual({ page: "search", q: "", asOf: "" });
    expect(parseRoute("/app/nowhere", "")).toEqual({ page: "not-found", path: "/app/nowhere" });
    expect(parseRoute("/app/entities/%E0%A4%A", "").page).toBe("not-found");
  });
});

describe("CSV", () => {
  it("quotes separators and quotes, and defuses formulas", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x,y", 'say "hi"'],
          ["=SUM(A1)", "plain"],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n\'=SUM(A1),plain\r\n');
  });
});
