import fc from "fast-check";
import { describe, it } from "vitest";
import { checkOrders, EVERY_CASE, shapeArb } from "./orders.js";

describe("publications of a list imported in every order", () => {
  it("every case, in all six orders", async () => {
    await checkOrders(EVERY_CASE);
  }, 300_000);

  it("end in the same answers for every day (property over random publications)", async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, (shape) => checkOrders(shape)),
      { numRuns: 12 },
    );
  }, 1_800_000);
});
