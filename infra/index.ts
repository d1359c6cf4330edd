/**
 * The sanctions ledger's CDK constructs, for use in another CDK app: the whole ledger as
 * one stack ({@link LedgerStack}), or its parts in a stack of your own.
 */
export { LedgerApi, type LedgerApiProps, type MethodThrottle } from "./api.js";
export { EventStore, type EventStoreProps } from "./event-store.js";
export { LedgerFunction, type LedgerFunctionProps } from "./function.js";
export { LedgerStack, type LedgerStackProps, type LedgerWebAppProps } from "./ledger-stack.js";
export { Monitoring, type MonitoringProps } from "./monitoring.js";
export { Notices, type NoticesProps } from "./notices.js";
export { Projector, type ProjectorProps } from "./projector.js";
export { Proofs, type ProofsProps } from "./proofs.js";
export { WebApp, type WebAppProps } from "./web-app.js";
