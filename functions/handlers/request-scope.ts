import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The request being answered, for what is decided far below the handler: a 5xx problem
 * names its request (`instance`) wherever it is built. Held in an AsyncLocalStorage, so
 * that concurrent requests in one process (the local runtime) each see their own.
 */
const scope = new AsyncLocalStorage<{ readonly requestId: string }>();

/** Runs `run` as the answer to the request `requestId` (no request when undefined). */
export function withRequest<T>(requestId: string | undefined, run: () => T): T {
  return requestId === undefined ? run() : scope.run({ requestId }, run);
}

/** The id of the request being answered, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A problem's `instance` for a request id. RFC 9457 makes `instance` a URI reference that
 * identifies this occurrence of the problem; the id of an API Gateway request (or of the
 * local runtime's, or a Lambda invocation's) is a UUID, so the URI is `urn:uuid:<id>`
 * (RFC 9562): absolute, so that no client resolves it against the request's URL, and
 * plainly not something to fetch. Any other id is given percent-encoded, a relative
 * reference that still carries it.
 */
export function problemInstance(requestId: string): string {
  return UUID.test(requestId)
    ? `urn:uuid:${requestId.toLowerCase()}`
    : encodeURIComponent(requestId);
}

/** The `instance` of a problem raised while answering the current request, if any. */
export function currentInstance(): string | undefined {
  const requestId = currentRequestId();
  return requestId === undefined ? undefined : problemInstance(requestId);
}
