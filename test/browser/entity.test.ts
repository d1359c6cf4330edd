import { createHash, createPublicKey } from "node:crypto";
import { copyFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectErrors, launch, open, screenshot, seriousViolations } from "./chromium.js";
import { addUndetermined, UNDETERMINED } from "./fixtures.js";

type Problem = { detail: string };

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe("search", () => {
  it('finds "vtb" and opens the bank, and the back button returns to the results', async () => {
    const page = await open(browser, baseUrl, "/app/");
    const errors = collectErrors(page);
    await page.getByLabel("Name, alias or identifier").fill("vtb");
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "VTB Bank" }).waitFor();
    expect(new URL(page.url()).search).toBe("?q=vtb");
    await screenshot(page, "search-vtb");
    await page.getByRole("link", { name: "VTB Bank" }).click();
    await page.getByRole("heading", { level: 1, name: /VTB Bank/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/app/entities/ru-vtb-bank");
    await page.goBack();
    await page.getByRole("link", { name: "VTB Bank" }).waitFor();
    expect(await page.getByLabel("Name, alias or identifier").inputValue()).toBe("vtb");
    expect(errors).toEqual([]);
  });
});

describe("the entity page", () => {
  it("on 2022-03-28 the Japanese asset freeze on VTB Bank is pending, in force from 2022-04-02", async () => {
    const page = await open(browser, baseUrl, "/app/entities/ru-vtb-bank?asOf=2022-03-28");
    const pending = page.getByRole("region", { name: "Pending" });
    const freeze = pending.locator('li[data-sanction="jp-asset-freeze"]');
    await freeze.waitFor();
    expect(await freeze.locator("dd.effective-from").textContent()).toBe("2022-04-02");
    expect(await freeze.textContent()).toContain("asset-freeze");
    expect(await page.getByRole("region", { name: "In force" }).textContent()).toContain("None.");
    expect(await page.locator(".verdict").textContent()).toBe("Not in force yet: pending");
    // The timeline draws the pending span and the cursor on asOf.
    const lane = page.locator('svg g.lane[data-sanction="jp-asset-freeze"]');
    expect(await lane.locator("rect.pending").count()).toBe(1);
    expect(await page.locator("svg .cursor-label").textContent()).toBe("asOf 2022-03-28");
    await screenshot(page, "entity-vtb-2022-03-28");
  });

  it("country-ru on 2022-04-05 as known at 2022-03-26: the luxury-goods ban in force from 2022-04-01", async () => {
    const page = await open(
      browser,
      baseUrl,
      "/app/entities/country-ru?asOf=2022-04-05&knownAt=2022-03-26T00:00:00Z",
    );
    const ban = page
      .getByRole("region", { name: "In force" })
      .locator('li[data-sanction="jp-luxury-export-ban"]');
    await ban.waitFor();
    expect(await ban.locator("dd.effective-from").textContent()).toBe("2022-04-01");
    expect(await page.locator(".when").textContent()).toContain(
      "as known at 2022-03-26T00:00:00.000Z",
    );
    await page
      .locator("ul.corrections, #corrections-title + .none, #corrections-title + div .none")
      .first()
      .waitFor();
    expect(await page.locator("ul.corrections").count()).toBe(0);
    // Events recorded later are marked as such in the stream.
    expect(await page.locator("#event-4").textContent()).toContain("recorded after knownAt");
    await screenshot(page, "entity-country-ru-known-2022-03-26");
  });

  it("country-ru on 2022-04-05 with today's knowledge: in force from 2022-04-05, the correction visible", async () => {
    const page = await open(browser, baseUrl, "/app/entities/country-ru?asOf=2022-04-05");
    const ban = page
      .getByRole("region", { name: "In force" })
      .locator('li[data-sanction="jp-luxury-export-ban"]');
    await ban.waitFor();
    expect(await ban.locator("dd.effective-from").textContent()).toBe("2022-04-05");
    const correction = page.locator('ul.corrections > li[data-sanction="jp-luxury-export-ban"]');
    await correction.waitFor();
    const text = await correction.textContent();
    expect(text).toContain("corrected at 2022-04-01T09:00:00.000Z");
    expect(text).toContain("Believed: in force from 2022-04-01");
    expect(text).toContain("Now: in force from 2022-04-05");
    expect(text).toContain("2022-04-01 to 2022-04-04: in-force → pending");
    // The timeline shows what was believed beside what replaced it.
    const lane = page.locator('svg g.lane[data-sanction="jp-luxury-export-ban"]');
    await lane.locator("g.believed").waitFor();
    expect(await lane.locator("g.believed text").textContent()).toBe(
      "believed from 2022-04-01, corrected 2022-04-01",
    );
    expect(await lane.locator("rect.in-force").count()).toBe(1);
    // The basis links lead to the events of the stream.
    await ban.getByRole("link", { name: "v5" }).click();
    expect(new URL(page.url()).hash).toBe("#event-5");
    expect(await page.locator("#event-5").textContent()).toContain("SanctionImposed");
    await screenshot(page, "entity-country-ru-today");
    const picture = await page.locator("section.picture").screenshot();
    const { writeFileSync, mkdirSync } = await import("node:fs");
    const { SCREENSHOTS } = await import("./chromium.js");
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(`${SCREENSHOTS}/timeline-country-ru.png`, picture);
    if (process.env.UPDATE_DOCS_SCREENSHOT)
      copyFileSync(`${SCREENSHOTS}/timeline-country-ru.png`, "docs/web-app-timeline.png");
  });

  it("the record-time control redraws the answer as known at each moment, with the keyboard and back", async () => {
    const page = await open(browser, baseUrl, "/app/entities/country-ru?asOf=2022-04-05");
    await page.locator('ul.corrections > li[data-sanction="jp-luxury-export-ban"]').waitFor();
    const slider = page.getByRole("slider", { name: "As known at" });
    await slider.focus();
    await page.keyboard.press("Home");
    await page.waitForURL(/knownAt=2022-03-25T12%3A00%3A00.000Z/);
    await page.getByRole("region", { name: "In force" }).getByText("None.").waitFor();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.waitForURL(/knownAt=2022-03-25T12%3A00%3A02.000Z/);
    const ban = page
      .getByRole("region", { name: "In force" })
      .locator('li[data-sanction="jp-luxury-export-ban"] dd.effective-from');
    await expect.poll(() => ban.textContent()).toBe("2022-04-01");
    expect(await page.locator("output#moment-output").textContent()).toContain("(after v3)");
    await page.getByRole("button", { name: /v5 SanctionImposed/ }).click();
    await page.waitForURL(/knownAt=2022-04-01T09%3A00%3A01.000Z/);
    await expect.poll(() => ban.textContent()).toBe("2022-04-05");
    await page.goBack();
    await page.waitForURL(/knownAt=2022-03-25T12%3A00%3A02.000Z/);
    await expect.poll(() => ban.textContent()).toBe("2022-04-01");
    await page.reload();
    await expect.poll(() => ban.textContent()).toBe("2022-04-01");
  });

  it("the verification badge: the chain, and each event's inclusion verified in the browser", async () => {
    const page = await open(browser, baseUrl, "/app/entities/country-ru");
    const badge = page.locator(".verification");
    await badge.getByText(/Hash chain verified: 7 events/).waitFor();
    const latest = (await (await fetch(`${baseUrl}/checkpoints/latest`)).json()) as {
      origin: string;
    };
    // The key ID: the first four bytes of SHA-256 of the published key's DER.
    const pem = await (await fetch(`${baseUrl}/checkpoints/key`)).text();
    const der = createPublicKey(pem).export({ type: "spki", format: "der" });
    const keyId = createHash("sha256").update(der).digest("hex").slice(0, 8);
    const verified = badge.getByText(/signature verified in this browser/);
    await verified.waitFor();
    expect(await verified.textContent()).toMatch(
      new RegExp(
        `^✓ Checkpoint ${latest.origin} size \\d+: signature verified in this browser with key ${keyId}; 7 of 7 events proven included\\.$`,
      ),
    );
    // Each event's row names the leaf its proof leads from, the leaf the API gives it.
    const { events } = (await (await fetch(`${baseUrl}/entities/country-ru/events`)).json()) as {
      events: { version: number; leafIndex: number }[];
    };
    for (const e of events)
      expect(await page.locator(`#event-${e.version} td.inclusion`).textContent()).toBe(
        `✓ leaf ${e.leafIndex}`,
      );
  });

  it("a checkpoint whose signature does not verify with the published key is reported", async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.route(
      (url) => url.pathname === "/checkpoints/latest",
      async (route) => {
        const answer = (await (await fetch(route.request().url())).json()) as { note: string };
        // The note claims one more leaf than was signed.
        const note = answer.note.replace(/\n(\d+)\n/, (_, n: string) => `\n${Number(n) + 1}\n`);
        await route.fulfill({
          status: 200,
          contentType: "application/json",
          body: JSON.stringify({ ...answer, note }),
        });
      },
    );
    await page.goto(`${baseUrl}/app/entities/country-ru`);
    await page
      .locator(".verification")
      .getByText(
        "✗ Signed checkpoint not verified: The checkpoint's signature does not verify with the published key.",
      )
      .waitFor();
    await context.close();
  });

  it("an unknown entity and an impossible date show the API's problem", async () => {
    const page = await open(browser, baseUrl, "/app/entities/nobody-here");
    const alert = page.getByRole("alert").first();
    await alert.waitFor();
    const api = (await (await fetch(`${baseUrl}/entities/nobody-here`)).json()) as Problem;
    expect(await alert.textContent()).toContain(api.detail);
    const bad = await open(browser, baseUrl, "/app/entities/country-ru?asOf=2022-02-30");
    const problem = (await (
      await fetch(`${baseUrl}/entities/country-ru?asOf=2022-02-30`)
    ).json()) as Problem;
    await bad.getByRole("alert").getByText(problem.detail).waitFor();
  });

  it("an undetermined sanction is answered and drawn as not known, never as not sanctioned", async () => {
    await addUndetermined(baseUrl);
    const u = UNDETERMINED;
    const page = await open(browser, baseUrl, `/app/entities/${u.entityId}?asOf=2015-04-01`);
    const errors = collectErrors(page);
    const item = page
      .getByRole("region", { name: "Undetermined" })
      .locator(`li[data-sanction="${u.sanctionId}"]`);
    await item.waitFor();
    expect(await page.locator(".verdict").textContent()).toBe(
      "Status not known: 1 sanction undetermined",
    );
    expect(await item.locator("dd.not-known-days").textContent()).toBe(
      `from ${u.since} until ${u.knownFrom}`,
    );
    expect(await item.locator("dd.known-from").textContent()).toBe(u.knownFrom);
    expect(await item.textContent()).toContain(u.reason);
    expect(await item.textContent()).toContain("Not known is not “not sanctioned”");
    expect(await page.getByRole("region", { name: "In force" }).textContent()).toContain("None.");
    expect(await page.getByRole("region", { name: "Pending" }).textContent()).toContain("None.");
    // The timeline: a hatched grey span, labelled, and the in-force span from knownFrom.
    const lane = page.locator(`svg g.lane[data-sanction="${u.sanctionId}"]`);
    const span = lane.locator("rect.undetermined");
    await span.waitFor();
    expect(await span.getAttribute("fill")).toBe("url(#pattern-undetermined)");
    expect(await span.locator("title").textContent()).toBe(
      `${u.sanctionId}: status not known from ${u.since} until ${u.knownFrom}: ${u.reason}`,
    );
    expect(await lane.locator("text.undetermined-label").textContent()).toBe(
      `status not known from ${u.since} until ${u.knownFrom} (not “not sanctioned”)`,
    );
    expect(await lane.locator("rect.in-force title").textContent()).toContain(
      `in force from ${u.knownFrom}`,
    );
    expect(await lane.locator("rect.pending").count()).toBe(0);
    expect(await page.locator(".legend").textContent()).toContain("not known");
    await screenshot(page, "entity-undetermined");
    // Before the span, nothing; from knownFrom, in force.
    await page.getByLabel("On (asOf)").fill("2015-02-01");
    await page.getByRole("button", { name: "Show" }).click();
    await page
      .locator(".verdict", { hasText: "No sanction in force, pending or undetermined" })
      .waitFor();
    await page.getByLabel("On (asOf)").fill(u.knownFrom);
    await page.getByRole("button", { name: "Show" }).click();
    await page
      .getByRole("region", { name: "In force" })
      .locator(`li[data-sanction="${u.sanctionId}"]`)
      .waitFor();
    expect(errors).toEqual([]);
  });

  it("amended terms are drawn as segments of one lane, each with its terms and events", async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    // The demo holds no amendment: the timeline answer gains one, as an amendment would give.
    await page.route(
      (url) => url.pathname === "/entities/ru-vtb-bank/timeline",
      async (route) => {
        const answer = (await (await fetch(route.request().url())).json()) as {
          sanctions: { intervals: Record<string, unknown>[] }[];
        };
        const freeze = answer.sanctions[0];
        const first = freeze?.intervals[0];
        if (freeze && first) {
          freeze.intervals = [
            { ...first, until: "2022-06-01" },
            { ...first, from: "2022-06-01", measures: ["asset-freeze"], basis: [3] },
          ];
        }
        await route.fulfill({
          status: 200,
          contentType: "application/json",
          body: JSON.stringify(answer),
        });
      },
    );
    await page.goto(`${baseUrl}/app/entities/ru-vtb-bank?asOf=2022-07-01`);
    const lane = page.locator('svg g.lane[data-sanction="jp-asset-freeze"]');
    await lane.locator("rect.amended").waitFor();
    expect(await lane.locator("rect.in-force").count()).toBe(2);
    expect(await lane.locator("path.amendment").count()).toBe(1);
    expect(await lane.locator("rect.amended title").textContent()).toBe(
      "jp-asset-freeze (JP): in force from 2022-06-01 (open-ended), amended terms: asset-freeze; events 3",
    );
    await context.close();
  });

  it("axe-core finds no serious or critical violation on the entity page", async () => {
    const page = await open(browser, baseUrl, "/app/entities/country-ru?asOf=2022-04-05");
    await page.locator("ul.corrections").waitFor();
    await page.locator("table.events").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
