import { describe, it } from "vitest";
import { checkOrders, EVERY_CASE } from "./orders.js";

describe("publications of a list imported out of order", () => {
  it("in both, only in the older, first in the newer, re-listed: as in date order", async () => {
    await checkOrders(EVERY_CASE, [
      [0, 1, 2],
      [2, 1, 0],
      [0, 2, 1],
    ]);
  }, 120_000);
});
