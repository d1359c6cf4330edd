import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { LedgerClient } from "../../cli/client.js";
import type { Publication, PublishedEntry } from "../../cli/import/model.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";

/** The published list files, beside the checkout (read only). */
export const DATA = resolve(process.cwd(), "samples");

/** What an import test file works with: a ledger, a client of it and a scratch folder. */
export interface ImportSetup {
  api: RunningLedger;
  client: LedgerClient;
  work: string;
}

/** Starts a ledger and a scratch folder before the file's tests, and removes both after. */
export function importSetup(): ImportSetup {
  const setup = {} as ImportSetup;
  beforeAll(async () => {
    setup.api = await startLedger();
    setup.client = new LedgerClient({ url: setup.api.url });
    setup.work = await mkdtemp(join(tmpdir(), "ledger-import-"));
  });
  afterAll(async () => {
    await setup.api.close();
    await rm(setup.work, { recursive: true, force: true });
  });
  return setup;
}

/** A synthetic SDN entry: an organization `ofac-<ref>` holding an asset freeze per program key. */
export function sdnEntry(
  ref: string,
  keys: readonly string[],
  details: Partial<Pick<PublishedEntry, "name" | "aliases">> = {},
): PublishedEntry {
  return {
    entityId: `ofac-${ref}`,
    ref,
    kind: "organization",
    name: details.name ?? `ENTRY ${ref}`,
    aliases: details.aliases ?? [],
    identifiers: [],
    sanctions: keys.map((key) => ({
      key,
      authority: "US-OFAC" as const,
      program: key.toUpperCase(),
      measures: ["asset-freeze" as const],
    })),
  };
}

/** A synthetic publication of the SDN list. */
export function sdnPublication(entries: PublishedEntry[]): Publication {
  return { list: "ofac-sdn", title: "OFAC SDN list", entries, rejected: [] };
}
