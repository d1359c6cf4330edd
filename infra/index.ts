/**
 * The sanctions ledger's CDK constructs, for use in another CDK app: the whole ledger as
 * one stack ({@link LedgerStack}), or its parts in a stack of your own.
 */
export { LedgerApi, type LedgerApiProps } from "./api.js";
export { EventStore, type EventStoreProps } from "./event-store.js";
export { LedgerFunction, type LedgerFunctionProps } from "./function.js";
export { LedgerStack, type LedgerStackProps } from "./ledger-stack.js";
export { Monitoring, type MonitoringProps } from "./monitoring.js";
export { Projector, type ProjectorProps } from "./projector.js";
export { Proofs, type ProofsProps } from "./proofs.js";
