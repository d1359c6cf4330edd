import { busFromEnv, dailyHandler } from "./notices.js";
import { eventHandler } from "./observability.js";
import { noticeServicesFromEnv } from "./wiring.js";

/** The daily notices, run by the schedule at 00:00 UTC. */
export const handler = eventHandler(dailyHandler(noticeServicesFromEnv, busFromEnv));
