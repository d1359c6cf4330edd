import { busFromEnv, correctionsHandler } from "./notices.js";
import { eventHandler } from "./observability.js";
import { noticeServicesFromEnv } from "./wiring.js";

/** The correction notices, from the events table's stream. */
export const handler = eventHandler(correctionsHandler(noticeServicesFromEnv, busFromEnv));
