/** The ledger's HTTP API, typed from the OpenAPI document; every failure is an `ApiError`. */
import type {
  ChangesPage,
  Checkpoint,
  CorrectionsPage,
  EntityState,
  EventsPage,
  InclusionProof,
  LoggedEvent,
  Problem,
  PublicKeyPem,
  Query,
  SanctionsPage,
  SearchPage,
  Timeline,
  Verification,
} from "./types.js";

/** An answer that is not a success, as the problem the API sent (or one made up for it). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status(): number {
    return this.problem.status;
  }
}

/** Where the API is, and how a request is signed (in AWS, SigV4 with the signed-in user's role). */
export interface ApiConfig {
  baseUrl: string;
  sign?: (request: Request) => Promise<Request>;
}

let config: ApiConfig = { baseUrl: "" };

export function configureApi(next: ApiConfig): void {
  config = next;
}

type Params = Record<string, string | number | undefined>;

function urlOf(path: string, query: Params = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== "") params.set(k, String(v));
  const q = params.toString();
  return `${config.baseUrl}${path}${q ? `?${q}` : ""}`;
}

async function send(path: string, query: Params, accept: string): Promise<Response> {
  let request = new Request(urlOf(path, query), { headers: { accept } });
  if (config.sign) request = await config.sign(request);
  let response: Response;
  try {
    response = await fetch(request);
  } catch (error) {
    throw new ApiError({
      type: "about:blank",
      title: "Unreachable",
      status: 0,
      detail: `The ledger could not be reached (${error instanceof Error ? error.message : String(error)}).`,
    });
  }
  if (response.ok) return response;
  const text = await response.text();
  let problem: Problem | undefined;
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.detail === "string") problem = body as Problem;
  } catch {}
  throw new ApiError(
    problem ?? {
      type: "about:blank",
      title: response.statusText || "Error",
      status: response.status,
      detail: `The ledger answered ${response.status} ${response.statusText} to GET ${path}.`,
    },
  );
}

async function json<T>(path: string, query: Params = {}): Promise<T> {
  const response = await send(path, query, "application/json");
  return (await response.json()) as T;
}

const entity = (id: string) => `/entities/${encodeURIComponent(id)}`;

export const api = {
  entity: (id: string, query: Query<"/entities/{entityId}">) =>
    json<EntityState>(entity(id), query),
  events: (id: string, query: Query<"/entities/{entityId}/events">) =>
    json<EventsPage>(`${entity(id)}/events`, query),
  timeline: (id: string, query: Query<"/entities/{entityId}/timeline">) =>
    json<Timeline>(`${entity(id)}/timeline`, query),
  verify: (id: string) => json<Verification>(`${entity(id)}/verify`),
  sanctions: (query: Query<"/sanctions">) => json<SanctionsPage>("/sanctions", query),
  changes: (query: Query<"/changes">) => json<ChangesPage>("/changes", query),
  search: (query: Query<"/search">) => json<SearchPage>("/search", query),
  corrections: (query: Query<"/corrections">) => json<CorrectionsPage>("/corrections", query),
  latestCheckpoint: () => json<Checkpoint>("/checkpoints/latest"),
  checkpointKey: async (): Promise<PublicKeyPem> =>
    (await send("/checkpoints/key", {}, "application/x-pem-file")).text(),
  proof: (
    id: string,
    version: number,
    query: Query<"/entities/{entityId}/events/{version}/proof">,
  ) => json<InclusionProof>(`${entity(id)}/events/${version}/proof`, query),
};

/** Every event of the stream, following `nextToken`. */
export async function allEvents(id: string): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.events(id, { limit: "1000", ...(nextToken ? { nextToken } : {}) });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}
