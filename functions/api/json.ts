/**
 * Duplicate member names in JSON text. `JSON.parse` keeps the last of two members with one
 * name, so `{"name":"A","name":"B"}` would silently mean B; I-JSON (RFC 7493 §2.3) forbids
 * such text, and the API refuses it. This scans text that `JSON.parse` has already accepted
 * (so it need not check the grammar), iteratively, so that deep nesting cannot exhaust the
 * stack.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

interface Frame {
  /** The pointer of this container. */
  readonly path: string;
  /** The member names seen so far (objects), or undefined (arrays). */
  readonly names: Set<string> | undefined;
  /** The member being read (objects) or the index of the element being read (arrays). */
  at: string | number;
}

const token = (part: string | number) => String(part).replaceAll("~", "~0").replaceAll("/", "~1");

/** The index just past the string that starts at `start` (its opening quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    i += c === BACKSLASH ? 2 : 1;
  }
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * The JSON Pointer of the first member whose name its object already holds, or undefined.
 * `text` must be valid JSON.
 */
export function duplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      let next = end;
      while (next < n && isBlank(text.charCodeAt(next))) next++;
      if (top?.names && text.charCodeAt(next) === COLON) {
        const raw = text.slice(i + 1, end - 1);
        const name = raw.includes("\\") ? (JSON.parse(text.slice(i, end)) as string) : raw;
        if (top.names.has(name)) return `${top.path}/${token(name)}`;
        top.names.add(name);
        top.at = name;
        i = next + 1;
      } else {
        i = end;
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      const path = top ? `${top.path}/${token(top.at)}` : "";
      stack.push({ path, names: c === 0x7b ? new Set() : undefined, at: 0 });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === COMMA && top && !top.names) {
      top.at = (top.at as number) + 1;
    }
    i++;
  }
  return undefined;
}
