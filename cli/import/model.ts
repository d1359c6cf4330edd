import type {
  EntityKind,
  Identifier,
  IsoDate,
  Measure,
  Scope,
} from "../../functions/domain/events.js";

/** The lists the importer reads; each keeps its own sanctions on an entity. */
export type ListName = "ofac-sdn" | "ofac-cons" | "un";

/** A sanction as a list publication states it for one entry. */
export interface PublishedSanction {
  /**
   * Stable key of the sanction within the list and entry, lower case, made of
   * `[a-z0-9.-]` only (e.g. `sdgt`, `russia-eo14024`, `eo14024-directive-2`). The ledger's
   * sanction id is `<list>-<key>`.
   */
  key: string;
  authority: "US-OFAC" | "UN";
  program: string;
  measures: Measure[];
  scope?: Scope;
  legalBasis?: string;
  /** Where the publication states it; otherwise the publication's date applies. */
  announcedOn?: IsoDate;
  /** Where the publication states it; otherwise the publication's date applies. */
  effectiveFrom?: IsoDate;
}

/** One entry of a publication: an entity and the sanctions the list holds on it. */
export interface PublishedEntry {
  /** `ofac-<ent_num>` or `un-<DATAID>`: matches the ledger's entity id pattern. */
  entityId: string;
  /** The entry's own id in the list (ent_num, DATAID). */
  ref: string;
  kind: EntityKind;
  name: string;
  /** Distinct, non-empty, without the name itself, at most 1,000, each at most 512 chars. */
  aliases: string[];
  /** ISO 3166-1 alpha-2, when the entry's country maps to one. */
  country?: string;
  identifiers: Identifier[];
  sanctions: PublishedSanction[];
}

/** An entry the parser could not turn into an entity, and why. */
export interface RejectedEntry {
  ref: string;
  reason: string;
}

/** A list publication, read from its files. */
export interface Publication {
  list: ListName;
  /** A human title for `source.title`, e.g. "OFAC SDN list (legacy CSV)". */
  title: string;
  entries: PublishedEntry[];
  rejected: RejectedEntry[];
}
