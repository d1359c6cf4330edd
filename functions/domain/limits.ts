import { RuleViolation } from "./errors.js";
import { searchWords } from "./search.js";
import type { EntityDetails } from "./state.js";

/**
 * The limits on an entity's names that the API enforces. They bound what one event can
 * make the projection write (each distinct word of a name is one search row) and admit
 * every entry of the published lists the ledger imports: the largest, in OFAC's SDN list
 * of January 2019, has 95 aliases and 448 words in all; the longest name, in the UN list,
 * has 324 characters.
 */
export const NAME_LIMITS = {
  /** Characters (Unicode code points) in one name or alias. */
  nameLength: 512,
  /** Words in one name or alias. */
  wordsPerName: 64,
  /** Aliases of one entity. */
  aliases: 256,
  /** Words in the entity's name and all its aliases together. */
  wordsPerEntity: 2_000,
} as const;

/** The first limit that a name breaks, as a message, if any. */
export function nameProblem(name: string): string | undefined {
  if ([...name].length > NAME_LIMITS.nameLength) {
    return `must hold at most ${NAME_LIMITS.nameLength} characters`;
  }
  if (searchWords(name).length > NAME_LIMITS.wordsPerName) {
    return `must hold at most ${NAME_LIMITS.wordsPerName} words`;
  }
  return undefined;
}

/**
 * Checks the names an entity would have after an event: each within its own limits, and
 * together within the entity's. Throws a 422 naming `path` (where the event set them).
 */
export function checkNames(details: EntityDetails, path: string): void {
  if (details.aliases.length > NAME_LIMITS.aliases) {
    throw new RuleViolation(
      `The entity would have ${details.aliases.length} aliases; at most ${NAME_LIMITS.aliases} are allowed.`,
      `${path}/aliases`,
    );
  }
  let words = 0;
  for (const name of [details.name, ...details.aliases]) {
    const problem = nameProblem(name);
    if (problem) throw new RuleViolation(`'${name.slice(0, 80)}…' ${problem}.`, path);
    words += searchWords(name).length;
  }
  if (words > NAME_LIMITS.wordsPerEntity) {
    throw new RuleViolation(
      `The entity's name and aliases would hold ${words} words; at most ${NAME_LIMITS.wordsPerEntity} are allowed.`,
      path,
    );
  }
}
