import http from "node:http";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import { appendBodySchema } from "../../functions/api/answers.js";
import { PRINTABLE_TEXT } from "../../functions/api/schemas.js";
import type { EventType } from "../../functions/domain/events.js";
import type { Engine } from "../../local/engine.js";

/**
 * Tools for the hostile-input fuzz test: a raw HTTP client that sends exact bytes, JSON
 * text with tokens JSON.stringify cannot write (`1e309`, own `__proto__` keys), invalid
 * values derived from the API's own schemas, the checks every answer must pass, and a
 * canonical snapshot of both tables.
 */

// ---- raw HTTP ----------------------------------------------------------------------------

/** One request, byte for byte: `path` is the request-target exactly as sent. */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Send the body with `transfer-encoding: chunked`, in two chunks, without a length. */
  chunked?: boolean;
}

export interface RawAnswer {
  status: number;
  contentType: string | undefined;
  bytes: Buffer;
}

export function send(base: string, request: RawRequest): Promise<RawAnswer> {
  const url = new URL(base);
  const headers: Record<string, string> = { ...request.headers };
  const body = request.body;
  if (body && request.chunked) headers["transfer-encoding"] = "chunked";
  else if (body) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers,
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            bytes: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer to ${request.method} in 30 s`)));
    req.on("error", reject);
    if (body && request.chunked) {
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
    } else {
      req.end(body);
    }
  });
}

// ---- JSON text with raw tokens -------------------------------------------------------------

/** JSON text written verbatim where a value goes: `1e309`, `-0`, deep nesting, … */
export class Raw {
  constructor(readonly text: string) {}
}

export type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Path = readonly (string | number)[];

/** Sets an own, enumerable property, so that `__proto__` is a key and not the prototype. */
export function put(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function isObject(value: Json | undefined): value is JsonObject {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Raw)
  );
}

export function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) put(out, key, clone(item));
  return out;
}

/** The JSON text of a value; own `__proto__` keys and Raw tokens written as they are. */
export function jsonText(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(",")}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export function getAt(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === "number") node = node[key];
    else if (isObject(node) && typeof key === "string" && Object.hasOwn(node, key)) {
      node = node[key];
    } else return undefined;
  }
  return node;
}

/** A copy of `root` with `value` at `path` (containers created as needed). */
export function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string | number, ...(string | number)[]];
  if (typeof key === "number") {
    const array = Array.isArray(root) ? root.map(clone) : [];
    array[key] = setAt(array[key] ?? null, rest, value);
    return array;
  }
  const out = isObject(root) ? (clone(root) as JsonObject) : {};
  put(out, key, setAt(Object.hasOwn(out, key) ? (out[key] ?? null) : null, rest, value));
  return out;
}

/** A copy of `root` without the key at `path`. */
export function deleteAt(root: Json, path: Path): Json {
  const parent = path.slice(0, -1);
  const key = path[path.length - 1];
  const container = getAt(root, parent);
  if (!isObject(container) || typeof key !== "string") return clone(root);
  const copy: JsonObject = {};
  for (const [k, v] of Object.entries(container)) if (k !== key) put(copy, k, clone(v));
  return setAt(root, parent, copy);
}

/** RFC 6901 pointer of a path, as the API names fields in `errors[].path`. */
export function pointerOf(path: Path): string {
  return path.map((k) => `/${String(k).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

export const deepArrays = (depth: number) => new Raw(`${"[".repeat(depth)}${"]".repeat(depth)}`);
export const deepObjects = (depth: number) =>
  new Raw(`${'{"a":'.repeat(depth)}0${"}".repeat(depth)}`);
export const hugeArray = (length: number, element: string) =>
  new Raw(`[${Array.from({ length }, () => element).join(",")}]`);

/** Whether parsed JSON text is a valid append body by the published schema. */
export function isValidAppend(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return v.safeParse(appendBodySchema, parsed).success;
}

// ---- the ledger's fixtures -----------------------------------------------------------------

/** Target of the domain-rule cases: nothing else is ever sent to it after seeding. */
export const A = "fz-acme-bank";

/** Target of the broken bodies: each of them would be a valid append to B if unbroken. */
export const B = "fz-acme-trading";

/** Entities nobody writes: reads of them are 404. */
export const ghost = (n: number) => `fz-ghost-${n}`;

/** Entities the broken registrations would create if they were accepted. */
export const fresh = (n: number) => `fz-new-${n}`;

export const SEED: readonly [string, JsonObject][] = [
  [
    A,
    {
      type: "EntityRegistered",
      eventId: "fz-reg-a",
      data: { name: "Acme Bank", kind: "organization", aliases: ["Acme Bank PJSC"], country: "RU" },
    },
  ],
  [
    A,
    {
      type: "SanctionImposed",
      eventId: "fz-imp-a",
      data: {
        sanctionId: "fz-freeze",
        authority: "JP",
        program: "JP-RUSSIA-2022",
        measures: ["asset-freeze"],
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
      },
    },
  ],
  [
    B,
    {
      type: "EntityRegistered",
      eventId: "fz-reg-b",
      data: {
        name: "Acme Trading",
        kind: "organization",
        aliases: ["Acme Trading Co"],
        country: "CY",
      },
    },
  ],
  [
    B,
    {
      type: "SanctionImposed",
      eventId: "fz-imp-b",
      data: {
        sanctionId: "fz-export",
        authority: "US-OFAC",
        program: "RUSSIA-EO14024",
        measures: ["export-ban"],
        announcedOn: "2022-02-20",
        effectiveFrom: "2022-03-01",
      },
    },
  ],
];

export const SOURCE: JsonObject = {
  title: "Official Journal L 63",
  url: "https://example.org/oj/l63",
  publishedOn: "2022-03-02",
};

export const SCOPE: JsonObject = {
  goods: ["luxury goods"],
  hsCodes: ["7113", "7113.19"],
  note: "annex",
};

/**
 * A valid body of each type with every optional field present, so that each field can be
 * broken on its own. The registration is valid on a fresh entity, the others on B.
 */
export const BASES: Record<EventType, JsonObject> = {
  EntityRegistered: {
    type: "EntityRegistered",
    data: {
      name: "Fuzz Holding",
      kind: "organization",
      aliases: ["Fuzz Holding LLC"],
      country: "RU",
      identifiers: [{ scheme: "LEI", value: "5493001KJTIIGC8Y1R12" }],
    },
    eventId: "fz-base-registered",
    expectedVersion: 0,
    source: SOURCE,
  },
  EntityAmended: {
    type: "EntityAmended",
    data: {
      name: "Acme Trading LLC",
      kind: "organization",
      aliases: { add: ["Acme T"], remove: ["Acme Trading Co"] },
      country: "DE",
      identifiers: [{ scheme: "IMO", value: "9074729" }],
    },
    eventId: "fz-base-amended",
    source: SOURCE,
  },
  SanctionImposed: {
    type: "SanctionImposed",
    data: {
      sanctionId: "fz-base-imposed",
      authority: "EU",
      program: "EU-833",
      measures: ["export-ban", "import-ban"],
      scope: SCOPE,
      announcedOn: "2022-03-01",
      effectiveFrom: "2022-03-15",
      effectiveUntil: "2023-03-15",
      legalBasis: "Regulation (EU) No 833/2014",
      undetermined: { since: "2022-01-01", reason: "listed on or before 2022-03-15" },
    },
    eventId: "fz-base-imposed",
    source: SOURCE,
  },
  SanctionAmended: {
    type: "SanctionAmended",
    data: {
      sanctionId: "fz-export",
      effectiveFrom: "2022-06-01",
      measures: ["export-ban", "travel-ban"],
      scope: SCOPE,
      effectiveUntil: "2024-01-01",
      legalBasis: "EO 14024",
    },
    eventId: "fz-base-sanction-amended",
    source: SOURCE,
  },
  SanctionLifted: {
    type: "SanctionLifted",
    data: { sanctionId: "fz-export", effectiveFrom: "2025-01-01", reason: "delisted" },
    eventId: "fz-base-lifted",
    source: SOURCE,
  },
  EventRetracted: {
    type: "EventRetracted",
    data: { version: 2, reason: "entered in error" },
    eventId: "fz-base-retracted",
    source: SOURCE,
  },
  PublicationImported: {
    type: "PublicationImported",
    data: { list: "fz-list", publishedOn: "2022-03-02", title: "Fuzz list", entries: 3 },
    eventId: "fz-base-publication",
    source: SOURCE,
  },
};

/** Text that is not JSON, or JSON that is no append body at all. */
export const GARBAGE: readonly string[] = [
  "",
  " ",
  "\n\t",
  "null",
  "[]",
  "{}",
  "true",
  "0",
  "-0",
  "1e309",
  "NaN",
  "Infinity",
  "-Infinity",
  "undefined",
  '"EntityRegistered"',
  "{",
  "}",
  "{{}}",
  '{"type":',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person"}',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person"}}}',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person"}},',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person"}}{"a":1}',
  "{'type':'EntityRegistered','data':{'name':'x','kind':'person'}}",
  '{type:"EntityRegistered",data:{name:"x",kind:"person"}}',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person",}}',
  '{"type":"EntityRegistered","data":{"name":"x\u0001","kind":"person"}}',
  '{"type":"EntityRegistered","data":{"name":"\\ud800","kind":"person"},"expectedVersion":NaN}',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person"},"expectedVersion":01}',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person"},"expectedVersion":+1}',
  '{"type":"EntityRegistered","data":{"name":"x","kind":"person"},"expectedVersion":0x1}',
  '[{"type":"EntityRegistered","data":{"name":"x","kind":"person"}}]',
  '{"type":"EntityRegistered","data":"{\\"name\\":\\"x\\",\\"kind\\":\\"person\\"}"}',
  '{"type":"EntityRegistered","data":null}',
  '{"type":null,"data":{"name":"x","kind":"person"}}',
  '{"__proto__":{"type":"EntityRegistered"},"data":{"name":"x","kind":"person"}}',
  '{"constructor":{"prototype":{"fuzzPolluted":true}},"type":"EntityRegistered","data":{"name":"x","kind":"person"}}',
  "\u0000",
  "\uFEFF",
  "<xml/>",
  "type=EntityRegistered&data=x",
  "--fuzz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--fuzz--",
];

/**
 * Lone surrogate escapes: JSON syntax admits `"\ud800"`, but it is no Unicode text (I-JSON,
 * RFC 7493 §2.1, forbids it), so a valid body with one in a string is a bad request.
 */
export const LONE_SURROGATES = [
  "\\ud800",
  "\\udbff",
  "\\udc00",
  "\\udfff",
  "\\ud83d",
  "\\ude00\\ud83d",
];

/** Well-formed appends that a rule refuses: each must write nothing. All on A or a ghost. */
export const DOMAIN_CASES: readonly {
  label: string;
  entityId: string;
  body: JsonObject;
  status: number;
  pointer?: string;
}[] = [
  {
    label: "sanction on an unknown entity",
    entityId: ghost(1),
    body: BASES.SanctionImposed,
    status: 404,
  },
  {
    label: "amendment of an unknown entity",
    entityId: ghost(2),
    body: { type: "EntityAmended", data: { name: "Ghost" } },
    status: 404,
  },
  {
    label: "retraction on an unknown entity",
    entityId: ghost(3),
    body: { type: "EventRetracted", data: { version: 2, reason: "x" } },
    status: 404,
  },
  {
    label: "expectedVersion behind the head",
    entityId: A,
    body: { type: "EntityAmended", expectedVersion: 99, data: { name: "Acme" } },
    status: 409,
    pointer: "/expectedVersion",
  },
  {
    label: "expectedVersion 1 on a longer stream",
    entityId: A,
    body: { type: "EntityAmended", expectedVersion: 1, data: { name: "Acme" } },
    status: 409,
    pointer: "/expectedVersion",
  },
  {
    label: "second registration",
    entityId: A,
    body: { type: "EntityRegistered", data: { name: "Acme", kind: "person" } },
    status: 422,
    pointer: "/type",
  },
  {
    label: "second registration with expectedVersion 0",
    entityId: A,
    body: { type: "EntityRegistered", expectedVersion: 0, data: { name: "Acme", kind: "person" } },
    status: 409,
    pointer: "/expectedVersion",
  },
  {
    label: "a sanction imposed twice",
    entityId: A,
    body: {
      type: "SanctionImposed",
      data: {
        sanctionId: "fz-freeze",
        authority: "JP",
        measures: ["asset-freeze"],
        announcedOn: "2022-03-03",
        effectiveFrom: "2022-04-02",
      },
    },
    status: 422,
    pointer: "/data/sanctionId",
  },
  {
    label: "announced after it takes effect",
    entityId: A,
    body: {
      type: "SanctionImposed",
      data: {
        sanctionId: "fz-late",
        authority: "JP",
        measures: ["asset-freeze"],
        announcedOn: "2022-05-01",
        effectiveFrom: "2022-04-01",
      },
    },
    status: 422,
    pointer: "/data/announcedOn",
  },
  {
    label: "ends the day it starts",
    entityId: A,
    body: {
      type: "SanctionImposed",
      data: {
        sanctionId: "fz-empty",
        authority: "JP",
        measures: ["asset-freeze"],
        announcedOn: "2022-03-01",
        effectiveFrom: "2022-04-01",
        effectiveUntil: "2022-04-01",
      },
    },
    status: 422,
    pointer: "/data/effectiveUntil",
  },
  {
    label: "amendment of an unknown sanction",
    entityId: A,
    body: {
      type: "SanctionAmended",
      data: { sanctionId: "fz-none", effectiveFrom: "2022-05-01", legalBasis: "x" },
    },
    status: 422,
    pointer: "/data/sanctionId",
  },
  {
    label: "amendment before the sanction",
    entityId: A,
    body: {
      type: "SanctionAmended",
      data: { sanctionId: "fz-freeze", effectiveFrom: "2022-01-01", legalBasis: "x" },
    },
    status: 422,
    pointer: "/data/effectiveFrom",
  },
  {
    label: "lifting of an unknown sanction",
    entityId: A,
    body: { type: "SanctionLifted", data: { sanctionId: "fz-none", effectiveFrom: "2023-01-01" } },
    status: 422,
    pointer: "/data/sanctionId",
  },
  {
    label: "lifting before the announcement",
    entityId: A,
    body: {
      type: "SanctionLifted",
      data: { sanctionId: "fz-freeze", effectiveFrom: "2022-01-01" },
    },
    status: 422,
    pointer: "/data/effectiveFrom",
  },
  {
    label: "retraction of the registration",
    entityId: A,
    body: { type: "EventRetracted", data: { version: 1, reason: "x" } },
    status: 422,
    pointer: "/data/version",
  },
  {
    label: "retraction of a version not in the stream",
    entityId: A,
    body: { type: "EventRetracted", data: { version: 999, reason: "x" } },
    status: 422,
    pointer: "/data/version",
  },
  {
    label: "removal of an alias the entity lacks",
    entityId: A,
    body: { type: "EntityAmended", data: { aliases: { remove: ["Not An Alias"] } } },
    status: 422,
    pointer: "/data/aliases/remove",
  },
  {
    label: "eventId of the registration with other content",
    entityId: A,
    body: { type: "EntityAmended", eventId: "fz-reg-a", data: { name: "Other" } },
    status: 409,
    pointer: "/eventId",
  },
  {
    label: "eventId of the sanction with other content",
    entityId: A,
    body: {
      type: "SanctionLifted",
      eventId: "fz-imp-a",
      data: { sanctionId: "fz-freeze", effectiveFrom: "2023-01-01" },
    },
    status: 409,
    pointer: "/eventId",
  },
];

/** Headers that must change nothing about how a bad request is refused. */
export const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=fuzz",
  "application/json; charset=utf-16",
  "application/json; charset=iso-8859-1",
  "application/problem+json",
  "*/*",
  "garbage",
  "",
  "application/json, text/plain",
  "application/json;;;",
];

/** Entity ids the schema refuses, as they appear in a JSON body. */
export const BAD_ID_VALUES: readonly Json[] = [
  "",
  "Acme",
  "ACME-BANK",
  "acme bank",
  "-acme",
  ".acme",
  "_acme",
  "..",
  "../../etc/passwd",
  "acme/bank",
  "acme%2Fbank",
  "acmé",
  "акме",
  "acme\u0000",
  "a".repeat(129),
  "😀",
  42,
  null,
  true,
  ["acme"],
  { id: "acme" },
];

/** Entity ids in a path, as sent: encoded, or raw percent garbage. */
export const BAD_PATH_IDS: readonly string[] = [
  "ACME",
  "Acme-Bank",
  encodeURIComponent("acme bank"),
  "a".repeat(129),
  "a".repeat(1000),
  "..",
  ".",
  "%2E%2E",
  "%2e",
  "a%2Fb",
  "%2F",
  "%2F%2F",
  "..%2F..%2Fetc%2Fpasswd",
  "-acme",
  ".acme",
  "_acme",
  encodeURIComponent("acmé"),
  encodeURIComponent("акме"),
  encodeURIComponent("😀"),
  "a%00b",
  "%00",
  "%",
  "%ZZ",
  "%E0%A4%A",
  "%C0%AE",
  "%FF",
  "a+b",
  "a%20b",
  "a%3Fb",
  "a%23b",
  "a;b",
  "a,b",
  "a@b",
  "a~b",
  "a%0Ab",
  "%7B%7D",
  "%3Cscript%3E",
];

// ---- invalid values ----------------------------------------------------------------------

/** Not calendar dates in `YYYY-MM-DD`: impossible days, other notations, other types. */
export const INVALID_DATES: readonly Json[] = [
  "2022-02-30",
  "2022-13-01",
  "2021-02-29",
  "2022-00-10",
  "2022-04-31",
  "2022-04-00",
  "yesterday",
  "today",
  "",
  "2022-4-2",
  "22-04-02",
  "2022/04/02",
  "02.04.2022",
  "2022-04-02T00:00:00Z",
  "0000-01-01",
  "10000-01-01",
  "0099-02-29",
  "+2022-04-02",
  "-2022-04-02",
  " 2022-04-02",
  "2022-04-02 ",
  "２０２２-０４-０２",
  "2022-04-02\u0000",
  20220402,
  1648857600000,
  true,
  [],
  {},
];

/** Not RFC 3339 timestamps, or moments outside the years 0001 to 9999. */
export const INVALID_TIMESTAMPS: readonly string[] = [
  "2022-03-26",
  "2022-03-26T09:15:02",
  "2022-03-26T25:00:00Z",
  "2022-03-26T24:00:00Z",
  "2022-03-26T24:00:00.000Z",
  "2022-03-26T09:61:00Z",
  "2022-03-26T09:15:61Z",
  "2022-02-30T00:00:00Z",
  "2022-03-26 09:15:02Z",
  "2022-03-26T09:15:02.Z",
  "2022-03-26T09:15:02+02",
  "2022-03-26T09:15:02+0200",
  "2022-03-26T09:15:02+24:00",
  "2022-03-26T09:15:02+02:60",
  "2022-03-26T09:15:02 Z",
  "2022-03-26T9:15:02Z",
  "+2022-03-26T09:15:02Z",
  "yesterday",
  "now",
  "1648286102123",
  "",
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+00:01",
  "9999-12-31T23:59:59-00:01",
  "2022-03-26T09:15:02.123ZZ",
];

/** RFC 3339 timestamps that `knownAt` accepts, each with the UTC moment it names. */
export const VALID_TIMESTAMPS: readonly [string, string][] = [
  ["2022-03-26T09:15:02.123Z", "2022-03-26T09:15:02.123Z"],
  ["2022-03-26T09:15:02Z", "2022-03-26T09:15:02.000Z"],
  ["2022-03-26t09:15:02z", "2022-03-26T09:15:02.000Z"],
  ["2022-03-26T11:15:02+02:00", "2022-03-26T09:15:02.000Z"],
  ["2022-03-26T03:45:02.5-05:30", "2022-03-26T09:15:02.500Z"],
  ["2022-03-26T09:15:02.123456789Z", "2022-03-26T09:15:02.123Z"],
  ["2022-03-26T09:15:02.1239+00:00", "2022-03-26T09:15:02.123Z"],
  ["2022-03-27T00:15:02+15:00", "2022-03-26T09:15:02.000Z"],
  ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"],
  ["0050-06-01T12:00:00-01:00", "0050-06-01T13:00:00.000Z"],
  ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
];

/** Names holding a control character or a BiDi override or isolate. */
export const UNSAFE_NAMES: readonly string[] = [
  "Acme\u0000Bank",
  "Acme\tBank",
  "Acme Bank\n",
  "Acme\rBank",
  "\u001b[2KAcme Bank",
  "Acme\u007fBank",
  "Acme\u0085Bank",
  "Acme\u009b2KBank",
  "Acme\u202eknaB",
  "\u202aAcme",
  "\u202dAcme",
  "Acme\u2066Bank\u2069",
  "\u2067Acme",
  "\u2068Acme",
];

/** Query counts (`limit`, `fromVersion`) that are no plain decimal integer. */
export const NOT_DECIMAL: readonly string[] = [
  "0x10",
  "1e2",
  "+5",
  " 5",
  "5 ",
  "05",
  "1_000",
  "5.",
  "5.0",
  "٥",
  "５",
  "0b101",
  "0o7",
];

/** Invalid UTF-8 byte sequences: lone/overlong/surrogate/out-of-range/truncated. */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xbf, 0x80],
  [0xc3],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];

/** Keys no schema knows, prototype pollution among them. */
export const UNKNOWN_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "",
  "unknownField",
  "a/b~c",
  "Name",
  " type",
];

/** The value sent under an unknown key: a pollution payload where the key is `__proto__`. */
export const POLLUTION: JsonObject = { fuzzPolluted: true, isAdmin: true };

/** True if something has been written onto Object.prototype. */
export function prototypePolluted(): boolean {
  const probe: Record<string, unknown> = {};
  return (
    "fuzzPolluted" in probe ||
    "isAdmin" in probe ||
    Object.getOwnPropertyNames(Object.prototype).some((k) => k === "fuzzPolluted")
  );
}

// ---- invalid values derived from the schemas -------------------------------------------------

/** The slice of JSON Schema written for the append body. */
interface Schema {
  type?: string | string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: unknown;
  items?: Schema;
  maxItems?: number;
  minItems?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  description?: string;
}

/** One way to break a valid body: the field it breaks, as the API should name it. */
export interface Mutation {
  label: string;
  path: Path;
  /** The pointer the 400's `errors` must name. */
  pointer: string;
  apply(body: Json): Json;
}

/** The JSON Schema of each event type's append body, from the API's own schema. */
export const BODY_SCHEMAS: Record<EventType, Schema> = (() => {
  const doc = toJsonSchema(appendBodySchema, {
    typeMode: "input",
    ignoreActions: ["check"],
  }) as Schema;
  const out: Partial<Record<EventType, Schema>> = {};
  for (const branch of doc.oneOf ?? []) {
    const type = branch.properties?.type?.const;
    if (typeof type === "string") out[type as EventType] = branch;
  }
  return out as Record<EventType, Schema>;
})();

function kindsOf(node: Schema): Set<string> {
  const kinds = new Set<string>();
  const add = (n: Schema) => {
    if (typeof n.type === "string") kinds.add(n.type);
    else if (Array.isArray(n.type)) for (const t of n.type) kinds.add(t);
    if (n.const !== undefined) kinds.add(typeof n.const);
    for (const alt of n.anyOf ?? []) add(alt);
  };
  add(node);
  return kinds;
}

/** The variant of a node that holds strings, objects, … (a nullable field is an anyOf). */
function variant(node: Schema, kind: string): Schema | undefined {
  if (kindsOf({ ...node, anyOf: [] }).has(kind)) return node;
  return node.anyOf?.find((alt) => kindsOf(alt).has(kind));
}

const WRONG_KINDS: readonly { kind: string; value: Json }[] = [
  { kind: "string", value: "wrong kind" },
  { kind: "integer", value: 42 },
  { kind: "number", value: 4.5 },
  { kind: "boolean", value: true },
  { kind: "null", value: null },
  { kind: "array", value: [] },
  { kind: "array", value: ["x", 1] },
  { kind: "object", value: {} },
  { kind: "object", value: { k: "v" } },
];

function accepts(kinds: Set<string>, kind: string): boolean {
  return kinds.has(kind) || (kind === "integer" && kinds.has("number"));
}

/** Values that break the field described by `node`, each with what it breaks. */
function invalidValues(node: Schema, sample: Json | undefined): { label: string; value: Json }[] {
  const kinds = kindsOf(node);
  const out: { label: string; value: Json }[] = [];
  for (const { kind, value } of WRONG_KINDS) {
    if (!accepts(kinds, kind)) out.push({ label: `wrong type ${jsonText(value)}`, value });
  }
  const str = variant(node, "string");
  if (str) {
    if (str.const !== undefined) {
      out.push({ label: "unknown event type", value: "NotAnEventType" });
      out.push({ label: "event type in lower case", value: String(str.const).toLowerCase() });
    }
    if (str.enum) {
      out.push({ label: "not in enum", value: "not-in-enum" });
      out.push({ label: "enum in upper case", value: String(str.enum[0]).toUpperCase() });
    }
    if (str.pattern) {
      const pattern = new RegExp(str.pattern);
      for (const v of ["", "!bad value!", " padded ", "ｆｕｌｌ", "a".repeat(200), "a\nb"]) {
        if (!pattern.test(v)) out.push({ label: `against pattern ${JSON.stringify(v)}`, value: v });
      }
    }
    if (str.format === "date") {
      for (const v of INVALID_DATES) out.push({ label: `invalid date ${jsonText(v)}`, value: v });
    }
    if (str.format === "uri") {
      for (const v of [
        "not a url",
        "",
        "://missing-scheme",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/oj",
        "file:///etc/passwd",
        "mailto:oj@example.org",
        "vbscript:msgbox(1)",
      ]) {
        out.push({ label: `invalid url ${JSON.stringify(v)}`, value: v });
      }
    }
    if (str.maxLength !== undefined) {
      out.push({ label: `${str.maxLength + 1} characters`, value: "x".repeat(str.maxLength + 1) });
    }
    if (str.description === PRINTABLE_TEXT) {
      for (const v of UNSAFE_NAMES) {
        out.push({ label: `unsafe character in ${JSON.stringify(v)}`, value: v });
      }
    }
    const text = !str.pattern && !str.format && !str.enum && str.const === undefined;
    if (text) {
      for (const v of ["", "   ", "\t\n"])
        out.push({ label: `blank ${JSON.stringify(v)}`, value: v });
    }
  }
  const int = variant(node, "integer");
  if (int) {
    if (int.minimum !== undefined) out.push({ label: "below minimum", value: int.minimum - 1 });
    out.push({ label: "1e309 (Infinity)", value: new Raw("1e309") });
    out.push({ label: "-1e309", value: new Raw("-1e309") });
    out.push({ label: "2^53 + 1", value: new Raw("9007199254740993") });
    out.push({ label: "1e21", value: new Raw("1e21") });
    out.push({ label: "0.1e1 + tiny", value: new Raw("1.0000000001") });
  }
  const arr = variant(node, "array");
  if (arr) {
    const item = (Array.isArray(sample) ? sample[0] : undefined) ?? "x";
    if (arr.maxItems !== undefined) {
      out.push({
        label: `${arr.maxItems + 1} items`,
        value: Array.from({ length: arr.maxItems + 1 }, () => clone(item)),
      });
    }
    if (arr.minItems !== undefined && arr.minItems > 0) out.push({ label: "empty", value: [] });
  }
  return out;
}

/**
 * Every mutation of a valid body of `type` that the schema forbids: a wrong type or a broken
 * constraint at each field (nested fields and array items too), each required field left
 * out, and unknown keys in each object.
 */
export function mutationsOf(type: EventType, base: Json): Mutation[] {
  const out: Mutation[] = [];
  const walk = (node: Schema, path: Path) => {
    if (path.length > 0) {
      for (const { label, value } of invalidValues(node, getAt(base, path))) {
        out.push({
          label: `${pointerOf(path)}: ${label}`,
          path,
          pointer: pointerOf(path),
          apply: (body) => setAt(body, path, value),
        });
      }
    }
    const obj = variant(node, "object");
    if (obj?.properties) {
      for (const key of obj.required ?? []) {
        out.push({
          label: `${pointerOf([...path, key])}: missing`,
          path: [...path, key],
          pointer: pointerOf([...path, key]),
          apply: (body) => deleteAt(body, [...path, key]),
        });
      }
      if (obj.additionalProperties === false) {
        for (const key of UNKNOWN_KEYS) {
          out.push({
            label: `${pointerOf(path) || "/"}: unknown key ${JSON.stringify(key)}`,
            path: [...path, key],
            pointer: pointerOf([...path, key]),
            apply: (body) => {
              const target = getAt(body, path);
              const copy = isObject(target) ? (clone(target) as JsonObject) : {};
              put(copy, key, key === "__proto__" ? clone(POLLUTION) : "x");
              return setAt(body, path, copy);
            },
          });
        }
      }
      for (const [key, child] of Object.entries(obj.properties)) walk(child, [...path, key]);
    }
    const arr = variant(node, "array");
    if (arr?.items) walk(arr.items, [...path, 0]);
  };
  walk(BODY_SCHEMAS[type], []);
  return out;
}

// ---- what every answer must be ---------------------------------------------------------------

/** Lambda's limit on a synchronous answer: a larger one is a 502 on AWS. */
export const MAX_ANSWER_BYTES = 6 * 1024 * 1024;

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase();
}

/** What is wrong with a problem document answered with `status`. */
export function problemViolations(doc: unknown, status: number, where = "problem"): string[] {
  const out: string[] = [];
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return [`${where} is not an object`];
  }
  const p = doc as Record<string, unknown>;
  for (const key of ["type", "title", "detail"] as const) {
    if (typeof p[key] !== "string" || (p[key] as string).length === 0) {
      out.push(`${where}.${key} is not a non-empty string`);
    }
  }
  if (p.status !== status) out.push(`${where}.status is ${String(p.status)}, not ${status}`);
  if (status === 400 || p.errors !== undefined) {
    if (!Array.isArray(p.errors) || p.errors.length === 0) {
      out.push(`${where}.errors is not a non-empty array`);
    } else {
      for (const e of p.errors as unknown[]) {
        const error = e as { path?: unknown; message?: unknown } | null;
        if (
          typeof error !== "object" ||
          error === null ||
          typeof error.path !== "string" ||
          !(error.path === "" || error.path.startsWith("/")) ||
          typeof error.message !== "string" ||
          error.message.length === 0
        ) {
          out.push(`${where}.errors holds ${JSON.stringify(e)}, not {path: pointer, message}`);
          break;
        }
      }
    }
  }
  return out;
}

/** The invariants of any answer: no 5xx, problem+json at and above 400, JSON below. */
export function answerViolations(answer: RawAnswer): { violations: string[]; json: unknown } {
  const out: string[] = [];
  if (answer.status >= 500) out.push(`server error ${answer.status}`);
  if (answer.bytes.length > MAX_ANSWER_BYTES) {
    out.push(`answer of ${answer.bytes.length} bytes exceeds Lambda's 6 MB`);
  }
  const type = mediaType(answer.contentType);
  // The one answer that is not JSON: the checkpoints' public key, a PEM block.
  if (answer.status < 300 && type === "application/x-pem-file") {
    const text = answer.bytes.toString("utf8");
    if (!text.startsWith("-----BEGIN PUBLIC KEY-----\n"))
      out.push("PEM answer is not a public key");
    if (prototypePolluted()) out.push("Object.prototype polluted");
    return { violations: out, json: undefined };
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.bytes.toString("utf8"));
  } catch {
    out.push("answer body is not JSON");
  }
  if (answer.status >= 400) {
    if (type !== "application/problem+json") {
      out.push(`content-type ${String(answer.contentType)}, not application/problem+json`);
    }
    if (json !== undefined) out.push(...problemViolations(json, answer.status));
  } else if (type !== "application/json") {
    out.push(`content-type ${String(answer.contentType)}, not application/json`);
  }
  if (prototypePolluted()) out.push("Object.prototype polluted");
  return { violations: out, json };
}

/** What the answer to a hostile request must be, beyond the invariants of every answer. */
export type Expectation =
  /** One of these statuses; for a 400, `errors` names `pointer` if given. */
  | { kind: "status"; statuses: readonly number[]; pointer?: string }
  /** A well-formed batch envelope of bad items: 200, each item refused with its own problem. */
  | { kind: "batch"; items: readonly { statuses: readonly number[]; pointer?: string }[] }
  /** Anything but a failure of the invariants. */
  | { kind: "any" };

export interface HostileCase {
  label: string;
  request: RawRequest;
  expect: Expectation;
  /** The route of ROUTES the request aims at, if any. */
  route?: string;
}

/** Whether the errors name the field at `pointer`, or a field inside it. */
function names(errors: unknown, pointer: string): boolean {
  if (!Array.isArray(errors)) return false;
  return errors.some((e) => {
    const path = (e as { path?: unknown } | null)?.path;
    return typeof path === "string" && (path === pointer || path.startsWith(`${pointer}/`));
  });
}

/**
 * Whether a request's content type is JSON as the server reads it (UTF-8 only): a POST of
 * anything else is answered 415 before its body is read.
 */
function sendsJson(request: RawRequest): boolean {
  const type = Object.entries(request.headers ?? {}).find(
    ([k]) => k.toLowerCase() === "content-type",
  )?.[1];
  if (type === undefined) return false;
  const [essence, ...parameters] = type.split(";");
  if (essence?.trim().toLowerCase() !== "application/json") return false;
  return parameters.every((parameter) => {
    const [name = "", value = ""] = parameter.split("=").map((x) => x.trim().toLowerCase());
    return name !== "charset" || ["utf-8", "utf8", '"utf-8"', '"utf8"'].includes(value);
  });
}

/** Every way the answer to a hostile case is wrong. */
export function caseViolations(c: HostileCase, answer: RawAnswer): string[] {
  const { violations, json } = answerViolations(answer);
  const doc = json as Record<string, unknown> | undefined;
  // A POST that is not JSON is refused as such (415), whatever its body; where its path
  // matches no route, 404 or 405 come first.
  const e: Expectation =
    c.request.method === "POST" && !sendsJson(c.request)
      ? { kind: "status", statuses: [415, 404, 405] }
      : c.expect;
  if (e.kind === "status") {
    if (!e.statuses.includes(answer.status)) {
      violations.push(`status ${answer.status}, expected ${e.statuses.join(" or ")}`);
    } else if (e.pointer !== undefined && answer.status === 400 && !names(doc?.errors, e.pointer)) {
      violations.push(`errors do not name ${JSON.stringify(e.pointer)}`);
    }
  } else if (e.kind === "batch") {
    if (answer.status !== 200) {
      violations.push(`status ${answer.status}, expected 200 with each item refused`);
    } else {
      const results = doc?.results;
      if (!Array.isArray(results) || results.length !== e.items.length) {
        violations.push(`results is not an array of ${e.items.length}`);
      } else {
        e.items.forEach((item, i) => {
          const result = results[i] as Record<string, unknown> | null;
          const status = result?.status;
          if (typeof status !== "number" || !item.statuses.includes(status)) {
            violations.push(
              `results[${i}].status ${String(status)}, expected ${item.statuses.join(" or ")}`,
            );
            return;
          }
          violations.push(...problemViolations(result, status, `results[${i}]`));
          if (
            item.pointer !== undefined &&
            status === 400 &&
            !names(result?.errors, item.pointer)
          ) {
            violations.push(`results[${i}].errors do not name ${JSON.stringify(item.pointer)}`);
          }
        });
      }
    }
  }
  return violations;
}

function preview(bytes: Buffer | undefined, max = 240): string {
  if (!bytes || bytes.length === 0) return "(none)";
  const text = bytes.subarray(0, max).toString("latin1");
  const more = bytes.length > max ? `… (${bytes.length} bytes)` : "";
  return `${JSON.stringify(text)}${more}`;
}

/** A failure message that names the route, the exact input and the answer. */
export function describeFailure(c: HostileCase, answer: RawAnswer, violations: string[]): string {
  const headers = Object.entries(c.request.headers ?? {})
    .map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}… (${v.length} chars)` : v}`)
    .join("; ");
  return [
    `${c.label}`,
    `  request: ${c.request.method} ${c.request.path.length > 300 ? `${c.request.path.slice(0, 300)}… (${c.request.path.length} chars)` : c.request.path}`,
    `  headers: ${headers || "(none)"}${c.request.chunked ? " [chunked]" : ""}`,
    `  body: ${preview(c.request.body)}`,
    `  answer: ${answer.status} ${String(answer.contentType)} ${preview(answer.bytes, 400)}`,
    `  wrong: ${violations.join("; ")}`,
  ].join("\n");
}

// ---- table snapshots -------------------------------------------------------------------------

function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  if (value instanceof Set) return { $set: [...value].map(canonical).map(String).sort() };
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

async function scanAll(engine: Engine, table: string): Promise<string[]> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await engine.doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of out.Items ?? []) items.push(JSON.stringify(canonical(item)));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort();
}

/** Every item of both tables, each in canonical JSON, sorted. */
export interface Snapshot {
  events: string[];
  views: string[];
}

export async function snapshot(engine: Engine): Promise<Snapshot> {
  return {
    events: await scanAll(engine, engine.tables.events),
    views: await scanAll(engine, engine.tables.views),
  };
}

/** One stored item, briefly: an event by its coordinates and data, a view row by its keys. */
function brief(canonicalItem: string): string {
  const item = JSON.parse(canonicalItem) as Record<string, unknown>;
  if (typeof item.entityId === "string") {
    let data = "";
    try {
      data = JSON.stringify((JSON.parse(String(item.canonical)) as { data?: unknown }).data);
    } catch {
      data = "?";
    }
    return `${item.entityId} v${String(item.version)} ${String(item.type)} eventId=${String(item.eventId)} data=${data.slice(0, 160)}`;
  }
  return `${String(item.pk)} | ${String(item.sk).slice(0, 120)}`;
}

/** The items one snapshot has and the other lacks, per table, each in brief. */
export function snapshotDiff(before: Snapshot, after: Snapshot) {
  const diff = (a: string[], b: string[]) => {
    const inA = new Set(a);
    const inB = new Set(b);
    return {
      gone: a.filter((x) => !inB.has(x)).map(brief),
      added: b.filter((x) => !inA.has(x)).map(brief),
    };
  };
  return { events: diff(before.events, after.events), views: diff(before.views, after.views) };
}
