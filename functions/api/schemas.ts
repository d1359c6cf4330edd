/*
 * The request shapes of the HTTP API: one source for validation and description, one module
 * per function's routes (`./schemas/`), so that each function bundles only its own.
 */
export * from "./schemas/base.js";
export * from "./schemas/events.js";
export * from "./schemas/lists.js";
export * from "./schemas/params.js";
export * from "./schemas/proofs.js";
export * from "./schemas/queries.js";
