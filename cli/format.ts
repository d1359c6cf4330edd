import Table from "cli-table3";

/** Plain text helpers for the human-readable output of the commands. */

/**
 * Characters a terminal acts on instead of showing: C0 controls, DEL and C1 controls (ESC
 * and CSI start sequences that move the cursor, erase lines or retitle the window; CR
 * overwrites a line), the BiDi embeddings, overrides and isolates and the implicit marks
 * (they reorder what follows, so a name can disguise the text after it), and the Unicode
 * line and paragraph separators.
 */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const UNSAFE_BUT_NEWLINE =
  /(?!\n)[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function visible(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (NAMED[c]) return NAMED[c];
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u{${code.toString(16).toUpperCase()}}`;
}

/**
 * Ledger text made safe to print: each control, BiDi or separator character shown as an
 * escape (`\x1b`, `\r`, `\u{202E}`), so that what a name holds is seen, not obeyed.
 */
export function esc(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Like `esc`, but keeps line breaks: for whole messages of several lines. */
export function escLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, visible);
}

const segmenter = new Intl.Segmenter();
/** Wide (two-column) characters: CJK, Hangul, fullwidth forms, emoji. */
const WIDE =
  /^[\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2-\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{1b2ff}\u{1f004}\u{1f0cf}\u{1f18e}\u{1f191}-\u{1f19a}\u{1f200}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f7e0}-\u{1f7eb}\u{1f90c}-\u{1f9ff}\u{1fa70}-\u{1faff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;

/** Columns a grapheme takes on a terminal. */
function graphemeWidth(g: string): number {
  if (ZERO_WIDTH.test(g)) return 0;
  return WIDE.test(g) || g.includes("\ufe0f") ? 2 : 1;
}

/** Columns `text` takes on a terminal (one line, already escaped). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += graphemeWidth(segment);
  return width;
}

/** Cuts `text` to at most `max` columns, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = "";
  let width = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = graphemeWidth(segment);
    if (width + w > max - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}

/**
 * A column is never cut below this many columns (or its natural width, if less): narrower,
 * a cell shows too little to read, and the rows are better shown as blocks of lines.
 */
const MIN_COLUMN = 10;

/**
 * The widths of the columns in `width` terminal columns: each column's natural width,
 * the widest ones cut down to a common cap until the table fits.
 */
export function fitColumns(natural: readonly number[], width: number): number[] {
  const borders = 3 * natural.length + 1; // "│ a │ b │": a space each side and a rule
  const budget = width - borders;
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= budget) return [...natural];
  const capped = (cap: number) => natural.map((w) => Math.min(w, Math.max(cap, MIN_COLUMN)));
  let cap = Math.max(...natural);
  while (cap > MIN_COLUMN && capped(cap).reduce((a, b) => a + b, 0) > budget) cap--;
  const widths = capped(cap);
  // Hand the columns left over by rounding to the widest cut ones, one each.
  let spare = budget - widths.reduce((a, b) => a + b, 0);
  for (let i = 0; i < widths.length && spare > 0; i++) {
    if ((widths[i] ?? 0) < (natural[i] ?? 0)) {
      widths[i] = (widths[i] ?? 0) + 1;
      spare--;
    }
  }
  return widths;
}

/**
 * A table without colours (the output is often piped or captured). Every cell is escaped
 * (`esc`); with `width` (the terminal's), long cells are cut with an ellipsis so that the
 * table fits, the widest columns first, and a terminal too narrow for every column at its
 * least width gets one `Header: value` block per row instead. Without `width` (a pipe or a
 * file) nothing is cut.
 */
export function table(head: string[], rows: (string | number)[][], width?: number): string {
  let cells = [head, ...rows].map((row) => row.map((cell) => esc(String(cell))));
  if (width !== undefined && width > 0) {
    const natural = head.map((_, i) =>
      Math.max(0, ...cells.map((row) => displayWidth(row[i] ?? ""))),
    );
    const least = natural.reduce((sum, w) => sum + Math.min(w, MIN_COLUMN), 3 * natural.length + 1);
    if (least > width) return records(cells, width);
    const widths = fitColumns(natural, width);
    cells = cells.map((row) => row.map((cell, i) => truncate(cell, widths[i] ?? cell.length)));
  }
  const [headCells = [], ...bodyRows] = cells;
  const t = new Table({ head: headCells, style: { head: [], border: [] } });
  for (const row of bodyRows) t.push(row);
  return t.toString();
}

/** Escaped rows as blocks of `Header: value` lines, each cut to `width`, a blank line apart. */
function records([head = [], ...rows]: string[][], width: number): string {
  const labels = head.map((h) => `${h}:`);
  const labelWidth = Math.max(0, ...labels.map(displayWidth));
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          truncate(`${(labels[i] ?? "").padEnd(labelWidth)} ${cell}`, Math.max(width, 1)),
        )
        .join("\n"),
    )
    .join("\n\n");
}

/** Aligned `label: value` lines, each value escaped (`esc`). */
export function fields(pairs: [label: string, value: string][]): string {
  const width = Math.max(0, ...pairs.map(([label]) => label.length)) + 1;
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width)} ${esc(value)}`).join("\n");
}

/** An optional value, or an em dash. */
export function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

/** A list joined with commas, or an em dash when empty. */
export function list(values: readonly (string | number)[] | null | undefined): string {
  return values && values.length > 0 ? values.join(", ") : "—";
}

/** Cuts a long cell to `max` characters with an ellipsis. */
export function cut(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A scope `{goods, hsCodes, note}` in one line. */
export function scopeText(
  scope: { goods?: string[]; hsCodes?: string[]; note?: string } | null | undefined,
): string {
  if (!scope) return "—";
  const parts: string[] = [];
  if (scope.goods?.length) parts.push(`goods: ${scope.goods.join(", ")}`);
  if (scope.hsCodes?.length) parts.push(`HS: ${scope.hsCodes.join(", ")}`);
  if (scope.note) parts.push(scope.note);
  return parts.length > 0 ? parts.join("; ") : "—";
}

/** `n thing` or `n things`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** What JSON.stringify leaves raw but a terminal obeys: DEL, C1, BiDi controls, separators. */
const UNSAFE_IN_JSON = /(?!\n)[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Pretty JSON with a final newline, for `--json`. Controls are escaped by JSON itself; DEL,
 * C1, BiDi controls and line separators are written as `\uXXXX` escapes too, which any
 * JSON reader decodes to the same value, so the output is safe wherever it ends up shown.
 */
export function json(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    UNSAFE_IN_JSON,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
  return `${text}\n`;
}
