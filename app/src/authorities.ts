/** Each authority's colour and pattern, so that lanes are told apart by more than colour. */

export interface AuthorityStyle {
  colour: string;
  pattern: "solid" | "stripes" | "dots" | "cross" | "waves" | "grid";
}

const KNOWN: Record<string, AuthorityStyle> = {
  JP: { colour: "#b3261e", pattern: "solid" },
  "US-OFAC": { colour: "#1f4e9e", pattern: "stripes" },
  EU: { colour: "#5b3a9e", pattern: "dots" },
  UK: { colour: "#0b6e4f", pattern: "cross" },
  UN: { colour: "#0a6c8c", pattern: "grid" },
};

const OTHERS: AuthorityStyle[] = [
  { colour: "#8a4b08", pattern: "waves" },
  { colour: "#6b3a5b", pattern: "stripes" },
  { colour: "#3b5b1f", pattern: "dots" },
  { colour: "#444e5c", pattern: "cross" },
];

export function authorityStyle(authority: string): AuthorityStyle {
  const known = KNOWN[authority];
  if (known) return known;
  let hash = 0;
  for (const c of authority) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return OTHERS[hash % OTHERS.length] as AuthorityStyle;
}

/** A CSS-safe id for an authority's pattern. */
export function patternId(authority: string): string {
  return `pattern-${authority.replace(/[^A-Za-z0-9-]/g, "_")}`;
}
