import type { AppendResult, Ledger } from "../../functions/app/ledger.js";

/** Registers the entity `acme` through `ledger`. */
export function registerAcme(ledger: Ledger): Promise<AppendResult> {
  return ledger.append(
    "acme",
    { type: "EntityRegistered", data: { name: "ACME", kind: "other" } },
    "t",
  );
}
