import Table from "cli-table3";

/** Plain text helpers for the human-readable output of the commands. */

/** A table without colours (the output is often piped or captured). */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map((cell) => String(cell)));
  return t.toString();
}

/** Aligned `label: value` lines. */
export function fields(pairs: [label: string, value: string][]): string {
  const width = Math.max(0, ...pairs.map(([label]) => label.length)) + 1;
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`).join("\n");
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

/** Pretty JSON with a final newline, for `--json`. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
