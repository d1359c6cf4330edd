import { describe, expect, it } from "vitest";
import type { AppendRequest } from "../../functions/app/ledger.js";
import { localFunctions } from "../../local/server.js";
import { amend, expectConsistent, raceSetup } from "./concurrency-support.js";

const t = raceSetup();

// The 32 writers × 50 appends runs are in concurrency.slow.test.ts (npm run test:slow).
describe("concurrent writers on one entity", () => {
  it("16 writers spread over 4 processes race on versions and still append each event once", async () => {
    const entity = "race-processes";
    const processes = Array.from({ length: 4 }, () => localFunctions(t.api.engine).ledger);
    await processes[0]?.append(
      entity,
      { type: "EntityRegistered", data: { name: "Race", kind: "other" } },
      "t",
    );
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        const ledger = processes[w % 4] as (typeof processes)[number];
        for (let i = 0; i < 4; i++) {
          const request = { ...amend(w, i), eventId: `w${w}-${i}` } as AppendRequest;
          const [a, b] = await Promise.all([
            ledger.append(entity, request, "t"),
            (processes[(w + 1) % 4] as typeof ledger).append(entity, request, "t"),
          ]);
          expect([a.status, b.status].sort()).toEqual([200, 201]);
        }
      }),
    );
    await expectConsistent(t.api, entity, 1 + 16 * 4);
  }, 120_000);

  it("16 writers with expectedVersion, retrying on 409: versions 1..N exactly once", async () => {
    const entity = "race-expected";
    await t.api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    const perWriter = 4;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        let expected = 1;
        for (let i = 0; i < perWriter; i++) {
          for (;;) {
            const res = await t.api.post(`/entities/${entity}/events`, {
              ...amend(w, i),
              eventId: `w${w}-${i}`,
              expectedVersion: expected,
            });
            if (res.status === 201 || res.status === 200) {
              expected = res.body.version;
              break;
            }
            expect(res.status).toBe(409);
            expected = res.body.currentVersion;
          }
        }
      }),
    );
    await expectConsistent(t.api, entity, 1 + 16 * perWriter);
  });

  it("16 writers without expectedVersion, each request sent twice at once: no duplicate", async () => {
    const entity = "race-idempotent";
    await t.api.post(`/entities/${entity}/events`, {
      type: "EntityRegistered",
      data: { name: "Race", kind: "other" },
    });
    const perWriter = 4;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const body = { ...amend(w, i), eventId: `w${w}-${i}` };
          const [a, b] = await Promise.all([
            t.api.post(`/entities/${entity}/events`, body),
            t.api.post(`/entities/${entity}/events`, body),
          ]);
          expect([a.status, b.status].sort()).toEqual([200, 201]);
          expect(a.body.version).toBe(b.body.version);
        }
      }),
    );
    await expectConsistent(t.api, entity, 1 + 16 * perWriter);
  });
});
