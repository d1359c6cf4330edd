/**
 * What the demo (local/demo.ts) answers, where more than one suite checks it: the
 * corrections report from 2022-03-26T00:00:00Z to 2022-05-01T00:00:00Z.
 */
export const DEMO_CORRECTIONS = [
  {
    entityId: "country-ru",
    sanctionId: "jp-luxury-export-ban",
    authority: "JP",
    days: { from: "2022-04-01", to: "2022-04-04" },
    before: "in-force",
    after: "pending",
    versions: [4, 5],
  },
  {
    entityId: "country-ru",
    sanctionId: "jp-mfn-revocation",
    authority: "JP",
    days: { from: "2022-03-25", to: "2022-04-20" },
    before: "in-force",
    after: "pending",
    versions: [6, 7],
  },
] as const;
