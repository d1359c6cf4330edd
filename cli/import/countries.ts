import countries from "i18n-iso-countries";
import en from "i18n-iso-countries/langs/en.json" with { type: "json" };

countries.registerLocale(en);

/**
 * Spellings of OFAC's and the UN's lists that i18n-iso-countries does not know, by their
 * folded form (see `fold`). `null`: a place with no ISO 3166-1 code of its own (a
 * dissolved country, a disputed region, "undetermined"), which maps to no country.
 */
export const COUNTRY_OVERRIDES: Readonly<Record<string, string | null>> = {
  // OFAC
  "korea north": "KP",
  "korea south": "KR",
  burma: "MM",
  syria: "SY",
  laos: "LA",
  russia: "RU",
  "congo democratic republic of the": "CD",
  "congo republic of the": "CG",
  "bahamas the": "BS",
  "gambia the": "GM",
  "man isle of": "IM",
  palestinian: "PS",
  "west bank": "PS",
  gaza: "PS",
  "gaza strip": "PS",
  "region gaza": "PS",
  "region west bank": "PS",
  "region crimea": "UA",
  crimea: "UA",
  "region northern mali": "ML",
  macau: "MO",
  curacao: "CW",
  "sint maarten": "SX",
  brunei: "BN",
  moldova: "MD",
  swaziland: "SZ",
  "cabo verde": "CV",
  macedonia: "MK",
  "macedonia the former yugoslav republic of": "MK",
  "the former yugoslav republic of macedonia": "MK",
  micronesia: "FM",
  "vatican city": "VA",
  "holy see": "VA",
  "timor leste": "TL",
  "east timor": "TL",
  "st kitts and nevis": "KN",
  "st lucia": "LC",
  "st vincent and the grenadines": "VC",
  "saint martin": "MF",
  kosovo: "XK",
  "netherlands antilles": null,
  "serbia and montenegro": null,
  yugoslavia: null,
  "region kafia kingi": null,
  undetermined: null,
  // UN
  "democratic people s republic of korea": "KP",
  "republic of korea": "KR",
  "iran islamic republic of": "IR",
  "united kingdom of great britain and northern ireland": "GB",
  "united states of america": "US",
  "viet nam": "VN",
  "china hong kong special administrative region": "HK",
  "china macao special administrative region": "MO",
  "british virgin islands": "VG",
  "syrian arab republic": "SY",
  "lao people s democratic republic": "LA",
  "bolivia plurinational state of": "BO",
  "venezuela bolivarian republic of": "VE",
  "united republic of tanzania": "TZ",
  "republic of moldova": "MD",
  "state of palestine": "PS",
  "occupied palestinian territory": "PS",
  turkiye: "TR",
  "former soviet union": null,
  "former yugoslavia": null,
  na: null,
};

/** Lower case, without accents, punctuation as spaces, single-spaced. */
function fold(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

let folded: Map<string, string> | undefined;

/** Every English name and alias the library knows, by folded form. */
function libraryNames(): Map<string, string> {
  if (folded) return folded;
  folded = new Map();
  for (const [code, names] of Object.entries(countries.getNames("en", { select: "all" }))) {
    for (const name of names) {
      const key = fold(name);
      if (!folded.has(key)) folded.set(key, code);
    }
  }
  return folded;
}

/** The forms of a name worth looking up: as written, reordered, without qualifiers. */
function variants(name: string): string[] {
  const out = [name];
  const noParens = name.replace(/\s*\([^)]*\)\s*/g, " ").trim();
  if (noParens !== name && noParens !== "") out.push(noParens);
  const noRegion = name.replace(/^region:\s*/i, "");
  if (noRegion !== name) out.push(noRegion);
  // "Korea, North" → "North Korea"; "Bahamas, The" → "The Bahamas" and "Bahamas".
  const comma = /^([^,]+),\s*(.+)$/.exec(name);
  if (comma?.[1] && comma[2]) {
    out.push(`${comma[2]} ${comma[1]}`);
    if (/^the$/i.test(comma[2])) out.push(comma[1]);
  }
  const noThe = name.replace(/^the\s+/i, "");
  if (noThe !== name) out.push(noThe);
  return out;
}

const cache = new Map<string, string | undefined>();

function lookup(name: string): string | undefined {
  const overridden = COUNTRY_OVERRIDES[fold(name)];
  if (overridden !== undefined) return overridden ?? undefined;
  for (const candidate of variants(name)) {
    const code = countries.getAlpha2Code(candidate, "en");
    if (code) return code;
  }
  const names = libraryNames();
  for (const candidate of variants(name)) {
    const key = fold(candidate);
    const override = COUNTRY_OVERRIDES[key];
    if (override !== undefined) return override ?? undefined;
    const code = names.get(key);
    if (code) return code;
  }
  return undefined;
}

/**
 * The ISO 3166-1 alpha-2 code of a country as OFAC or the UN write it ("Russia",
 * "Korea, North", "Iran (Islamic Republic of)", "Democratic People's Republic of
 * Korea"), or undefined for a blank, unknown or code-less place. Results are cached.
 */
export function countryCode(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.replace(/\s+/g, " ").trim();
  if (trimmed === "" || trimmed === "-0-") return undefined;
  if (cache.has(trimmed)) return cache.get(trimmed);
  const code = lookup(trimmed);
  const valid = code && /^[A-Z]{2}$/.test(code) ? code : undefined;
  cache.set(trimmed, valid);
  return valid;
}
