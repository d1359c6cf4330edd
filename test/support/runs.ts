/**
 * Whether this is the slow suite (`npm run test:slow`, which sets `LEDGER_TEST_SLOW=1`):
 * generated tests run all their runs there, and a quick share of them in `npm test`.
 */
export const SLOW = process.env.LEDGER_TEST_SLOW === "1";

/**
 * The runs of a fuzz or property test: `full` in the slow suite, a quarter of it (at least
 * 3) in the fast one, so that `npm test` still samples every generator.
 */
export function scaledRuns(full: number): number {
  return SLOW ? full : Math.min(full, Math.max(3, Math.ceil(full / 4)));
}
