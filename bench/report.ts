/** Statistics, result rows and their Markdown rendering. */

/** One measured figure beside its baseline, as printed and as written to the results. */
export interface Row {
  measure: string;
  value: number;
  baseline?: number;
  /** `value / baseline`, unless `ratio` is given explicitly. */
  ratio?: number;
  unit?: string;
  /** The target in words, e.g. `< 1.5`; absent when the spec sets none. */
  target?: string;
  /** Whether the target is met; `undefined` when there is none. */
  met?: boolean;
  note?: string;
}

export interface Section {
  name: string;
  title: string;
  rows: Row[];
  /** Extra tables (already rendered Markdown), e.g. per-size details. */
  details?: string[];
  /** Everything measured, for `bench-results.json`. */
  data: Record<string, unknown>;
  notes?: string[];
  seconds?: number;
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function p95(xs: readonly number[]): number {
  return quantile(xs, 0.95);
}

/** The `q` quantile by linear interpolation between closest ranks. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A number for a table: three significant digits, thousands separated. */
export function fmt(x: number | undefined, unit = ""): string {
  if (x === undefined) return "";
  if (!Number.isFinite(x)) return "n/a";
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = x.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  });
  return unit ? `${text} ${unit}` : text;
}

function ratioOf(row: Row): number | undefined {
  if (row.ratio !== undefined) return row.ratio;
  if (row.baseline === undefined || row.baseline === 0) return undefined;
  return row.value / row.baseline;
}

/** A row completed with its ratio, rounded for the results file. */
export function finished(row: Row): Row & { ratio?: number } {
  const ratio = ratioOf(row);
  return {
    ...row,
    value: round(row.value, 3),
    ...(row.baseline === undefined ? {} : { baseline: round(row.baseline, 3) }),
    ...(ratio === undefined ? {} : { ratio: round(ratio, 3) }),
  };
}

/** A Markdown table of the rows: measure | value | baseline | ratio | target | met. */
export function table(rows: readonly Row[]): string {
  const lines = [
    "| measure | value | baseline | ratio | target | met |",
    "| --- | ---: | ---: | ---: | --- | :---: |",
  ];
  for (const row of rows) {
    const ratio = ratioOf(row);
    const met = row.met === undefined ? "" : row.met ? "yes" : "**no**";
    const measure = row.note ? `${row.measure} (${row.note})` : row.measure;
    lines.push(
      `| ${measure} | ${fmt(row.value, row.unit)} | ${fmt(row.baseline, row.unit)} | ${
        ratio === undefined ? "" : `${fmt(ratio)}×`
      } | ${row.target ?? ""} | ${met} |`,
    );
  }
  return lines.join("\n");
}

/** A plain Markdown table from a header and rows of cells. */
export function grid(header: readonly string[], rows: readonly (string | number)[][]): string {
  const cells = (r: readonly (string | number)[]) =>
    `| ${r.map((c) => (typeof c === "number" ? fmt(c) : c)).join(" | ")} |`;
  return [cells(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(cells)].join(
    "\n",
  );
}

export function render(section: Section): string {
  const parts = [`### ${section.title}`, "", table(section.rows)];
  for (const detail of section.details ?? []) parts.push("", detail);
  if (section.notes?.length) parts.push("", ...section.notes.map((note) => `- ${note}`));
  return parts.join("\n");
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function since(start: number): number {
  return performance.now() - start;
}
