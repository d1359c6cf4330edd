/**
 * The API's types, taken from the OpenAPI document generated at build time (so the app cannot
 * drift from the API), and for the routes still being built (the corrections report, signed
 * checkpoints, `undetermined`), the contract their issues define: as soon as a route appears in
 * the document, its generated type replaces the contract's.
 */
import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];

/** The JSON body of a GET route's 200 answer, from the generated document. */
export type Ok<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer B } } } };
}
  ? B
  : never;

/** A GET route's query parameters, from the generated document. */
export type Query<P extends keyof paths> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? NonNullable<Q>
  : never;

/** The generated body of `P` if the document has that route yet, else `Fallback`. */
type OkOr<P extends string, Fallback> = P extends keyof paths
  ? [Ok<P>] extends [never]
    ? Fallback
    : Ok<P>
  : Fallback;

export type Problem = Schemas["Problem"];
export type Sanction = Schemas["EntityState"]["inForce"][number];
export type Measure = Sanction["measures"][number];
export type Timeline = Schemas["Timeline"];
export type TimelineSanction = Timeline["sanctions"][number];
export type StoredEvent = Schemas["EventsPage"]["events"][number];
export type Verification = Schemas["Verification"];
export type SanctionsPage = Schemas["SanctionsPage"];
export type ChangesPage = Schemas["ChangesPage"];
export type SearchPage = Schemas["SearchPage"];

/** A sanction whose status on `asOf` the ledger does not know (issue 11). */
export interface Undetermined {
  sanctionId: string;
  authority: string;
  /** The day from which the status is known, and why it is not before: names per the API. */
  [field: string]: unknown;
}

/** The entity on a day; `undetermined` until the document carries it. */
export type EntityState = Schemas["EntityState"] & {
  undetermined?: Undetermined[];
};

/** A stored event, with its `leafIndex` once the ledger-wide log has sequenced it (issue 12). */
export type LoggedEvent = StoredEvent & { leafIndex?: number };

/** A status on a day, as the corrections report names it. */
export type DayStatus = "in-force" | "pending" | "undetermined" | "none";

/** `GET /corrections?from=&to=` (issue 11). */
export type CorrectionsPage = OkOr<
  "/corrections",
  {
    items: {
      entityId: string;
      sanctionId: string;
      authority: string;
      days: { from: string; to: string };
      before: DayStatus;
      after: DayStatus;
      versions: number[];
    }[];
    nextToken?: string;
  }
>;

/** `GET /checkpoints/latest` (issue 12). */
export type Checkpoint = OkOr<
  "/checkpoints/latest",
  { origin: string; treeSize: number; rootHash: string; note: string }
>;

/** `GET /entities/{entityId}/events/{version}/proof` (issue 12). */
export type InclusionProof = OkOr<
  "/entities/{entityId}/events/{version}/proof",
  { leafIndex: number; treeSize: number; leafHash: string; auditPath: string[] }
>;

/** Every measure the API knows; the check below fails type-checking when the API adds one. */
export const MEASURES = [
  "asset-freeze",
  "export-ban",
  "import-ban",
  "investment-ban",
  "financial-messaging-ban",
  "transaction-licence-required",
  "travel-ban",
  "trade-status-revoked",
  "arms-embargo",
  "other",
] as const satisfies readonly Measure[];
type MissingMeasure = Exclude<Measure, (typeof MEASURES)[number]>;
const _allMeasures: [MissingMeasure] extends [never] ? true : MissingMeasure = true;
void _allMeasures;
