import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, open, screenshot } from "./chromium.js";
import { addRetracted, addUndetermined, RETRACTED, UNDETERMINED } from "./fixtures.js";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: the API's answers, compared field by field
const api = async (path: string): Promise<any> => (await fetch(`${baseUrl}${path}`)).json();

/** The table's body cells, row by row, as shown. */
async function cells(page: Page): Promise<string[][]> {
  await page.locator(".results table, .results .empty, .results [role=alert]").first().waitFor();
  const rows = await page.locator(".results table tbody tr").all();
  return Promise.all(rows.map((row) => row.locator("td").allTextContents()));
}

/** The CSV that the page's download link gives, as rows of cells. */
async function downloaded(page: Page): Promise<string[][]> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: /Download CSV/ }).click(),
  ]);
  const text = readFileSync((await download.path()) as string, "utf8");
  return text
    .trim()
    .split("\r\n")
    .map((line) => line.split(","));
}

describe("the sanctions list", () => {
  it("matches the API's answer, filters in the URL, with a CSV of what is shown", async () => {
    const query = "asOf=2022-04-03&authority=JP&measure=asset-freeze";
    const page = await open(browser, baseUrl, `/app/sanctions?${query}`);
    const answer = await api(`/sanctions?${query}`);
    const rows = await cells(page);
    expect(rows.map((r) => r[1])).toEqual(
      answer.items.map((i: { entityId: string }) => i.entityId),
    );
    expect(rows.map((r) => r[3])).toEqual(answer.items.map(() => "jp-asset-freeze"));
    expect(await page.getByLabel("Authority").inputValue()).toBe("JP");
    expect(await page.getByLabel("Measure").inputValue()).toBe("asset-freeze");
    const csv = await downloaded(page);
    expect(csv[0]).toEqual([
      "Name",
      "Entity",
      "Kind",
      "Sanction",
      "Authority",
      "Measures",
      "In force from",
      "Ends",
    ]);
    expect(csv.slice(1).map((r) => r[1])).toEqual(rows.map((r) => r[1]));
    await screenshot(page, "sanctions-2022-04-03");
  });

  it("pages with nextToken: each page as the API answers it", async () => {
    const page = await open(browser, baseUrl, "/app/sanctions?asOf=2022-04-03&limit=2");
    const first = await api("/sanctions?asOf=2022-04-03&limit=2");
    expect((await cells(page)).map((r) => r[1])).toEqual(
      first.items.map((i: { entityId: string }) => i.entityId),
    );
    await page.getByRole("link", { name: "Next page" }).click();
    await page.getByRole("link", { name: "First page" }).waitFor();
    const second = await api(
      `/sanctions?asOf=2022-04-03&limit=2&nextToken=${encodeURIComponent(first.nextToken)}`,
    );
    expect((await cells(page)).map((r) => r[1])).toEqual(
      second.items.map((i: { entityId: string }) => i.entityId),
    );
    await page.goBack();
    await page.getByRole("link", { name: "Next page" }).waitFor();
    expect((await cells(page)).map((r) => r[1])).toEqual(
      first.items.map((i: { entityId: string }) => i.entityId),
    );
  });

  it("submitting the form puts the filters in the URL; a bad filter shows the API's detail", async () => {
    const page = await open(browser, baseUrl, "/app/sanctions");
    await page.getByLabel("In force on (asOf)").fill("2022-04-03");
    await page.getByLabel("Authority").fill("jp");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/authority=jp/);
    const problem = await api("/sanctions?asOf=2022-04-03&authority=jp");
    await page.getByRole("alert").getByText(problem.detail).waitFor();
  });
});

describe("the changes list", () => {
  for (const knownAt of ["", "2022-03-26T00:00:00Z"]) {
    it(`matches the API's answer${knownAt ? " as known at 2022-03-26" : ""}`, async () => {
      const query = `from=2022-04-01&to=2022-04-10${knownAt ? `&knownAt=${knownAt}` : ""}`;
      const page = await open(browser, baseUrl, `/app/changes?${query}`);
      const answer = await api(`/changes?${query}`);
      const rows = await cells(page);
      expect(rows.map((r) => [r[0], r[2], r[3], r[4]])).toEqual(
        answer.items.map((i: Record<string, string>) => [
          i.on,
          i.entityId,
          i.sanctionId,
          i.authority,
        ]),
      );
      const csv = await downloaded(page);
      expect(csv.slice(1)).toEqual(
        answer.items.map((i: Record<string, string>) => [
          i.on,
          i.change,
          i.entityId,
          i.sanctionId,
          i.authority,
        ]),
      );
      await screenshot(page, `changes${knownAt ? "-known-2022-03-26" : ""}`);
    });
  }
});

describe("the corrections report", () => {
  it("on the demo: the two corrections of country-ru, as the API answers them, with a CSV", async () => {
    const query = "from=2022-03-26T00:00:00Z&to=2022-05-01T00:00:00Z";
    const page = await open(browser, baseUrl, `/app/corrections?${query}`);
    const rows = await cells(page);
    expect(rows).toEqual([
      [
        "country-ru",
        "jp-luxury-export-ban",
        "JP",
        "2022-04-01 to 2022-04-04",
        "in-force",
        "pending",
        "4, 5",
      ],
      [
        "country-ru",
        "jp-mfn-revocation",
        "JP",
        "2022-03-25 to 2022-04-20",
        "in-force",
        "pending",
        "6, 7",
      ],
    ]);
    const answer = await api(`/corrections?${query}`);
    expect(rows.map((r) => [r[0], r[1]])).toEqual(
      answer.items.map((i: Record<string, string>) => [i.entityId, i.sanctionId]),
    );
    expect(await page.getByLabel("Known at (from)").inputValue()).toBe("2022-03-26T00:00:00Z");
    const csv = await downloaded(page);
    expect(csv).toEqual([
      ["Entity", "Sanction", "Authority", "Days", "Status before", "Status after", "Events"],
      [
        "country-ru",
        "jp-luxury-export-ban",
        "JP",
        "2022-04-01 to 2022-04-04",
        "in-force",
        "pending",
        "4 5",
      ],
      [
        "country-ru",
        "jp-mfn-revocation",
        "JP",
        "2022-03-25 to 2022-04-20",
        "in-force",
        "pending",
        "6 7",
      ],
    ]);
    // Each entity links to its page on the first corrected day.
    await page.getByRole("link", { name: "country-ru" }).first().click();
    await page.waitForURL(/\/app\/entities\/country-ru\?asOf=2022-04-01$/);
    await page.getByRole("heading", { level: 1, name: /Russian Federation/ }).waitFor();
    await screenshot(page, "corrections");
  });

  it("an open range of days (a retracted sanction) reads “onwards”", async () => {
    const from = await addRetracted(baseUrl);
    const to = new Date().toISOString();
    const query = `from=${from}&to=${to}`;
    const page = await open(browser, baseUrl, `/app/corrections?${query}`);
    const rows = await cells(page);
    const answer = await api(`/corrections?${query}`);
    expect(answer.items).toContainEqual(
      expect.objectContaining({
        entityId: RETRACTED.entityId,
        days: { from: RETRACTED.effectiveFrom, to: null },
      }),
    );
    expect(rows).toContainEqual([
      RETRACTED.entityId,
      RETRACTED.sanctionId,
      "EU",
      `${RETRACTED.effectiveFrom} onwards`,
      "in-force",
      "none",
      "3",
    ]);
  });

  it("without the window, the form alone; with half of it, the API's problem", async () => {
    const page = await open(browser, baseUrl, "/app/corrections");
    await page.getByLabel("Known at (from)").waitFor();
    expect(await page.locator(".results").textContent()).toBe("");
    const half = await open(browser, baseUrl, "/app/corrections?from=2022-03-26T00:00:00Z");
    const problem = await api("/corrections?from=2022-03-26T00:00:00Z");
    await half.getByRole("alert").getByText(problem.detail).waitFor();
  });
});

describe("the sanctions list and changes, for a sanction whose start is not stated", () => {
  it("lists it apart as not known, and its days of not knowing as changes", async () => {
    await addUndetermined(baseUrl);
    const u = UNDETERMINED;
    const list = await open(browser, baseUrl, `/app/sanctions?asOf=2015-04-01&authority=UK`);
    expect(await cells(list)).toContainEqual([
      u.name,
      u.entityId,
      "vessel",
      u.sanctionId,
      "UK",
      "status not known",
      `not known before ${u.knownFrom}`,
      "",
    ]);
    const changes = await open(
      browser,
      baseUrl,
      `/app/changes?from=2015-01-01&to=2015-12-31&authority=UK`,
    );
    const rows = await cells(changes);
    expect(rows.filter((r) => r[3] === u.sanctionId).map((r) => [r[0], r[1]])).toEqual([
      [u.since, "status not known from this day"],
      [u.knownFrom, "status known from this day (in force, unless it ended first)"],
    ]);
  });
});
