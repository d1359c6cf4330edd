import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DESKTOP, launch, open, PHONE, screenshot, seriousViolations } from "./chromium.js";
import { addUndetermined, UNDETERMINED } from "./fixtures.js";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
  await addUndetermined(baseUrl);
});
afterAll(async () => {
  await browser?.close();
});

/** Every page of the app, with what shows that it has loaded. */
const PAGES: [name: string, path: string, ready: string][] = [
  ["search", "/app/?q=bank&asOf=2022-04-03", "ul.hits"],
  ["entity", "/app/entities/country-ru?asOf=2022-04-05", "ul.corrections"],
  [
    "entity-known-then",
    "/app/entities/ru-vtb-bank?asOf=2022-03-28&knownAt=2022-03-26T00:00:00Z",
    "table.events",
  ],
  ["sanctions", "/app/sanctions?asOf=2022-04-03", ".results table"],
  ["changes", "/app/changes?from=2022-04-01&to=2022-04-10", ".results table"],
  [
    "corrections",
    "/app/corrections?from=2022-03-26T00:00:00Z&to=2022-05-01T00:00:00Z",
    ".results > *",
  ],
  [
    "entity-undetermined",
    `/app/entities/${UNDETERMINED.entityId}?asOf=2015-04-01`,
    ".group.undetermined li.sanction",
  ],
  ["not-found", "/app/no-such-page", "[role=alert]"],
];

describe.each([
  ["1280×800", DESKTOP],
  ["390×844", PHONE],
])("at %s", (label, viewport) => {
  it.each(PAGES)(
    "%s: axe-core finds no serious or critical violation; nothing overflows",
    async (name, path, ready) => {
      const page = await open(browser, baseUrl, path, viewport);
      await page.locator(ready).first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow, "the page scrolls sideways").toBeLessThanOrEqual(0);
      await screenshot(page, `${name}-${label.replace("×", "x")}`);
    },
  );
});

describe("keyboard", () => {
  it("search, open an entity and reach the record-time control without a mouse", async () => {
    const page = await open(browser, baseUrl, "/app/", PHONE);
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.name")).toBe("q");
    await page.keyboard.type("sovcom");
    await page.keyboard.press("Enter");
    const hit = page.getByRole("link", { name: "Sovcombank" });
    await hit.waitFor();
    await hit.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: /Sovcombank/ }).waitFor();
    expect(await page.evaluate("document.activeElement.tagName")).toBe("H1");
    const slider = page.getByRole("slider", { name: "As known at" });
    for (let i = 0; i < 40; i++) {
      if (await slider.evaluate((el) => el === el.ownerDocument.activeElement)) break;
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Home");
    await page.waitForURL(/knownAt=/);
  });
});
