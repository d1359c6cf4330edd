import { busFromEnv, correctionsHandler } from "./notices.js";
import { eventHandler } from "./observability.js";
import { servicesFromEnv } from "./wiring.js";

/** The correction notices, from the events table's stream. */
export const handler = eventHandler(correctionsHandler(servicesFromEnv, busFromEnv));
