/**
 * The API's types, taken from the OpenAPI document generated at build time (`npm run
 * app:types`), so that the app cannot drift from the API: nothing here is declared by hand.
 */
import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];

/** The JSON body of a GET route's 200 answer. */
export type Ok<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer B } } } };
}
  ? B
  : never;

/** A GET route's query parameters. */
export type Query<P extends keyof paths> = paths[P] extends {
  get: { parameters: { query?: infer Q } };
}
  ? NonNullable<Q>
  : never;

export type Problem = Schemas["Problem"];
export type EntityState = Ok<"/entities/{entityId}">;
export type Sanction = EntityState["inForce"][number];
/** A sanction whose status on `asOf` is not known (never "not sanctioned"). */
export type Undetermined = EntityState["undetermined"][number];
export type Measure = Sanction["measures"][number];
export type Timeline = Ok<"/entities/{entityId}/timeline">;
export type TimelineSanction = Timeline["sanctions"][number];
export type EventsPage = Ok<"/entities/{entityId}/events">;
/** A stored event, with its `leafIndex` once the ledger-wide log has sequenced it. */
export type LoggedEvent = EventsPage["events"][number];
export type Verification = Ok<"/entities/{entityId}/verify">;
export type SanctionsPage = Ok<"/sanctions">;
export type ChangesPage = Ok<"/changes">;
export type Change = ChangesPage["items"][number]["change"];
export type SearchPage = Ok<"/search">;
export type CorrectionsPage = Ok<"/corrections">;
/** A sanction's status on a day, as the corrections report names it. */
export type DayStatus = CorrectionsPage["items"][number]["before"];
export type Checkpoint = Ok<"/checkpoints/latest">;
/** The checkpoint signer's public key, an SPKI PEM block. */
export type PublicKeyPem = Schemas["PublicKey"];
export type InclusionProof = Ok<"/entities/{entityId}/events/{version}/proof">;

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
