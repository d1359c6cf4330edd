import fc from "fast-check";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendBodySchema } from "../../functions/api/answers.js";
import { ROUTES } from "../../functions/api/routes.js";
import { batchEnvelopeSchema, entityIdSchema } from "../../functions/api/schemas.js";
import { EVENT_TYPES, type EventType } from "../../functions/domain/events.js";
import { MAX_BODY_BYTES } from "../../functions/handlers/http.js";
import { type RunningLedger, startLedger } from "../support/ledger.js";
import { scaledRuns } from "../support/runs.js";
import {
  A,
  B,
  BAD_ID_VALUES,
  BAD_PATH_IDS,
  BASES,
  CONTENT_TYPES,
  caseViolations,
  clone,
  DOMAIN_CASES,
  deepArrays,
  deepObjects,
  describeFailure,
  type Expectation,
  fresh,
  GARBAGE,
  ghost,
  type HostileCase,
  hugeArray,
  INVALID_DATES,
  INVALID_TIMESTAMPS,
  INVALID_UTF8,
  isValidAppend,
  type Json,
  type JsonObject,
  jsonText,
  LONE_SURROGATES,
  type Mutation,
  mutationsOf,
  NOT_DECIMAL,
  type Path,
  POLLUTION,
  pointerOf,
  prototypePolluted,
  put,
  Raw,
  type RawRequest,
  SEED,
  type Snapshot,
  send,
  setAt,
  snapshot,
  snapshotDiff,
  UNKNOWN_KEYS,
  UNSAFE_NAMES,
  VALID_TIMESTAMPS,
} from "./fuzz-support.js";

/**
 * Hostile input on every route of the API, over the real local runtime and a real dynalite:
 * no answer is a 5xx, every refusal is a problem+json document, no invalid write succeeds,
 * and after all of it both tables hold exactly what they held before.
 */

// ---- the ledger and what it holds before the hostile requests --------------------------------

/** Every way to break each base, derived from the API's schema. */
const MUTATIONS: Record<EventType, Mutation[]> = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, mutationsOf(type, BASES[type])]),
) as Record<EventType, Mutation[]>;

/** Each mutation once: the envelope's fields are the same for every type, so once for one. */
const SWEEP: readonly { type: EventType; mutation: Mutation }[] = EVENT_TYPES.flatMap((type) =>
  MUTATIONS[type]
    .filter((m) => type === "EntityRegistered" || m.path[0] === "data")
    .map((mutation) => ({ type, mutation })),
);

let api: RunningLedger;
/** The continuation tokens each paginated route issued. */
const tokens: Record<string, string> = {};
let before: Snapshot;

const post = (path: string, body: Json) =>
  send(api.url, {
    method: "POST",
    path,
    headers: { "content-type": "application/json" },
    body: Buffer.from(jsonText(body)),
  });

beforeAll(async () => {
  api = await startLedger(undefined, { proofs: true });
  for (const [entityId, body] of SEED) {
    const answer = await post(`/entities/${entityId}/events`, body);
    expect(answer.status, answer.bytes.toString()).toBe(201);
  }
  const pages: [string, string][] = [
    ["events", `/entities/${A}/events?limit=1`],
    ["sanctions", "/sanctions?asOf=2022-06-01&limit=1"],
    ["changes", "/changes?from=2022-01-01&to=2022-12-31&limit=1"],
    ["search", "/search?q=acme&limit=1"],
  ];
  for (const [route, path] of pages) {
    const answer = await send(api.url, { method: "GET", path });
    const token = (JSON.parse(answer.bytes.toString()) as { nextToken?: string }).nextToken;
    expect(token, `${path} issues a nextToken`).toBeTypeOf("string");
    tokens[route] = token as string;
  }
  before = await snapshot(api.engine);
}, 60_000);

afterAll(async () => {
  await api?.close();
});

// ---- building hostile cases ------------------------------------------------------------------

const routeOf = (method: string, resource: string) => `${method} ${resource}`;
const APPEND_ROUTE = routeOf("POST", "/entities/{entityId}/events");
const BATCH_ROUTE = routeOf("POST", "/batches");

/** A case whose counterexample prints as its label, not as a dump of its bytes. */
function hostile(c: HostileCase): HostileCase {
  Object.defineProperty(c, fc.toStringMethod, { value: () => c.label, enumerable: false });
  return c;
}

/** 400 for a bad body, unless it is too large to be read at all: 413. */
const byteStatus = (body: Buffer) => (body.length > MAX_BODY_BYTES ? 413 : 400);

function appendCase(
  label: string,
  entityId: string,
  body: Buffer,
  expect: Expectation,
  extra: Partial<RawRequest> = {},
): HostileCase {
  return hostile({
    label: `append to ${entityId}: ${label}`,
    route: APPEND_ROUTE,
    request: {
      method: "POST",
      path: `/entities/${encodeURIComponent(entityId)}/events`,
      headers: { "content-type": "application/json" },
      body,
      ...extra,
    },
    expect,
  });
}

/** A body broken by mutations; throws if the mutations happen to leave it valid. */
function mutated(type: EventType, mutations: readonly Mutation[]): { text: string; label: string } {
  let body: Json = clone(BASES[type]);
  for (const m of mutations) body = m.apply(body);
  const text = jsonText(body);
  if (isValidAppend(text)) throw new Error(`generator bug: ${type} stays valid after mutations`);
  return { text, label: `${type} ${mutations.map((m) => m.label).join(" + ")}` };
}

/** The target on which an unbroken body of `type` would have been written. */
const writableTarget = (type: EventType, n: number) => (type === "EntityRegistered" ? fresh(n) : B);

const typeArb = fc.constantFrom(...EVENT_TYPES);

/** 1 to 3 mutations of one type's base. */
const mutationArb = typeArb
  .chain((type) =>
    fc.record({
      type: fc.constant(type),
      mutations: fc.uniqueArray(fc.constantFrom(...MUTATIONS[type]), {
        minLength: 1,
        maxLength: 3,
        selector: (m) => m.label,
      }),
      n: fc.nat(9999),
    }),
  )
  .filter(({ type, mutations }) => {
    let body: Json = clone(BASES[type]);
    for (const m of mutations) body = m.apply(body);
    return !isValidAppend(jsonText(body));
  });

/** Malformed or non-append text: truncated bodies, garbage, random strings, random JSON. */
const malformedArb: fc.Arbitrary<{ text: string; label: string }> = fc.oneof(
  fc.tuple(typeArb, fc.double({ min: 0, max: 1, noNaN: true })).map(([type, f]) => {
    const text = jsonText(BASES[type]);
    const cut = Math.min(text.length - 1, Math.floor(f * text.length));
    return { text: text.slice(0, cut), label: `${type} truncated at ${cut}` };
  }),
  fc.constantFrom(...GARBAGE).map((text) => ({ text, label: `garbage ${JSON.stringify(text)}` })),
  fc
    .string({ maxLength: 200, unit: "binary" })
    .filter((s) => !isValidAppend(s))
    .map((text) => ({ text, label: "random string" })),
  fc
    .json({ maxDepth: 4 })
    .filter((s) => !isValidAppend(s))
    .map((text) => ({ text, label: "random JSON" })),
);

/** Where a deep or huge value goes in a body, and the pointer the 400 must name. */
const PLACES: readonly { path: Path; pointer?: string }[] = [
  { path: [] },
  { path: ["data"], pointer: "/data" },
  { path: ["data", "name"], pointer: "/data/name" },
  { path: ["data", "aliases"], pointer: "/data/aliases" },
  { path: ["data", "identifiers"], pointer: "/data/identifiers" },
  { path: ["data", "identifiers", 0, "value"], pointer: "/data/identifiers/0/value" },
  { path: ["data", "deep"], pointer: "/data/deep" },
  { path: ["source"], pointer: "/source" },
  { path: ["eventId"], pointer: "/eventId" },
  { path: ["expectedVersion"], pointer: "/expectedVersion" },
  { path: ["type"], pointer: "/type" },
  { path: ["unknown"], pointer: "/unknown" },
];

function placed(value: Raw, at: (typeof PLACES)[number]): string {
  return jsonText(setAt(clone(BASES.EntityRegistered), at.path, value));
}

const deepArb = fc
  .record({
    depth: fc.constantFrom(10_000, 10_000, 30_000, 100_000),
    objects: fc.boolean(),
    at: fc.constantFrom(...PLACES),
  })
  .map(({ depth, objects, at }) => ({
    text: placed(objects ? deepObjects(depth) : deepArrays(depth), at),
    pointer: at.pointer,
    label: `${depth} nested ${objects ? "objects" : "arrays"} at ${pointerOf(at.path) || "/"}`,
  }));

const hugeArb = fc
  .record({
    length: fc.constantFrom(100_000, 100_000, 50_000, 1001),
    element: fc.constantFrom("0", "null", '"x"', "{}", "[]", "1e309", '"Acme"', "-0"),
    at: fc.constantFrom(...PLACES),
  })
  .map(({ length, element, at }) => ({
    text: placed(hugeArray(length, element), at),
    pointer: at.pointer,
    label: `${length} × ${element} at ${pointerOf(at.path) || "/"}`,
  }));

/** Valid bodies made too large: padding, a huge string, a huge unknown field. */
const oversizedArb = fc
  .record({
    extra: fc.integer({ min: 1, max: 128 * 1024 }),
    how: fc.constantFrom("leading spaces", "legalBasis", "unknown field"),
    n: fc.nat(9999),
  })
  .map(({ extra, how, n }) => {
    const size = MAX_BODY_BYTES + extra;
    let text: string;
    let entityId = B;
    if (how === "leading spaces") {
      const body = jsonText(BASES.EntityRegistered);
      text = " ".repeat(size - body.length) + body;
      entityId = fresh(n);
    } else if (how === "legalBasis") {
      text = jsonText(
        setAt(clone(BASES.SanctionImposed), ["data", "legalBasis"], "x".repeat(size)),
      );
    } else {
      text = jsonText(setAt(clone(BASES.EntityAmended), ["padding"], "x".repeat(size)));
    }
    return { text, entityId, label: `${Buffer.byteLength(text)}-byte body (${how})` };
  });

/**
 * Invalid UTF-8 inside a string of an otherwise valid append: the bytes are not JSON text,
 * so the body is malformed (RFC 8259 §8.1), whatever a lenient decoder makes of them.
 */
const STRING_FIELDS: readonly { type: "EntityRegistered" | "EntityAmended"; path: Path }[] = [
  { type: "EntityRegistered", path: ["data", "name"] },
  { type: "EntityRegistered", path: ["data", "aliases", 0] },
  { type: "EntityRegistered", path: ["source", "title"] },
  { type: "EntityAmended", path: ["data", "name"] },
  { type: "EntityAmended", path: ["data", "identifiers", 0, "value"] },
];
const MARK = "@@bytes@@";

function withBytesAt(text: string, bytes: readonly number[]): Buffer {
  const [head, tail] = text.split(MARK) as [string, string];
  return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
}

const SURROGATE_FIELDS: readonly { type: EventType; path: Path }[] = [
  ...STRING_FIELDS,
  { type: "EntityRegistered", path: ["data", "identifiers", 0, "scheme"] },
  { type: "SanctionImposed", path: ["data", "legalBasis"] },
  { type: "SanctionImposed", path: ["data", "scope", "goods", 0] },
  { type: "SanctionLifted", path: ["data", "reason"] },
  { type: "EventRetracted", path: ["source", "title"] },
];
const surrogateArb = fc
  .record({
    field: fc.constantFrom(...SURROGATE_FIELDS),
    lone: fc.constantFrom(...LONE_SURROGATES),
    n: fc.nat(9999),
  })
  .map(({ field, lone, n }) => {
    const text = jsonText(setAt(clone(BASES[field.type]), field.path, `Lone${MARK}`));
    return {
      text: text.replace(MARK, lone),
      entityId: writableTarget(field.type, n),
      label: `${field.type} with ${lone} in ${pointerOf(field.path)}`,
    };
  });

const nonUtf8Arb = fc.oneof(
  fc
    .record({
      field: fc.constantFrom(...STRING_FIELDS),
      bytes: fc.constantFrom(...INVALID_UTF8),
      n: fc.nat(9999),
    })
    .map(({ field, bytes, n }) => {
      const base = BASES[field.type];
      const value = String(
        field.path.reduce<Json | undefined>(
          (node, k) =>
            node === undefined || node === null || typeof node !== "object" || node instanceof Raw
              ? undefined
              : (node as Record<string | number, Json>)[k],
          base,
        ),
      );
      const text = jsonText(setAt(clone(base), field.path, `${value}${MARK}`));
      return {
        body: withBytesAt(text, bytes),
        entityId: field.type === "EntityRegistered" ? fresh(n) : B,
        label: `${field.type} with bytes ${bytes.map((b) => b.toString(16)).join(" ")} in ${pointerOf(field.path)}`,
      };
    }),
  fc
    .record({
      type: typeArb,
      bytes: fc.constantFrom(...INVALID_UTF8),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      n: fc.nat(9999),
    })
    .map(({ type, bytes, at, n }) => {
      const text = jsonText(BASES[type]);
      const i = Math.floor(at * text.length);
      return {
        body: Buffer.concat([
          Buffer.from(text.slice(0, i)),
          Buffer.from(bytes),
          Buffer.from(text.slice(i)),
        ]),
        entityId: writableTarget(type, n),
        label: `${type} with bytes ${bytes.map((b) => b.toString(16)).join(" ")} at offset ${i}`,
      };
    }),
);

const headersArb: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ "content-type": "application/json" }) },
  fc.constant({}),
  fc.constantFrom(...CONTENT_TYPES).map((type) => ({ "content-type": type })),
  fc
    .integer({ min: 1024, max: 8000 })
    .map((n) => ({ "content-type": "application/json", "x-fuzz-padding": "p".repeat(n) })),
  fc.constant(
    Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`x-fuzz-${i}`, "v".repeat(64)])),
  ),
  fc.constant({ "content-type": "application/json", "content-encoding": "gzip" }),
  fc.constant({
    "content-type": "application/json",
    "x-http-method-override": "GET",
    "x-forwarded-for": "' OR 1=1 --",
    accept: "application/xml",
  }),
);
const transportArb = fc.record({ headers: headersArb, chunked: fc.boolean() });

const appendArb: fc.Arbitrary<HostileCase> = fc
  .tuple(
    fc.oneof(
      { weight: 5, arbitrary: mutationArb.map((m) => ({ kind: "mutated" as const, ...m })) },
      { weight: 3, arbitrary: malformedArb.map((m) => ({ kind: "malformed" as const, ...m })) },
      { weight: 2, arbitrary: deepArb.map((m) => ({ kind: "shaped" as const, ...m })) },
      { weight: 2, arbitrary: hugeArb.map((m) => ({ kind: "shaped" as const, ...m })) },
      { weight: 1, arbitrary: oversizedArb.map((m) => ({ kind: "oversized" as const, ...m })) },
      { weight: 3, arbitrary: nonUtf8Arb.map((m) => ({ kind: "bytes" as const, ...m })) },
      {
        weight: 2,
        arbitrary: surrogateArb.map((m) => ({
          kind: "bytes" as const,
          ...m,
          body: Buffer.from(m.text),
        })),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom(...DOMAIN_CASES).map((d) => ({ kind: "domain" as const, ...d })),
      },
    ),
    transportArb,
    fc.nat(9999),
  )
  .map(([spec, transport, n]) => {
    switch (spec.kind) {
      case "mutated": {
        const { text, label } = mutated(spec.type, spec.mutations);
        const body = Buffer.from(text);
        const only = spec.mutations.length === 1 ? spec.mutations[0] : undefined;
        return appendCase(
          label,
          writableTarget(spec.type, spec.n),
          body,
          {
            kind: "status",
            statuses: [byteStatus(body)],
            ...(only ? { pointer: only.pointer } : {}),
          },
          transport,
        );
      }
      case "malformed": {
        const body = Buffer.from(spec.text);
        return appendCase(
          spec.label,
          n % 2 ? B : fresh(n),
          body,
          { kind: "status", statuses: [byteStatus(body)] },
          transport,
        );
      }
      case "shaped": {
        const body = Buffer.from(spec.text);
        const status = byteStatus(body);
        return appendCase(
          spec.label,
          fresh(n),
          body,
          {
            kind: "status",
            statuses: [status],
            ...(spec.pointer ? { pointer: spec.pointer } : {}),
          },
          transport,
        );
      }
      case "oversized":
        return appendCase(
          spec.label,
          spec.entityId,
          Buffer.from(spec.text),
          { kind: "status", statuses: [413] },
          transport,
        );
      case "bytes":
        return appendCase(
          spec.label,
          spec.entityId,
          spec.body,
          { kind: "status", statuses: [400] },
          transport,
        );
      default:
        return appendCase(
          spec.label,
          spec.entityId,
          Buffer.from(jsonText(spec.body)),
          {
            kind: "status",
            statuses: [spec.status],
            ...(spec.pointer ? { pointer: spec.pointer } : {}),
          },
          transport,
        );
    }
  });

// ---- batches -----------------------------------------------------------------------------

function batchCase(
  label: string,
  body: Buffer,
  expect: Expectation,
  extra: Partial<RawRequest> = {},
) {
  return hostile({
    label: `batch: ${label}`,
    route: BATCH_ROUTE,
    request: {
      method: "POST",
      path: "/batches",
      headers: { "content-type": "application/json" },
      body,
      ...extra,
    },
    expect,
  });
}

/** A batch item: the entity id first, then the append body (own `__proto__` keys kept). */
function item(entityId: Json | undefined, body: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (entityId !== undefined) put(out, "entityId", entityId);
  for (const [k, v] of Object.entries(body)) put(out, k, clone(v));
  return out;
}

type ItemSpec = { json: Json; statuses: readonly number[]; pointer?: string; label: string };

const itemArb: fc.Arbitrary<ItemSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: mutationArb.map(({ type, mutations, n }) => {
      let body: Json = clone(BASES[type]);
      for (const m of mutations) body = m.apply(body);
      const only = mutations.length === 1 ? mutations[0] : undefined;
      if (isValidAppend(jsonText(body))) throw new Error("generator bug: valid item");
      return {
        json: item(writableTarget(type, n), body as JsonObject),
        statuses: [400],
        ...(only ? { pointer: only.pointer } : {}),
        label: `${type} ${mutations.map((m) => m.label).join(" + ")}`,
      };
    }),
  },
  fc
    .constantFrom<Json>(1, "x", null, true, [], [BASES.EntityRegistered], new Raw("1e309"))
    .map((json) => ({ json, statuses: [400], pointer: "", label: `item ${jsonText(json)}` })),
  fc.constant<ItemSpec>({
    json: deepArrays(10_000),
    statuses: [400],
    pointer: "",
    label: "item of 10,000 nested arrays",
  }),
  fc.constant<ItemSpec>({
    json: item(B, setAt(BASES.EntityAmended, ["data", "name"], deepObjects(5_000)) as JsonObject),
    statuses: [400],
    pointer: "/data/name",
    label: "5,000 nested objects in data.name",
  }),
  typeArb.map((type) => ({
    json: item(undefined, BASES[type]),
    statuses: [400],
    pointer: "/entityId",
    label: `${type} without entityId`,
  })),
  fc.tuple(typeArb, fc.constantFrom(...BAD_ID_VALUES)).map(([type, id]) => ({
    json: item(id, BASES[type]),
    statuses: [400],
    pointer: "/entityId",
    label: `${type} for entityId ${jsonText(id)}`,
  })),
  surrogateArb.map(({ text, entityId, label }) => ({
    json: new Raw(`{"entityId":${JSON.stringify(entityId)},${text.slice(1)}`),
    statuses: [400],
    label,
  })),
  fc.constantFrom(...DOMAIN_CASES).map((d) => ({
    json: item(d.entityId, d.body),
    statuses: [d.status],
    ...(d.pointer ? { pointer: d.pointer } : {}),
    label: d.label,
  })),
);

const validItems = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) =>
    item(`fz-batch-${tag}-${i}`, {
      type: "EntityRegistered",
      data: { name: `Batch ${i}`, kind: "other" },
    }),
  );

const envelopeArb: fc.Arbitrary<HostileCase> = fc.oneof(
  malformedArb.map(({ text, label }) =>
    batchCase(label, Buffer.from(text), { kind: "status", statuses: [400] }),
  ),
  fc
    .constantFrom<Json>(
      "x",
      1,
      null,
      true,
      {},
      { 0: validItems(1, "obj")[0] ?? null },
      deepObjects(10_000),
    )
    .map((items) =>
      batchCase(`items ${jsonText(items).slice(0, 40)}`, Buffer.from(jsonText({ items })), {
        kind: "status",
        statuses: [400],
        pointer: "/items",
      }),
    ),
  fc.constant(
    batchCase("no items", Buffer.from('{"items":[]}'), {
      kind: "status",
      statuses: [400],
      pointer: "/items",
    }),
  ),
  fc.integer({ min: 101, max: 250 }).map((count) =>
    batchCase(
      `${count} valid items`,
      Buffer.from(jsonText({ items: validItems(count, `over${count}`) })),
      {
        kind: "status",
        statuses: [400],
        pointer: "/items",
      },
    ),
  ),
  fc.constantFrom("100000", "null", "{}").map((element) => {
    const body = Buffer.from(`{"items":${hugeArray(100_000, element).text}}`);
    return batchCase(`100,000 × ${element} items`, body, {
      kind: "status",
      statuses: [byteStatus(body)],
    });
  }),
  fc.constantFrom(...UNKNOWN_KEYS).map((key) => {
    const envelope: JsonObject = { items: validItems(1, "unknown-key") };
    put(envelope, key, key === "__proto__" ? clone(POLLUTION) : "x");
    return batchCase(`envelope with key ${JSON.stringify(key)}`, Buffer.from(jsonText(envelope)), {
      kind: "status",
      statuses: [400],
      pointer: pointerOf([key]),
    });
  }),
  fc.constant(
    batchCase("items at top level", Buffer.from(jsonText(validItems(2, "top"))), {
      kind: "status",
      statuses: [400],
    }),
  ),
  fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.nat(99)).map(([bytes, n]) => {
    const text = jsonText({
      items: [
        item(
          fresh(n),
          setAt(BASES.EntityRegistered, ["data", "name"], `Bytes${MARK}`) as JsonObject,
        ),
      ],
    });
    return batchCase(
      `valid item with bytes ${bytes.map((b) => b.toString(16)).join(" ")} in its name`,
      withBytesAt(text, bytes),
      { kind: "status", statuses: [400] },
    );
  }),
  fc.integer({ min: 1, max: 64 * 1024 }).map((extra) => {
    const text = jsonText({ items: validItems(3, `big${extra}`) });
    return batchCase(
      `${MAX_BODY_BYTES + extra}-byte valid batch`,
      Buffer.from(" ".repeat(MAX_BODY_BYTES + extra - text.length) + text),
      { kind: "status", statuses: [413] },
    );
  }),
);

const badItemsArb: fc.Arbitrary<HostileCase> = fc
  .array(itemArb, { minLength: 1, maxLength: 6 })
  .map((items) => {
    const body = Buffer.from(jsonText({ items: items.map((i) => i.json) }));
    return batchCase(
      `${items.length} bad items [${items.map((i) => i.label).join(" | ")}]`,
      body,
      body.length > MAX_BODY_BYTES
        ? { kind: "status", statuses: [413] }
        : {
            kind: "batch",
            items: items.map((i) => ({
              statuses: i.statuses,
              ...(i.pointer !== undefined ? { pointer: i.pointer } : {}),
            })),
          },
    );
  });

const batchArb: fc.Arbitrary<HostileCase> = fc
  .tuple(fc.oneof(envelopeArb, badItemsArb), transportArb)
  .map(([c, transport]) =>
    hostile({ ...c, request: { ...c.request, ...transport } } satisfies HostileCase),
  );

// ---- reads -------------------------------------------------------------------------------

/** The query parameters of each read route, from the route table's schemas. */
const READ_QUERIES: Record<string, readonly string[]> = Object.fromEntries(
  ROUTES.filter((r) => r.method === "GET").map((r) => [r.resource, Object.keys(r.query.entries)]),
);
/** Which token route each paginated resource decodes. */
const TOKEN_ROUTES: Record<string, string> = {
  "/entities/{entityId}/events": "events",
  "/sanctions": "sanctions",
  "/changes": "changes",
  "/search": "search",
};
/** The required parameters, valid. */
const REQUIRED: Record<string, Record<string, string>> = {
  "/changes": { from: "2022-01-01", to: "2022-12-31" },
  "/corrections": { from: "2022-01-01T00:00:00Z", to: "2022-12-31T00:00:00Z" },
  "/checkpoints/consistency": { from: "1", to: "1" },
  "/search": { q: "acme" },
};

const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const GARBAGE_TOKENS: readonly string[] = [
  "",
  "!!!",
  "%ZZ",
  "a".repeat(2049),
  forge("not an object"),
  Buffer.from("not json").toString("base64url"),
  Buffer.from('{"r":').toString("base64url"),
  forge({ p: 1 }),
  forge({ r: "nowhere", p: 1 }),
  forge({ r: "events" }),
];

/** Values each parameter must refuse. */
const BAD_DATES = INVALID_DATES.filter((d): d is string => typeof d === "string");
const INVALID_PARAMS: Record<string, readonly string[]> = {
  asOf: BAD_DATES,
  from: BAD_DATES,
  to: BAD_DATES,
  knownAt: INVALID_TIMESTAMPS,
  limit: [
    ...["0", "-1", "1001", "1.5", "abc", "", "1e400", "NaN", "Infinity", "one", "1,5", "1e20"],
    ...NOT_DECIMAL,
  ],
  fromVersion: [
    ...["0", "-1", "1.5", "abc", "", "1e400", "NaN", "Infinity", "1e20", "9007199254740992"],
    ...NOT_DECIMAL,
  ],
  nextToken: GARBAGE_TOKENS,
  treeSize: [
    ...["0", "-1", "1.5", "abc", "", "01", "1e3", "NaN", "Infinity", "9007199254740992"],
    ...NOT_DECIMAL,
  ],
  authority: ["jp", "J", "US OFAC", "A".repeat(33), "", "JP!", "1JP", "ｊｐ"],
  measure: ["freeze", "ASSET-FREEZE", "", "asset freeze", "asset-freeze,export-ban"],
  program: ["", "   ", "x".repeat(65)],
  q: ["", "x".repeat(257)],
  since: GARBAGE_TOKENS,
};
/** Where a route reads a parameter of the same name otherwise (the corrections' moments). */
const INVALID_PARAMS_OF: Record<string, Record<string, readonly string[]>> = {
  "/corrections": { from: INVALID_TIMESTAMPS, to: INVALID_TIMESTAMPS },
};
const invalidOf = (resource: string, name: string) =>
  INVALID_PARAMS_OF[resource]?.[name] ?? INVALID_PARAMS[name] ?? [];
/** Parameters whose any string may be valid, so percent garbage may be accepted. */
const FREE_TEXT = new Set(["q", "program"]);
const PERCENT_GARBAGE = ["%", "%Z", "%ZZ", "%E0%A4%A", "%C0%AF", "%FF%FE", "%00", "%%", "%u0041"];

const GET_RESOURCES = ROUTES.filter((r) => r.method === "GET").map((r) => r.resource);
const ENTITY_RESOURCES = GET_RESOURCES.filter((r) => r.includes("{entityId}"));

const enc = encodeURIComponent;

function readCase(
  label: string,
  resource: string,
  entityId: string,
  params: readonly [string, string][],
  expect: Expectation,
  extra: Partial<RawRequest> = {},
): HostileCase {
  // The other path parameters take valid values: the id and the query are under test.
  const path = resource
    .replace("{entityId}", entityId)
    .replace("{treeSize}", "1")
    .replace("{version}", "1");
  const query = params.map(([k, v]) => `${k}=${v}`).join("&");
  return hostile({
    label: `GET ${resource} on ${entityId}: ${label}`,
    route: routeOf("GET", resource),
    request: { method: "GET", path: query ? `${path}?${query}` : path, ...extra },
    expect,
  });
}

const bad = (pointer?: string): Expectation => ({
  kind: "status",
  statuses: [400],
  ...(pointer !== undefined ? { pointer } : {}),
});

/** A hostile query for one read route. */
function queryArb(resource: string): fc.Arbitrary<{
  label: string;
  params: [string, string][];
  expect: Expectation;
}> {
  const names = READ_QUERIES[resource] ?? [];
  const required = Object.entries(REQUIRED[resource] ?? {}).map(
    ([k, v]) => [k, enc(v)] as [string, string],
  );
  const without = (name: string) => required.filter(([k]) => k !== name);
  const options: fc.Arbitrary<{
    label: string;
    params: [string, string][];
    expect: Expectation;
  }>[] = [];
  if (names.length > 0) {
    options.push(
      fc
        .constantFrom(...names)
        .chain((name) =>
          fc.constantFrom(...invalidOf(resource, name)).map((value) => ({ name, value })),
        )
        .map(({ name, value }) => ({
          label: `${name}=${JSON.stringify(value)}`,
          params: [...without(name), [name, enc(value)]],
          expect: bad(`/${name}`),
        })),
      fc
        .record({
          name: fc.constantFrom(...names),
          length: fc.integer({ min: 3000, max: 5000 }),
        })
        .map(({ name, length }) => ({
          label: `${name} of ${length} characters`,
          params: [...without(name), [name, "9".repeat(length)]],
          expect: bad(`/${name}`),
        })),
      fc
        .record({
          name: fc.constantFrom(...names),
          garbage: fc.constantFrom(...PERCENT_GARBAGE),
          prefix: fc.constantFrom("", "2022-01-01", "acme", "10"),
        })
        .map(({ name, garbage, prefix }) => ({
          label: `${name} with percent garbage`,
          params: [...without(name), [name, `${prefix}${garbage}`]],
          expect: FREE_TEXT.has(name) ? { kind: "any" } : bad(`/${name}`),
        })),
      fc
        .record({
          name: fc.constantFrom(...names),
          badFirst: fc.boolean(),
        })
        .chain(({ name, badFirst }) =>
          fc.constantFrom(...invalidOf(resource, name)).map((value) => ({
            label: `${name} repeated (${badFirst ? "invalid first" : "invalid last"})`,
            params: [
              ...without(name),
              ...((badFirst
                ? [
                    [name, enc(value)],
                    [name, enc(REQUIRED[resource]?.[name] ?? "1")],
                  ]
                : [
                    [name, enc(REQUIRED[resource]?.[name] ?? "1")],
                    [name, enc(value)],
                  ]) as [string, string][]),
            ],
            expect: bad(`/${name}`),
          })),
        ),
    );
  }
  const unknownName = fc.oneof(
    fc.constantFrom(...UNKNOWN_KEYS, "ASOF", "as_of", "limit[]", "knownat", "callback"),
    fc.string({ minLength: 1, maxLength: 30 }),
  );
  options.push(
    fc
      .tuple(fc.array(unknownName, { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 20 }))
      .filter(([keys]) => keys.every((k) => !names.includes(k)))
      .map(([keys, value]) => ({
        label: `unknown parameters ${JSON.stringify(keys)}`,
        params: [...required, ...keys.map((k) => [enc(k), enc(value)] as [string, string])],
        expect: bad(pointerOf([keys[0] ?? ""])),
      })),
    fc.constantFrom(...PERCENT_GARBAGE).map((garbage) => ({
      label: `percent garbage ${garbage} as a parameter name`,
      params: [...required, [`x${garbage}`, "1"]],
      expect: bad(),
    })),
  );
  const tokenRoute = TOKEN_ROUTES[resource];
  if (tokenRoute) {
    const others = Object.keys(tokens).filter((r) => r !== tokenRoute);
    options.push(
      fc.constantFrom(...others).map((other) => ({
        label: `nextToken issued by /${other}`,
        params: [...required, ["nextToken", tokens[other] ?? ""]],
        expect: bad("/nextToken"),
      })),
      fc
        .constantFrom<unknown>(
          -1,
          0,
          1,
          1.5,
          -0,
          2 ** 53,
          2 ** 53 + 2,
          1e21,
          1e308,
          "",
          "0",
          "zzz",
          "\uffff",
          "x".repeat(1000),
          `${A}$`,
          "2099-12-31#z",
          "2000-01-01",
          null,
          true,
          [],
          {},
        )
        .map((p) => {
          const plausible =
            tokenRoute === "events"
              ? typeof p === "number" && Number.isInteger(p) && p >= 0
              : typeof p === "string";
          return {
            label: `forged nextToken {r: ${tokenRoute}, p: ${JSON.stringify(p)}}`,
            params: [...required, ["nextToken", forge({ r: tokenRoute, p })]],
            // A token this API never issued: a 400, or a page after that position.
            // (404 where the entity is unknown: the events route looks it up first.)
            expect: plausible
              ? ({ kind: "status", statuses: [200, 400, 404] } as Expectation)
              : bad("/nextToken"),
          };
        }),
    );
  }
  return fc.oneof(...options);
}

const readArb: fc.Arbitrary<HostileCase> = fc
  .record({
    resource: fc.constantFrom(...GET_RESOURCES),
    entityId: fc.oneof(fc.constantFrom(A, B), fc.nat(99).map(ghost)),
    junk: fc.option(fc.constantFrom("x".repeat(300 * 1024), "{", '{"items":[]}'), {
      nil: undefined,
    }),
    transport: transportArb,
  })
  .chain(({ resource, entityId, junk, transport }) =>
    queryArb(resource).map((q) =>
      readCase(q.label, resource, entityId, q.params, q.expect, {
        ...transport,
        ...(junk !== undefined ? { body: Buffer.from(junk) } : {}),
      }),
    ),
  );

// ---- path ids ----------------------------------------------------------------------------

const badIdArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BAD_PATH_IDS) },
  fc
    .string({
      minLength: 1,
      maxLength: 140,
      unit: fc.constantFrom(..."aZ0 ._:-/?#%+&=é😀\u0000\t"),
    })
    .filter((s) => !v.safeParse(entityIdSchema, s).success)
    .map(enc),
);

const pathArb: fc.Arbitrary<HostileCase> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...ENTITY_RESOURCES), badIdArb, transportArb)
      .map(([resource, id, transport]) =>
        readCase(`invalid id ${id.slice(0, 60)}`, resource, id, [], bad("/entityId"), transport),
      )
      .map((c) => hostile({ ...c, expect: { kind: "status", statuses: [400, 404] } })),
  },
  fc.tuple(badIdArb, fc.nat(9999), transportArb).map(([id, n, transport]) =>
    hostile({
      label: `append to invalid id ${id.slice(0, 60)}`,
      route: APPEND_ROUTE,
      request: {
        method: "POST",
        path: `/entities/${id}/events`,
        body: Buffer.from(
          jsonText({ ...BASES.EntityRegistered, eventId: `fz-path-${n}`, expectedVersion: 0 }),
        ),
        ...transport,
      },
      // 404 or 405 only where the URL normalises the id away (`.`, `..`): another path then.
      expect: { kind: "status", statuses: [400, 404, 405] },
    }),
  ),
  fc
    .tuple(fc.constantFrom(...ENTITY_RESOURCES), fc.nat(99))
    .map(([resource, n]) =>
      readCase("unknown entity", resource, ghost(n), [], { kind: "status", statuses: [404] }),
    ),
  fc.nat(99).map((n) =>
    appendCase(
      "sanction on an unknown entity",
      ghost(n),
      Buffer.from(jsonText(BASES.SanctionImposed)),
      {
        kind: "status",
        statuses: [404],
      },
    ),
  ),
  fc
    .tuple(fc.constantFrom(...ENTITY_RESOURCES), fc.integer({ min: 1, max: 128 }))
    .map(([resource, length]) =>
      readCase(`unknown id of ${length} characters`, resource, "z".repeat(length), [], {
        kind: "status",
        statuses: [404],
      }),
    ),
);

// ---- methods and unknown routes ----------------------------------------------------------

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
const pathFor = (resource: string) => resource.replace("{entityId}", A);
const methodArb: fc.Arbitrary<HostileCase> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ROUTES), fc.constantFrom(...METHODS))
    .filter(
      ([route, method]) =>
        !ROUTES.some((r) => r.resource === route.resource && r.method === method),
    )
    .map(([route, method]) =>
      hostile({
        label: `${method} ${route.resource}`,
        request: {
          method,
          path: pathFor(route.resource),
          headers: { "content-type": "application/json" },
          body: Buffer.from(jsonText({ ...BASES.EntityRegistered, expectedVersion: 0 })),
        },
        expect: { kind: "status", statuses: [405] },
      }),
    ),
  fc
    .constantFrom(
      "/",
      "/entities",
      "/entities/",
      `/entities/${A}/events/1`,
      `/entities/${A}/unknown`,
      `/ENTITIES/${A}`,
      "/sanctions/extra",
      "/batches/1",
      "/openapi.yaml",
      "/openapi.json/x",
      "/v1/sanctions",
      "/%ZZ",
      `/entities/${A}/events/%ZZ`,
      "//[",
      "//a:b@c:99999/",
      "*",
    )
    .map((path) =>
      hostile({
        label: `unknown route ${path}`,
        request: { method: "GET", path },
        expect: { kind: "status", statuses: [400, 404] },
      }),
    ),
);

// ---- running cases -----------------------------------------------------------------------

async function run(c: HostileCase): Promise<string | undefined> {
  const answer = await send(api.url, c.request);
  const wrong = caseViolations(c, answer);
  return wrong.length > 0 ? describeFailure(c, answer, wrong) : undefined;
}

async function fuzz(arb: fc.Arbitrary<HostileCase>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.limitShrink(arb, 40), async (c) => {
      const failure = await run(c);
      if (failure) throw new Error(failure);
    }),
    { numRuns: scaledRuns(numRuns) },
  );
}

/** Runs every case, a few at a time, and answers the failures. */
async function sweep(cases: readonly HostileCase[], parallel = 4): Promise<string[]> {
  const failures: string[] = [];
  const queue = [...cases];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const failure = await run(c);
        if (failure) failures.push(failure);
      }
    }),
  );
  return failures;
}

// ---- the tests ---------------------------------------------------------------------------

describe("hostile input on every route leaves the ledger untouched", () => {
  it("starts from valid bases and schema-derived mutations that break them", () => {
    for (const type of EVENT_TYPES) {
      expect(v.safeParse(appendBodySchema, BASES[type]).success, type).toBe(true);
      expect(MUTATIONS[type].length, type).toBeGreaterThan(20);
      for (const m of MUTATIONS[type])
        expect(isValidAppend(mutated(type, [m]).text), m.label).toBe(false);
    }
    expect(Object.keys(batchEnvelopeSchema.entries)).toEqual(["items"]);
    expect(Object.keys(READ_QUERIES).sort()).toEqual([...GET_RESOURCES].sort());
    for (const [resource, names] of Object.entries(READ_QUERIES)) {
      for (const name of names) {
        expect(invalidOf(resource, name).length, `invalid values for ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it("generates hostile requests for every route of ROUTES", () => {
    const routes = new Set<string>();
    for (const arb of [appendArb, batchArb, readArb, pathArb]) {
      for (const c of fc.sample(arb, { numRuns: 200, seed: 42 })) if (c.route) routes.add(c.route);
    }
    expect([...routes].sort()).toEqual(ROUTES.map((r) => routeOf(r.method, r.resource)).sort());
  });

  it("refuses each field broken on its own with a 400 that names it (single appends)", async () => {
    const cases = SWEEP.map(({ type, mutation }, i) => {
      const { text, label } = mutated(type, [mutation]);
      const body = Buffer.from(text);
      return appendCase(label, writableTarget(type, 5000 + i), body, {
        kind: "status",
        statuses: [byteStatus(body)],
        pointer: mutation.pointer,
      });
    });
    const failures = await sweep(cases);
    expect(failures.length, failures.join("\n\n")).toBe(0);
  });

  it("refuses each field broken on its own in its own place of a batch", async () => {
    const items = SWEEP.map(({ type, mutation }, i) => ({
      json: item(writableTarget(type, 7000 + i), mutation.apply(clone(BASES[type])) as JsonObject),
      pointer: mutation.pointer,
      label: `${type} ${mutation.label}`,
    }));
    const cases: HostileCase[] = [];
    let chunk: typeof items = [];
    const flush = () => {
      if (chunk.length === 0) return;
      const body = Buffer.from(jsonText({ items: chunk.map((i) => i.json) }));
      cases.push(
        batchCase(
          `${chunk.length} items from ${chunk[0]?.label}`,
          body,
          body.length > MAX_BODY_BYTES
            ? { kind: "status", statuses: [413] }
            : {
                kind: "batch",
                items: chunk.map((i) => ({ statuses: [400], pointer: i.pointer })),
              },
        ),
      );
      chunk = [];
    };
    let size = 0;
    for (const i of items) {
      const length = Buffer.byteLength(jsonText(i.json));
      if (chunk.length === 100 || size + length > MAX_BODY_BYTES - 1024) {
        flush();
        size = 0;
      }
      chunk.push(i);
      size += length + 1;
    }
    flush();
    const failures = await sweep(cases, 2);
    expect(failures.length, failures.join("\n\n")).toBe(0);
  });

  it("refuses hostile append bodies: malformed, deep, huge, oversized, non-UTF-8, broken rules", async () => {
    await fuzz(appendArb, 80);
  });

  it("refuses hostile batches: bad envelopes with 400/413, bad items each in its place", async () => {
    await fuzz(batchArb, 50);
  });

  it("refuses hostile query parameters on every read route", async () => {
    await fuzz(readArb, 90);
  });

  it("refuses invalid and unknown entity ids in paths", async () => {
    await fuzz(pathArb, 40);
  });

  it("answers wrong methods with 405 and unknown routes with 404", async () => {
    await fuzz(methodArb, 25);
  });

  it("left both tables exactly as they were", async () => {
    const after = await snapshot(api.engine);
    const diff = snapshotDiff(before, after);
    expect(diff, JSON.stringify(diff, null, 1).slice(0, 6000)).toEqual({
      events: { gone: [], added: [] },
      views: { gone: [], added: [] },
    });
    expect(prototypePolluted()).toBe(false);
  });
});

// ---- fixed regressions -------------------------------------------------------------------

/** Sends one request and checks its answer, and that the tables did not change. */
async function expectRefused(c: HostileCase): Promise<void> {
  const was = await snapshot(api.engine);
  const failure = await run(c);
  const now = await snapshot(api.engine);
  const diff = snapshotDiff(was, now);
  const wrote = diff.events.added.length + diff.views.added.length + diff.events.gone.length;
  expect(
    [failure, wrote > 0 ? `wrote ${JSON.stringify(diff.events.added).slice(0, 1500)}` : undefined]
      .filter(Boolean)
      .join("\n"),
  ).toBe("");
}

const json = (value: Json) => Buffer.from(jsonText(value));
const registration = (name: Json = "Regression Ltd"): JsonObject => ({
  type: "EntityRegistered",
  data: { name, kind: "organization" },
});

describe("regressions: the nastiest inputs", () => {
  it("10,000 nested arrays as the whole body: 400", async () => {
    await expectRefused(
      appendCase("10,000 nested arrays", "fz-reg-deep-1", json(deepArrays(10_000)), bad("")),
    );
  });

  it("10,000 nested objects in data.name: 400 naming /data/name", async () => {
    await expectRefused(
      appendCase(
        "10,000 nested objects in data.name",
        "fz-reg-deep-2",
        json(registration(deepObjects(10_000))),
        bad("/data/name"),
      ),
    );
  });

  it("100,000 nested arrays (200 KB) as the body: 400, no stack overflow", async () => {
    await expectRefused(
      appendCase("100,000 nested arrays", "fz-reg-deep-3", json(deepArrays(100_000)), bad("")),
    );
  });

  it("a batch item of 10,000 nested arrays: 200 with a 400 in its place", async () => {
    await expectRefused(
      batchCase(
        "deep item",
        json({ items: [deepArrays(10_000), item("fz-reg-deep-4", { type: "Nope", data: {} })] }),
        {
          kind: "batch",
          items: [
            { statuses: [400], pointer: "" },
            { statuses: [400], pointer: "/type" },
          ],
        },
      ),
    );
  });

  it("a 100,000-element array in data.aliases: 400 naming /data/aliases", async () => {
    await expectRefused(
      appendCase(
        "100,000 aliases",
        "fz-reg-huge-1",
        json(setAt(registration(), ["data", "aliases"], hugeArray(100_000, "0"))),
        bad("/data/aliases"),
      ),
    );
  });

  it("invalid UTF-8 inside a name of an otherwise valid registration: 400, nothing written", async () => {
    const text = jsonText(registration(`Bad${MARK}Bytes`));
    await expectRefused(
      appendCase(
        "bytes ff fe in data.name",
        "fz-reg-utf8-1",
        withBytesAt(text, [0xff, 0xfe]),
        bad(),
      ),
    );
  });

  it("an overlong UTF-8 slash in a batch item: 400 for the whole batch, nothing written", async () => {
    const text = jsonText({ items: [item("fz-reg-utf8-2", registration(`A${MARK}B`))] });
    await expectRefused(
      batchCase("bytes c0 af in an item's name", withBytesAt(text, [0xc0, 0xaf]), bad()),
    );
  });

  it("invalid UTF-8 between tokens: 400", async () => {
    const text = `{"type":"EntityRegistered",${MARK}"data":{"name":"x","kind":"person"}}`;
    await expectRefused(
      appendCase("byte ff between tokens", "fz-reg-utf8-3", withBytesAt(text, [0xff]), bad("")),
    );
  });

  it("a lone surrogate escape in a name: 400, not 500, nothing written", async () => {
    await expectRefused(
      appendCase(
        "\\ud800 in data.name",
        "fz-reg-surrogate-1",
        Buffer.from('{"type":"EntityRegistered","data":{"name":"a\\ud800b","kind":"person"}}'),
        bad(),
      ),
    );
  });

  it("a lone surrogate escape in a batch item's source title: that item 400, not 500", async () => {
    const text = `{"items":[{"entityId":"fz-reg-surrogate-2","type":"EntityRegistered","data":{"name":"ok","kind":"person"},"source":{"title":"\\udc00"}}]}`;
    await expectRefused(
      batchCase("\\udc00 in an item's source.title", Buffer.from(text), {
        kind: "batch",
        items: [{ statuses: [400] }],
      }),
    );
  });

  it("__proto__ at the top of an append: 400 naming /__proto__", async () => {
    const body = registration();
    put(body, "__proto__", clone(POLLUTION));
    await expectRefused(
      appendCase("__proto__ at top", "fz-reg-proto-1", json(body), bad("/__proto__")),
    );
  });

  it("__proto__ inside data: 400 naming /data/__proto__, nothing written", async () => {
    const body = registration();
    put(body.data as JsonObject, "__proto__", { aliases: ["Injected"], ...POLLUTION });
    await expectRefused(
      appendCase("__proto__ in data", "fz-reg-proto-2", json(body), bad("/data/__proto__")),
    );
  });

  it("__proto__ inside a batch item's data: that item refused, nothing written", async () => {
    const body = registration();
    put(body.data as JsonObject, "__proto__", clone(POLLUTION));
    await expectRefused(
      batchCase("__proto__ in an item's data", json({ items: [item("fz-reg-proto-3", body)] }), {
        kind: "batch",
        items: [{ statuses: [400], pointer: "/data/__proto__" }],
      }),
    );
  });

  it("constructor and prototype inside data: 400", async () => {
    for (const key of ["constructor", "prototype"]) {
      const body = registration();
      put(body.data as JsonObject, key, { prototype: POLLUTION });
      await expectRefused(
        appendCase(`${key} in data`, "fz-reg-proto-4", json(body), bad(`/data/${key}`)),
      );
    }
    expect(prototypePolluted()).toBe(false);
  });

  it("__proto__ as a query parameter: 400 like any unknown parameter", async () => {
    await expectRefused(
      readCase("__proto__ parameter", "/sanctions", A, [["__proto__", "1"]], bad("/__proto__")),
    );
  });

  it("malformed percent-encoding in an entity id: 400, not 500", async () => {
    for (const id of ["%ZZ", "%", "%E0%A4%A", "%C0%AE"]) {
      await expectRefused(
        readCase(`id ${id}`, "/entities/{entityId}", id, [], { kind: "status", statuses: [400] }),
      );
    }
  });

  it("a request-target that is no URL (//[): 4xx, not 500", async () => {
    await expectRefused(
      hostile({
        label: "request-target //[",
        request: { method: "GET", path: "//[" },
        expect: { kind: "status", statuses: [400, 404] },
      }),
    );
  });

  it("an events nextToken at a version beyond 2^53: 400, not 500", async () => {
    for (const p of [2 ** 53, 1e308]) {
      await expectRefused(
        readCase(
          `nextToken {r: events, p: ${p}}`,
          "/entities/{entityId}/events",
          A,
          [["nextToken", forge({ r: "events", p })]],
          bad("/nextToken"),
        ),
      );
    }
  });

  it("a changes nextToken outside the asked window: 200 or 400, not 500", async () => {
    const windows: [string, string, string][] = [
      ["issued for 2022, asked for 2023", tokens.changes ?? "", "from=2023-01-01&to=2023-12-31"],
      ["empty position", forge({ r: "changes", p: "" }), "from=2022-01-01&to=2022-12-31"],
      [
        "position after the window",
        forge({ r: "changes", p: "zzz" }),
        "from=2022-01-01&to=2022-12-31",
      ],
    ];
    for (const [label, token, window] of windows) {
      await expectRefused(
        hostile({
          label: `changes nextToken: ${label}`,
          route: routeOf("GET", "/changes"),
          request: { method: "GET", path: `/changes?${window}&nextToken=${token}` },
          expect: { kind: "status", statuses: [200, 400] },
        }),
      );
    }
  });

  it("a valid registration padded past 256 KiB: 413, nothing written", async () => {
    const text = jsonText(registration());
    await expectRefused(
      appendCase(
        "padded registration",
        "fz-reg-big-1",
        Buffer.from(" ".repeat(MAX_BODY_BYTES + 1 - text.length) + text),
        { kind: "status", statuses: [413] },
      ),
    );
  });

  it("a body over 10 MiB: 413", async () => {
    const text = jsonText(registration());
    await expectRefused(
      appendCase(
        "11 MiB registration",
        "fz-reg-big-2",
        Buffer.from(" ".repeat(11 * 1024 * 1024) + text),
        { kind: "status", statuses: [413] },
      ),
    );
  });

  it("101 valid batch items: 400 for the whole batch, nothing written", async () => {
    await expectRefused(
      batchCase("101 valid items", json({ items: validItems(101, "reg101") }), bad("/items")),
    );
  });
});

describe("strict input: what JSON.parse and URLSearchParams would let through", () => {
  it("a duplicate key anywhere in a body: 400 naming its pointer, nothing written", async () => {
    const reg = '"type":"EntityRegistered"';
    const cases: [string, string, string][] = [
      [
        "type twice",
        `{${reg},"type":"EntityAmended","data":{"name":"x","kind":"person"}}`,
        "/type",
      ],
      [
        "data.name twice",
        `{${reg},"data":{"name":"Good Name","kind":"person","name":"Other Name"}}`,
        "/data/name",
      ],
      [
        "a name escaped the second time",
        `{${reg},"data":{"name":"A","kind":"person","na\\u006de":"B"}}`,
        "/data/name",
      ],
      [
        "an identifier's value twice",
        `{${reg},"data":{"name":"A","kind":"person","identifiers":[{"scheme":"LEI","value":"1"},{"scheme":"IMO","value":"2","value":"3"}]}}`,
        "/data/identifiers/1/value",
      ],
      [
        "a key holding / and ~",
        `{${reg},"data":{"name":"A","kind":"person"},"a/b~":1,"a/b~":2}`,
        "/a~1b~0",
      ],
      [
        "expectedVersion twice",
        `{${reg},"expectedVersion":0,"data":{"name":"A","kind":"person"},"expectedVersion":0}`,
        "/expectedVersion",
      ],
    ];
    for (const [label, text, at] of cases) {
      await expectRefused(appendCase(label, "fz-dup-1", Buffer.from(text), bad(at)));
    }
  });

  it("a duplicate key in a batch: 400 for the whole batch naming the item's member", async () => {
    const text = `{"items":[{"entityId":"fz-dup-2","type":"EntityRegistered","data":{"name":"A","kind":"person"}},{"entityId":"fz-dup-3","type":"EntityRegistered","data":{"name":"A","kind":"person","kind":"other"}}]}`;
    await expectRefused(
      batchCase("duplicate kind in item 1", Buffer.from(text), bad("/items/1/data/kind")),
    );
    await expectRefused(
      batchCase("items twice", Buffer.from('{"items":[],"items":[1]}'), bad("/items")),
    );
  });

  it("a query parameter given twice, even with the same value: 400 naming it", async () => {
    const cases: [string, string][] = [
      ["/sanctions?limit=5&limit=5", "/limit"],
      ["/sanctions?asOf=2022-06-01&asOf=2022-07-01", "/asOf"],
      [`/entities/${A}?knownAt=2022-06-01T00:00:00Z&knownAt=2022-06-01T00:00:00Z`, "/knownAt"],
      ["/changes?from=2022-01-01&to=2022-12-31&to=2022-06-30", "/to"],
      ["/search?q=acme&q=bank", "/q"],
      [`/entities/${A}/events?fromVersion=1&fromVersion=2`, "/fromVersion"],
      ["/openapi.json?x=1&x=2", "/x"],
    ];
    for (const [path, at] of cases) {
      await expectRefused(
        hostile({ label: `GET ${path}`, request: { method: "GET", path }, expect: bad(at) }),
      );
    }
  });

  it("limit and fromVersion in anything but plain decimal digits: 400", async () => {
    for (const value of NOT_DECIMAL) {
      for (const path of [
        `/sanctions?limit=${enc(value)}`,
        `/entities/${A}/events?fromVersion=${enc(value)}`,
      ]) {
        const name = path.includes("limit") ? "/limit" : "/fromVersion";
        await expectRefused(
          hostile({ label: `GET ${path}`, request: { method: "GET", path }, expect: bad(name) }),
        );
      }
    }
  });

  it("names, aliases and identifiers with controls or BiDi overrides: 400 naming the field", async () => {
    const places: [string, Json, string][] = [];
    for (const unsafe of UNSAFE_NAMES) {
      places.push(
        ["registration name", { ...registration(unsafe), expectedVersion: 0 }, "/data/name"],
        [
          "registration alias",
          setAt(registration(), ["data", "aliases"], ["Fine", unsafe]),
          "/data/aliases/1",
        ],
        [
          "identifier value",
          setAt(registration(), ["data", "identifiers"], [{ scheme: "LEI", value: unsafe }]),
          "/data/identifiers/0/value",
        ],
      );
    }
    for (const [label, body, at] of places) {
      await expectRefused(appendCase(label, "fz-unsafe-1", json(body), bad(at)));
    }
    for (const [data, at] of [
      [{ name: "Acme\u202eBank" }, "/data/name"],
      [{ aliases: { add: ["Acme\u0000"] } }, "/data/aliases/add/0"],
      [{ aliases: { remove: ["\u2066Acme"] } }, "/data/aliases/remove/0"],
      [{ identifiers: [{ scheme: "IMO", value: "90\u001b[2K" }] }, "/data/identifiers/0/value"],
    ] as [JsonObject, string][]) {
      await expectRefused(
        appendCase("amendment", B, json({ type: "EntityAmended", data }), bad(at)),
      );
    }
  });

  it("source.url other than http or https: 400 naming /source/url", async () => {
    for (const url of [
      "javascript:alert(1)",
      "data:text/html,x",
      "ftp://example.org",
      "file:///etc/passwd",
    ]) {
      await expectRefused(
        appendCase(
          url,
          B,
          json({ ...BASES.EntityAmended, eventId: "fz-url-1", source: { title: "t", url } }),
          bad("/source/url"),
        ),
      );
    }
  });

  it("accepts any RFC 3339 knownAt and answers it in UTC with milliseconds", async () => {
    for (const [value, utc] of VALID_TIMESTAMPS) {
      const answer = await send(api.url, {
        method: "GET",
        path: `/entities/${A}/timeline?knownAt=${enc(value)}`,
      });
      // Before the entity was registered the answer is 404; after it, the echoed knownAt.
      const body = JSON.parse(answer.bytes.toString()) as { knownAt?: string };
      expect([200, 404], value).toContain(answer.status);
      if (answer.status === 200) expect(body.knownAt, value).toBe(utc);
    }
    const now = await send(api.url, {
      method: "GET",
      path: `/sanctions?asOf=2022-06-01&knownAt=${enc("9999-12-31T23:59:59+00:00")}`,
    });
    expect(now.status).toBe(200);
    expect((JSON.parse(now.bytes.toString()) as { knownAt: string }).knownAt).toBe(
      "9999-12-31T23:59:59.000Z",
    );
  });

  it("accepts dates in every year from 0001 to 9999", async () => {
    for (const asOf of ["0001-01-01", "0050-02-28", "0099-12-31", "9999-12-31"]) {
      const answer = await send(api.url, { method: "GET", path: `/entities/${A}?asOf=${asOf}` });
      expect(answer.status, asOf).toBe(200);
    }
    const imposed = await post(`/entities/${B}/events`, {
      type: "SanctionImposed",
      eventId: "fz-early-year",
      data: {
        sanctionId: "fz-early",
        authority: "UN",
        measures: ["other"],
        announcedOn: "0050-01-01",
        effectiveFrom: "0099-12-31",
        effectiveUntil: "0100-01-01",
      },
    });
    expect(imposed.status, imposed.bytes.toString()).toBe(201);
    const timeline = await send(api.url, { method: "GET", path: `/entities/${B}/timeline` });
    expect(timeline.bytes.toString()).toContain('"from":"0099-12-31","until":"0100-01-01"');
  });
});
