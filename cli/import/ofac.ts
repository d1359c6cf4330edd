import { access } from "node:fs/promises";
import { join } from "node:path";
import {
  type EntityKind,
  type Identifier,
  type IsoDate,
  MEASURES,
  type Measure,
} from "../../functions/domain/events.js";
import { countryCode } from "./countries.js";
import type { Publication, PublishedEntry, PublishedSanction, RejectedEntry } from "./model.js";
import { directiveOf, measuresOf, type OfacList } from "./programs.js";
import {
  type CsvRow,
  clamp,
  cleanName,
  distinctAliases,
  field,
  LIMITS,
  parseDate,
  readCsv,
  readText,
  sanctionKey,
} from "./text.js";

/**
 * Reads OFAC's legacy CSV set ("SDN.CSV" and friends) of the SDN list or of the
 * consolidated (non-SDN) list.
 *
 * Primary file, no header: `ent_num, name, type, programs, title, call_sign, vessel_type,
 * tonnage, grt, vessel_flag, vessel_owner, remarks`; addresses `ent_num, add_num,
 * address, city_state_postal, country, remarks`; aliases `ent_num, alt_num, alt_type,
 * alt_name, remarks`; comments `ent_num, remarks continuation`. `-0-` is null.
 */

interface FileSet {
  list: OfacList;
  title: string;
  primary: string;
  addresses: string;
  aliases: string;
  comments: string;
}

const SETS: FileSet[] = [
  {
    list: "ofac-sdn",
    title: "OFAC Specially Designated Nationals (SDN) list",
    primary: "sdn.csv",
    addresses: "add.csv",
    aliases: "alt.csv",
    comments: "sdn_comments.csv",
  },
  {
    list: "ofac-cons",
    title: "OFAC Consolidated (non-SDN) list",
    primary: "cons_prim.csv",
    addresses: "cons_add.csv",
    aliases: "cons_alt.csv",
    comments: "cons_comments.csv",
  },
];

/** OFAC cuts remarks at this length and continues them in the comments file. */
const REMARKS_CUT = 1000;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function rowsOf(path: string): Promise<CsvRow[]> {
  return readCsv((await readText(path)).text).rows;
}

/** Groups rows by their first field (ent_num), in file order. */
function byEntry(rows: CsvRow[]): Map<string, CsvRow[]> {
  const grouped = new Map<string, CsvRow[]>();
  for (const row of rows) {
    const id = field(row.fields, 0);
    if (id === undefined || !/^\d+$/.test(id)) continue;
    const list = grouped.get(id);
    if (list) list.push(row);
    else grouped.set(id, [row]);
  }
  return grouped;
}

/**
 * Reads the OFAC legacy CSV set in `dir`: the SDN list (`sdn.csv`, `add.csv`, `alt.csv`,
 * optional `sdn_comments.csv`) or the consolidated list (`cons_prim.csv`, `cons_add.csv`,
 * `cons_alt.csv`, optional `cons_comments.csv`). Each file is decoded on its own (UTF-8,
 * else Windows-1252). Rows the importer cannot make an entry of are in `rejected`.
 */
export async function parseOfacCsv(dir: string): Promise<Publication> {
  const present: FileSet[] = [];
  for (const set of SETS) if (await exists(join(dir, set.primary))) present.push(set);
  const set = present[0];
  if (!set || present.length > 1) {
    throw new Error(
      present.length > 1
        ? `${dir} holds both sdn.csv and cons_prim.csv: import one list at a time`
        : `${dir} holds neither sdn.csv nor cons_prim.csv`,
    );
  }
  for (const name of [set.addresses, set.aliases]) {
    if (!(await exists(join(dir, name)))) throw new Error(`${join(dir, name)} is missing`);
  }
  const commentsPath = join(dir, set.comments);
  const [primary, addressRows, aliasRows, commentRows] = await Promise.all([
    readText(join(dir, set.primary)).then((t) => readCsv(t.text)),
    rowsOf(join(dir, set.addresses)),
    rowsOf(join(dir, set.aliases)),
    exists(commentsPath).then((has) => (has ? rowsOf(commentsPath) : [])),
  ]);
  const addresses = byEntry(addressRows);
  const aliases = byEntry(aliasRows);
  const comments = byEntry(commentRows);

  const entries: PublishedEntry[] = [];
  const rejected: RejectedEntry[] = [];
  const seen = new Set<string>();
  for (const problem of primary.problems) {
    rejected.push({
      ref: leadingNumber(problem.text) ?? `line ${problem.line}`,
      reason: `${set.primary} line ${problem.line}: ${problem.reason}`,
    });
  }
  for (const row of primary.rows) {
    const result = entryOf(row, set, {
      addresses,
      aliases,
      comments,
    });
    if ("reason" in result) {
      rejected.push(result);
      continue;
    }
    if (seen.has(result.ref)) {
      rejected.push({
        ref: result.ref,
        reason: `${set.primary} line ${row.line}: ent_num ${result.ref} repeats an earlier row`,
      });
      continue;
    }
    seen.add(result.ref);
    entries.push(result);
  }
  return { list: set.list, title: set.title, entries, rejected };
}

function leadingNumber(text: string): string | undefined {
  return /^\s*"?(\d+)"?\s*,/.exec(text)?.[1];
}

interface Related {
  addresses: Map<string, CsvRow[]>;
  aliases: Map<string, CsvRow[]>;
  comments: Map<string, CsvRow[]>;
}

function kindOf(type: string | undefined): EntityKind {
  switch (type?.toLowerCase()) {
    case undefined:
    case "entity":
      return "organization";
    case "individual":
      return "person";
    case "vessel":
      return "vessel";
    case "aircraft":
      return "aircraft";
    default:
      return "other";
  }
}

/** `"A] [B"` → `["A", "B"]`, without stray brackets, blanks and repeats. */
export function programsOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  const programs: string[] = [];
  for (const part of value.split(/\]\s*\[/)) {
    const program = part.replace(/^[\s[\]]+|[\s[\]]+$/g, "").replace(/\s+/g, " ");
    if (program !== "" && program !== "-0-" && !programs.includes(program)) programs.push(program);
  }
  return programs;
}

function entryOf(row: CsvRow, set: FileSet, related: Related): PublishedEntry | RejectedEntry {
  const { fields, line } = row;
  const where = `${set.primary} line ${line}`;
  const ref = field(fields, 0);
  if (ref === undefined || !/^\d+$/.test(ref)) {
    return {
      ref: ref ?? `line ${line}`,
      reason: `${where}: ent_num ${JSON.stringify(fields[0] ?? "")} is not a number`,
    };
  }
  if (fields.length < 4) {
    return {
      ref,
      reason: `${where}: ${fields.length} fields, too few for name, type and programs (12 expected)`,
    };
  }
  const name = cleanName(field(fields, 1));
  if (name === undefined) return { ref, reason: `${where}: no name` };
  const programs = programsOf(field(fields, 3));
  if (programs.length === 0) return { ref, reason: `${where}: no program` };

  // Remarks: the 12th field (a ragged row's surplus fields belong to it), continued in
  // the comments file where OFAC cut it.
  const own = fields.length > 12 ? fields.slice(11).join(",") : (fields[11] ?? "");
  const continued = (related.comments.get(ref) ?? []).map((r) => r.fields.slice(1).join(","));
  const head = own.trim() === "-0-" ? "" : own;
  const remarks = head + continued.join("");
  const remarksComplete = continued.length > 0 || head.length < REMARKS_CUT;

  const aliases = distinctAliases(
    name,
    (related.aliases.get(ref) ?? []).map((r) => field(r.fields, 3)),
  );
  let country: string | undefined;
  for (const address of related.addresses.get(ref) ?? []) {
    country = countryCode(field(address.fields, 4));
    if (country) break;
  }
  const identifiers = identifiersOf(ref, remarks, remarksComplete);
  const sanctions = sanctionsOf(programs, remarks, set.list);
  return {
    entityId: `ofac-${ref}`,
    ref,
    kind: kindOf(field(fields, 2)),
    name,
    aliases,
    ...(country ? { country } : {}),
    identifiers,
    sanctions,
  };
}

/** The remarks as their `;`-separated statements, without the `alt.` of alternatives. */
function statements(remarks: string): string[] {
  return remarks
    .split(";")
    .map((s) =>
      s
        .trim()
        .replace(/^alt\.\s+/i, "")
        .replace(/\.$/, ""),
    )
    .filter((s) => s !== "");
}

const IDENTIFIER_PATTERNS: { scheme: string; pattern: RegExp; valid?: (v: string) => boolean }[] = [
  { scheme: "SWIFT-BIC", pattern: /^SWIFT\/BIC ([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)$/ },
  {
    scheme: "LEI",
    pattern: /^Legal Entity Number ([A-Z0-9]{18}[0-9]{2})(?: \([^)]*\))?$/,
    valid: leiValid,
  },
  { scheme: "IMO", pattern: /(?:^|\s)IMO (\d{7})$/, valid: imoValid },
  { scheme: "MMSI", pattern: /^MMSI (\d{9})$/ },
];

/**
 * `OFAC-ENT` (the entry number), and the identifiers the remarks state in a checkable
 * form: SWIFT/BIC, LEI (ISO 17442 check digits), IMO ship number (check digit) and MMSI.
 * When OFAC cut the remarks and no comment continues them, the last statement may be
 * cut short and is not read.
 */
function identifiersOf(ref: string, remarks: string, complete: boolean): Identifier[] {
  const identifiers: Identifier[] = [{ scheme: "OFAC-ENT", value: ref }];
  const seen = new Set([`OFAC-ENT:${ref}`]);
  if (!/SWIFT|Legal Entity|IMO |MMSI/.test(remarks)) return identifiers;
  const parts = statements(remarks);
  if (!complete) parts.pop();
  for (const part of parts) {
    for (const { scheme, pattern, valid } of IDENTIFIER_PATTERNS) {
      const value = pattern.exec(part)?.[1];
      if (value === undefined || (valid && !valid(value))) continue;
      const key = `${scheme}:${value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      identifiers.push({ scheme, value: clamp(value, LIMITS.identifierValue) });
    }
    if (identifiers.length >= LIMITS.identifiers) break;
  }
  return identifiers.slice(0, LIMITS.identifiers);
}

function imoValid(imo: string): boolean {
  const digits = [...imo].map(Number);
  const sum = digits.slice(0, 6).reduce((s, d, i) => s + d * (7 - i), 0);
  return sum % 10 === digits[6];
}

function leiValid(lei: string): boolean {
  let rest = 0;
  for (const ch of lei) {
    const n = Number.parseInt(ch, 36);
    rest = n > 9 ? (rest * 100 + n) % 97 : (rest * 10 + n) % 97;
  }
  return rest === 1;
}

/** Dates that a remark states for a directive or a program, by label. */
interface StatedDates {
  listing?: IsoDate;
  effective?: IsoDate;
}

const DATE_TEXT = String.raw`(\d{1,2} [A-Z][a-z]{2} \d{4}|\d{4}-\d{2}-\d{2})`;
/** `Listing Date (EO 14024 Directive 2): 24 Feb 2022`, `Effective Date (CMIC) 02 Aug 2021`. */
const STATED_DATE = new RegExp(
  String.raw`\b(Listing|Effective) Date \(([^()]{1,60})\):?\s*${DATE_TEXT}`,
  "g",
);
/** `Executive Order 13662 Directive Determination - Subject to Directive 2`. */
const DETERMINATION =
  /\bExecutive Order (\d{4,5}) Directive (?:Determination|Information)\s*[-:]?\s*(?:[-:]\s*)?Subject to Directive (\w{1,3})\b/g;
/** The label of a directive's dates: `EO 14024 Directive 1a`. */
const DIRECTIVE_LABEL = /^EO (\d{4,5}) Directive (\w{1,3})$/;

interface StatedDirective {
  eo: string;
  directive: string;
  dates: StatedDates;
}

function readDirectives(remarks: string): {
  directives: StatedDirective[];
  labelled: Map<string, StatedDates>;
} {
  const directives = new Map<string, StatedDirective>();
  const labelled = new Map<string, StatedDates>();
  if (!remarks.includes("Directive") && !remarks.includes(" Date (")) {
    return { directives: [], labelled };
  }
  const directive = (eo: string, d: string) => {
    const key = `${eo}:${d.toUpperCase()}`;
    let found = directives.get(key);
    if (!found) {
      found = { eo, directive: d.toUpperCase(), dates: {} };
      directives.set(key, found);
    }
    return found;
  };
  for (const m of remarks.matchAll(DETERMINATION)) {
    if (m[1] && m[2]) directive(m[1], m[2]);
  }
  for (const m of remarks.matchAll(STATED_DATE)) {
    const [, which, label, text] = m;
    const date = parseDate(text);
    if (!which || !label || !date) continue;
    const l = DIRECTIVE_LABEL.exec(label.trim());
    let dates: StatedDates;
    if (l?.[1] && l[2]) dates = directive(l[1], l[2]).dates;
    else {
      const key = label.trim().toUpperCase();
      dates = labelled.get(key) ?? {};
      labelled.set(key, dates);
    }
    // The first statement of a date counts.
    if (which === "Listing") dates.listing ??= date;
    else dates.effective ??= date;
  }
  return { directives: [...directives.values()], labelled };
}

/** announcedOn and effectiveFrom from what a remark states, kept in order. */
function datesOf(stated: StatedDates): Pick<PublishedSanction, "announcedOn" | "effectiveFrom"> {
  const effective = stated.effective ?? stated.listing;
  const listing = stated.listing ?? stated.effective;
  if (!effective || !listing) return {};
  // A listing stated after the effective date: announced no later than effective.
  if (listing > effective) return { announcedOn: effective, effectiveFrom: effective };
  return { announcedOn: listing, effectiveFrom: effective };
}

/** The measures of all the lists, in the order of `MEASURES`. */
function union(lists: Measure[][]): Measure[] {
  const all = new Set(lists.flat());
  return MEASURES.filter((m) => all.has(m));
}

/**
 * One sanction per program; one per directive the remarks state (dated where they state
 * a Listing or Effective Date). A program whose directives the remarks state takes their
 * measures; a program named in a dated label (`Listing Date (CMIC)`) takes those dates.
 */
function sanctionsOf(programs: string[], remarks: string, list: OfacList): PublishedSanction[] {
  const { directives, labelled } = readDirectives(remarks);
  const ordered = [...directives].sort(
    (a, b) => Number(a.eo) - Number(b.eo) || a.directive.localeCompare(b.directive, "en"),
  );
  const directiveSanctions = ordered.map((d) => {
    const known = directiveOf(d.eo, d.directive);
    const sanction: PublishedSanction = {
      key: sanctionKey(`eo${d.eo}-directive-${d.directive}`),
      authority: "US-OFAC",
      program: clamp(known.program, LIMITS.program),
      measures: known.measures,
      scope: { note: `EO ${d.eo} Directive ${d.directive}: ${known.note}` },
      ...datesOf(d.dates),
    };
    return sanction;
  });
  const sanctions: PublishedSanction[] = [];
  const keys = new Set<string>();
  for (const program of programs) {
    const key = sanctionKey(program);
    if (key === "" || keys.has(key)) continue;
    keys.add(key);
    const own = directiveSanctions.filter((s) => s.program === program);
    const label = [...labelled.entries()].find(
      ([l]) => l.length >= 3 && program.toUpperCase().includes(l),
    );
    sanctions.push({
      key,
      authority: "US-OFAC",
      program: clamp(program, LIMITS.program),
      measures: own.length > 0 ? union(own.map((s) => s.measures)) : measuresOf(program, list),
      ...(label ? datesOf(label[1]) : {}),
    });
  }
  for (const s of directiveSanctions) {
    if (keys.has(s.key)) continue;
    keys.add(s.key);
    sanctions.push(s);
  }
  return sanctions;
}
