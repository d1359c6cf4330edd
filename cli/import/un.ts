import { XMLParser } from "fast-xml-parser";
import type { EntityKind, Identifier } from "../../functions/domain/events.js";
import { countryCode } from "./countries.js";
import type { Publication, PublishedEntry, RejectedEntry } from "./model.js";
import { unMeasuresOf } from "./programs.js";
import {
  clamp,
  cleanName,
  distinctAliases,
  LIMITS,
  parseDate,
  readText,
  sanctionKey,
} from "./text.js";

/**
 * Reads the UN Security Council Consolidated List in its XML form:
 * `CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL` and `CONSOLIDATED_LIST/ENTITIES/ENTITY`.
 */

/** Tags that repeat: always arrays, even when an element holds only one. */
const REPEATING = new Set([
  "INDIVIDUAL",
  "ENTITY",
  "INDIVIDUAL_ALIAS",
  "ENTITY_ALIAS",
  "INDIVIDUAL_ADDRESS",
  "ENTITY_ADDRESS",
  "NATIONALITY",
  "VALUE",
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Keep every value a string: DATAID 6908402 and REFERENCE_NUMBER stay as written.
  parseTagValue: false,
  trimValues: true,
  isArray: (tagName) => REPEATING.has(tagName),
});

type Node = Record<string, unknown>;

const ENTITY_ID = /^[a-z0-9][a-z0-9._:-]{0,127}$/;

/** The text of an element: a string, or the `#text` of an element with attributes. */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (typeof value === "number") return String(value);
  if (value && typeof value === "object" && "#text" in value) return text((value as Node)["#text"]);
  return undefined;
}

function nodes(value: unknown): Node[] {
  if (Array.isArray(value)) return value.filter((v): v is Node => !!v && typeof v === "object");
  return value && typeof value === "object" ? [value as Node] : [];
}

/** The texts of the `VALUE` children of each element, e.g. `NATIONALITY/VALUE`. */
function values(value: unknown): string[] {
  return nodes(value).flatMap((n) => {
    const v = n.VALUE;
    return (Array.isArray(v) ? v : [v]).map(text).filter((t): t is string => t !== undefined);
  });
}

/**
 * Reads the UN Security Council Consolidated List (XML) at `path`. Every individual and
 * entity is an entry `un-<DATAID>` with one sanction of its regime (`UN_LIST_TYPE`),
 * announced and effective on `LISTED_ON`.
 */
export async function parseUnXml(path: string): Promise<Publication> {
  const { text: xml } = await readText(path);
  const doc = parser.parse(xml) as Node;
  const root = doc.CONSOLIDATED_LIST;
  if (!root || typeof root !== "object") {
    throw new Error(`${path} is not a UN consolidated list (no CONSOLIDATED_LIST element)`);
  }
  const list = root as Node;
  const entries: PublishedEntry[] = [];
  const rejected: RejectedEntry[] = [];
  const seen = new Set<string>();
  const read = (items: Node[], kind: "individual" | "entity") => {
    items.forEach((item, index) => {
      const result = entryOf(item, kind, index + 1);
      if ("reason" in result) rejected.push(result);
      else if (seen.has(result.entityId)) {
        rejected.push({ ref: result.ref, reason: `DATAID ${result.ref} repeats an earlier entry` });
      } else {
        seen.add(result.entityId);
        entries.push(result);
      }
    });
  };
  const individuals = nodes(list.INDIVIDUALS)[0];
  const entities = nodes(list.ENTITIES)[0];
  read(nodes(individuals?.INDIVIDUAL), "individual");
  read(nodes(entities?.ENTITY), "entity");
  return { list: "un", title: "UN Security Council Consolidated List", entries, rejected };
}

function entryOf(
  item: Node,
  kind: "individual" | "entity",
  position: number,
): PublishedEntry | RejectedEntry {
  const tag = kind === "individual" ? "INDIVIDUAL" : "ENTITY";
  const dataId = text(item.DATAID);
  const ref = dataId ?? `${tag} ${position}`;
  if (dataId === undefined) return { ref, reason: `${tag} ${position} has no DATAID` };
  const entityId = `un-${dataId.toLowerCase()}`;
  if (!ENTITY_ID.test(entityId)) {
    return { ref, reason: `DATAID ${JSON.stringify(dataId)} makes no valid entity id` };
  }
  const parts =
    kind === "individual"
      ? [item.FIRST_NAME, item.SECOND_NAME, item.THIRD_NAME, item.FOURTH_NAME]
      : [item.FIRST_NAME];
  const name = cleanName(
    parts
      .map(text)
      .filter((p) => p !== undefined)
      .join(" "),
  );
  if (name === undefined) return { ref, reason: `${tag} ${dataId} has no name` };
  const listType = text(item.UN_LIST_TYPE);
  if (listType === undefined) return { ref, reason: `${tag} ${dataId} has no UN_LIST_TYPE` };
  const key = sanctionKey(listType);
  if (key === "") return { ref, reason: `UN_LIST_TYPE ${JSON.stringify(listType)} makes no key` };

  // Empty <ALIAS_NAME/> elements are common: distinctAliases drops them.
  const aliasNodes = nodes(item[`${tag}_ALIAS`]);
  const aliases = distinctAliases(name, [
    ...aliasNodes.map((a) => text(a.ALIAS_NAME)),
    text(item.NAME_ORIGINAL_SCRIPT),
  ]);

  const addressCountries = nodes(item[`${tag}_ADDRESS`]).map((a) => text(a.COUNTRY));
  const candidates =
    kind === "individual" ? [...values(item.NATIONALITY), ...addressCountries] : addressCountries;
  let country: string | undefined;
  for (const candidate of candidates) {
    country = countryCode(candidate);
    if (country) break;
  }

  const identifiers: Identifier[] = [];
  const reference = text(item.REFERENCE_NUMBER);
  if (reference)
    identifiers.push({ scheme: "UN-REF", value: clamp(reference, LIMITS.identifierValue) });

  const listedOn = parseDate(text(item.LISTED_ON));
  const entityKind: EntityKind = kind === "individual" ? "person" : "organization";
  return {
    entityId,
    ref: dataId,
    kind: entityKind,
    name,
    aliases,
    ...(country ? { country } : {}),
    identifiers,
    sanctions: [
      {
        key,
        authority: "UN",
        program: clamp(listType, LIMITS.program),
        measures: unMeasuresOf(listType, kind),
        ...(listedOn ? { announcedOn: listedOn, effectiveFrom: listedOn } : {}),
      },
    ],
  };
}
