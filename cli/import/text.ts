import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { isIsoDate } from "../../functions/domain/dates.js";
import type { IsoDate } from "../../functions/domain/events.js";

/** Shared helpers of the list parsers: decoding, CSV rows, text clamping, keys and dates. */

/** The API's limits on the fields an entry turns into (functions/api/schemas.ts). */
export const LIMITS = {
  name: 512,
  aliases: 1000,
  alias: 512,
  identifiers: 100,
  scheme: 64,
  identifierValue: 256,
  program: 64,
  note: 4000,
  /**
   * A sanction key: `<list>-<key>` must stay within the 128 characters of a sanction id,
   * with room for the importer's `:<YYYY-MM-DD>` re-listing suffix (11) after the longest
   * list name (`ofac-cons-`, 10).
   */
  key: 100,
} as const;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Windows-1252's characters at 0x80–0x9F, where it differs from Latin-1 (Node's
 * TextDecoder decodes "windows-1252" as Latin-1). 0x81, 0x8D, 0x8F, 0x90 and 0x9D are
 * unassigned and stay as they are.
 */
const CP1252_HIGH =
  "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
  "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("latin1")
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** The text of a file, and how it was decoded. */
export interface DecodedText {
  text: string;
  encoding: "utf-8" | "windows-1252";
}

/**
 * Decodes one file: UTF-8 where the bytes are valid UTF-8, else Windows-1252 (a superset
 * of Latin-1, which OFAC's older files use). Drops a byte order mark and the DOS
 * end-of-file marker (Ctrl-Z, 0x1A) that OFAC's files end with.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  let text: string;
  let encoding: DecodedText["encoding"] = "utf-8";
  try {
    text = utf8.decode(bytes);
  } catch {
    text = decodeWindows1252(bytes);
    encoding = "windows-1252";
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text: text.replaceAll("\u001a", ""), encoding };
}

export async function readText(path: string): Promise<DecodedText> {
  return decodeText(await readFile(path));
}

/** One CSV record and the line of the file it starts on. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/** A line the CSV reader could not make a record of. */
export interface CsvProblem {
  line: number;
  text: string;
  reason: string;
}

const FAST_OPTIONS = {
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
} as const;

const CSV_OPTIONS = { ...FAST_OPTIONS, raw: true, info: true } as const;

interface RawRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

/** A record start in OFAC's files: a number and a comma. */
const RECORD_START = /^\s*\d+\s*,/;

/**
 * Reads CSV text without a header row, leniently: ragged rows are kept as they are,
 * stray quotes inside fields are kept, blank lines and rows of blank fields are skipped.
 * A record that spans lines although a later line starts a record of its own (an
 * unbalanced quote swallowed the next rows) is read again line by line; a line that
 * still cannot be read is reported as a problem, never thrown.
 */
export function readCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
  const lines = text.split(/\r?\n/);
  const filled: number[] = [];
  lines.forEach((line, i) => {
    if (line !== "") filled.push(i + 1);
  });
  // The usual case: one record a line, nothing dropped. Fast, without the parser's
  // per-record information.
  let failed = false;
  const records = parse(text, {
    ...FAST_OPTIONS,
    on_skip: () => {
      failed = true;
    },
  }) as string[][];
  if (
    !failed &&
    records.length === filled.length &&
    records.every((r) => r.every((f) => !f.includes("\n")))
  ) {
    const rows: CsvRow[] = [];
    records.forEach((fields, i) => {
      keep(fields, filled[i] ?? 0, rows);
    });
    return { rows, problems: [] };
  }
  return readCsvCarefully(text, lines);
}

function readCsvCarefully(
  text: string,
  lines: string[],
): { rows: CsvRow[]; problems: CsvProblem[] } {
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  // Lines that a record covers; a line no record covers was dropped by the parser.
  const covered = new Uint8Array(lines.length + 2);
  const records = parse(text, { ...CSV_OPTIONS, on_skip: () => {} }) as unknown as RawRecord[];
  for (const { record, raw, info } of records) {
    const parts = raw.replace(/[\r\n]+$/, "").split(/\r?\n/);
    const first = info.lines - (parts.length - 1);
    covered.fill(1, Math.max(first, 0), Math.min(info.lines + 1, covered.length));
    if (parts.length > 1 && parts.slice(1).some((l) => RECORD_START.test(l))) {
      parts.forEach((l, i) => {
        readLine(l, first + i, rows, problems);
      });
    } else {
      keep(record, first, rows);
    }
  }
  // An unbalanced quote in the last record makes the parser drop the rest of the file.
  lines.forEach((line, i) => {
    if (covered[i + 1] === 0 && line.trim() !== "") readLine(line, i + 1, rows, problems);
  });
  rows.sort((a, b) => a.line - b.line);
  return { rows, problems };
}

function keep(fields: string[], line: number, rows: CsvRow[]): void {
  if (fields.every((f) => f.trim() === "")) return;
  rows.push({ line, fields });
}

function readLine(line: string, no: number, rows: CsvRow[], problems: CsvProblem[]): void {
  if (line.trim() === "") return;
  let failed: string | undefined;
  const records = parse(line, {
    ...CSV_OPTIONS,
    on_skip: (err: (Error & { code?: string }) | undefined) => {
      failed =
        err?.code === "CSV_QUOTE_NOT_CLOSED"
          ? "a quoted field is not closed"
          : (err?.message ?? "unreadable");
    },
  }) as unknown as RawRecord[];
  const record = records[0];
  if (failed !== undefined || !record || records.length !== 1) {
    problems.push({ line: no, text: line, reason: failed ?? "unreadable CSV line" });
    return;
  }
  keep(record.record, no, rows);
}

/** OFAC's null: `-0-`, with or without a trailing space; an empty field is null too. */
export function field(fields: readonly string[], index: number): string | undefined {
  const value = fields[index]?.trim();
  if (value === undefined || value === "" || value === "-0-") return undefined;
  return value;
}

/** Collapses runs of white space (including line breaks) to one space and trims. */
export function normalizeSpace(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/** Cuts `value` to at most `max` UTF-16 units without splitting a surrogate pair. */
export function clamp(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

/** A name as the API takes it: single-spaced, at most 512 characters; undefined if blank. */
export function cleanName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const name = clamp(normalizeSpace(value), LIMITS.name);
  return name === "" ? undefined : name;
}

/**
 * The aliases of an entry as the API takes them: cleaned, distinct (ignoring case, the
 * first spelling wins), without the name itself, at most 1,000.
 */
export function distinctAliases(name: string, candidates: Iterable<string | undefined>): string[] {
  const seen = new Set<string>([name.toLocaleLowerCase("en")]);
  const aliases: string[] = [];
  for (const candidate of candidates) {
    const alias = clamp(normalizeSpace(candidate ?? ""), LIMITS.alias);
    if (alias === "") continue;
    const folded = alias.toLocaleLowerCase("en");
    if (seen.has(folded)) continue;
    seen.add(folded);
    aliases.push(alias);
    if (aliases.length === LIMITS.aliases) break;
  }
  return aliases;
}

/**
 * A sanction key: lower case, characters outside `[a-z0-9.-]` replaced by `-`, runs of
 * `-` collapsed, no `-` at either end, at most 100 characters.
 */
export function sanctionKey(value: string): string {
  const key = value
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return clamp(key, LIMITS.key).replace(/[-.]+$/g, "");
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/**
 * A calendar date from the forms the lists write: `24 Feb 2022` (OFAC), `2022-02-24`,
 * and a date with a time or a zone after it (`2022-02-24T00:00:00`, `2007-03-21-04:00`,
 * UN). Undefined when it is none of these or not a real date.
 */
export function parseDate(value: string | undefined): IsoDate | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const iso = /^(\d{4}-\d{2}-\d{2})(?:$|[T\s]|[+-]\d|Z)/.exec(text);
  if (iso?.[1]) return isIsoDate(iso[1]) ? iso[1] : undefined;
  const dmy = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})\b/.exec(text);
  if (dmy?.[1] && dmy[2] && dmy[3]) {
    const month = MONTHS[dmy[2].toLowerCase()];
    if (month === undefined) return undefined;
    const date = `${dmy[3]}-${String(month).padStart(2, "0")}-${dmy[1].padStart(2, "0")}`;
    return isIsoDate(date) ? date : undefined;
  }
  return undefined;
}
