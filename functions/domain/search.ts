/**
 * The words of a name as search compares them: Unicode NFKD, diacritics removed, lower
 * case, every character that is not a letter or a digit read as a space.
 */
export function searchWords(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .split(" ")
    .filter((w) => w.length > 0);
}

/** Whether every query word is a prefix of some word of the name, in any order. */
export function matchesWords(query: readonly string[], nameWords: readonly string[]): boolean {
  return query.every((q) => nameWords.some((w) => w.startsWith(q)));
}
