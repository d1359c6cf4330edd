import { describe, expect, it } from "vitest";
import { amend, expectConsistent, raceSetup } from "./concurrency-support.js";

const t = raceSetup();

describe("concurrent writers on one entity, at length", () => {
  it("32 writers × 50 appends with expectedVersion, retrying on 409: exactly 1,600 events", async () => {
    const entity = "race-32x50";
    await t.api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        let expected = 1;
        for (let i = 0; i < 50; i++) {
          for (;;) {
            const res = await t.api.post(`/entities/${entity}/events`, {
              ...amend(w, i),
              eventId: `w${w}-${i}`,
              expectedVersion: expected,
            });
            if (res.status === 201) {
              expected = res.body.version;
              break;
            }
            expect(res.status).toBe(409);
            conflicts++;
            expected = res.body.currentVersion;
          }
        }
      }),
    );
    expect(conflicts).toBeGreaterThan(0);
    await expectConsistent(t.api, entity, 1 + 32 * 50);
  }, 300_000);

  it("32 writers × 50 appends whose requests are retried with their eventId: no duplicate", async () => {
    const entity = "race-32x50-retried";
    await t.api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        for (let i = 0; i < 50; i++) {
          const body = { ...amend(w, i), eventId: `w${w}-${i}` };
          // The first answer is "lost": the writer retries the same request, twice at once.
          const first = await t.api.post(`/entities/${entity}/events`, body);
          const [a, b] = await Promise.all([
            t.api.post(`/entities/${entity}/events`, body),
            t.api.post(`/entities/${entity}/events`, body),
          ]);
          expect(first.status).toBe(201);
          expect([a.status, b.status]).toEqual([200, 200]);
          expect(a.body).toEqual(first.body);
        }
      }),
    );
    await expectConsistent(t.api, entity, 1 + 32 * 50);
  }, 300_000);
});
