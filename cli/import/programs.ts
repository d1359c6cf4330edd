import type { Measure } from "../../functions/domain/events.js";
import type { ListName } from "./model.js";

/**
 * The measures of OFAC's sanctions programs, by program tag as the lists write it, and of
 * the directives some entries are subject to. docs/program-measures.md is the readable
 * form of these tables; a test keeps the two in step.
 *
 * The SDN list is a list of blocked persons: every tag on it means an asset freeze
 * ("blocking"), whatever else the program allows. The consolidated (non-SDN) list holds
 * narrower measures (sectoral directives, investment bans, correspondent-account bans,
 * menu-based sanctions), and also repeats the tags of entries that are SDNs as well
 * (e.g. SDGT on HAMAS members of the NS-PLC list, RUSSIA-EO14024 on VTB BANK): those
 * keep their blocking measure. Where an entry's remarks state directives under a
 * program, the program's sanction on that entry takes the directives' measures instead
 * (see `DIRECTIVES`). Entry bans that some executive orders add are administered by the
 * State Department and stated nowhere in the lists: they are not recorded.
 */
export interface ProgramMeasures {
  /** Measures of the program on the SDN list. */
  sdn: Measure[];
  /** Measures of the program on the consolidated (non-SDN) list. */
  cons: Measure[];
  /** What the program is, and why these measures. */
  note: string;
}

const BLOCKING: Measure[] = ["asset-freeze"];

function blocking(note: string): ProgramMeasures {
  return { sdn: BLOCKING, cons: BLOCKING, note };
}

/** Every program tag found in the OFAC publications in samples/, and FSE-IR. */
export const OFAC_PROGRAMS: Readonly<Record<string, ProgramMeasures>> = {
  "561-Related": {
    sdn: ["transaction-licence-required"],
    cons: ["transaction-licence-required"],
    note: "CAPTA list, Iranian Financial Sanctions Regulations 31 CFR 561.201: US banks may not open or maintain correspondent or payable-through accounts for the bank",
  },
  BALKANS: blocking("Western Balkans, EO 13219 / 13304"),
  BELARUS: blocking("Belarus, EO 13405"),
  "BELARUS-EO14038": blocking("Belarus, EO 14038"),
  "BURMA-EO14014": {
    sdn: BLOCKING,
    cons: ["transaction-licence-required"],
    note: "Burma, EO 14014; on the consolidated list: Directive 1, no financial services to or for the benefit of the entry (MOGE)",
  },
  BURUNDI: blocking("Burundi, EO 13712"),
  "CAATSA - RUSSIA": {
    sdn: BLOCKING,
    cons: ["export-ban", "other"],
    note: "CAATSA, Russia-related sections (224, 231, 235), menu-based: on the consolidated list export licence denial, no loans from US or international financial institutions, no Ex-Im Bank assistance, measures on principal executives (the remarks name the chosen ones)",
  },
  CAR: blocking("Central African Republic, EO 13667"),
  "CMIC-EO13959": {
    sdn: ["investment-ban"],
    cons: ["investment-ban"],
    note: "Chinese military-industrial complex companies, EO 13959 as amended by EO 14032: no purchase or sale of their publicly traded securities",
  },
  CUBA: blocking("Cuban Assets Control Regulations, 31 CFR 515"),
  CYBER2: blocking("Malicious cyber-enabled activities, EO 13694 as amended by EO 13757"),
  DARFUR: blocking("Sudan (Darfur), EO 13400"),
  DPRK: blocking("North Korea, EO 13551"),
  DPRK2: blocking("North Korea, EO 13687"),
  DPRK3: blocking("North Korea, EO 13722"),
  DPRK4: blocking("North Korea, EO 13810"),
  DRCONGO: blocking("Democratic Republic of the Congo, EO 13413 / 13671"),
  "ELECTION-EO13848": blocking("Foreign interference in US elections, EO 13848"),
  "FSE-IR": {
    sdn: ["transaction-licence-required"],
    cons: ["transaction-licence-required"],
    note: "Foreign Sanctions Evaders (Iran), EO 13608: no transactions with the person involving the United States or US persons; not blocking",
  },
  "FSE-SY": {
    sdn: ["transaction-licence-required"],
    cons: ["transaction-licence-required"],
    note: "Foreign Sanctions Evaders (Syria), EO 13608: no transactions with the person involving the United States or US persons; not blocking (the 2019 SDN entries also carry SYRIA, which blocks)",
  },
  FTO: blocking("Foreign Terrorist Organizations, 31 CFR 597"),
  GLOMAG: blocking("Global Magnitsky, EO 13818"),
  "HRIT-IR": blocking("Human rights abuses via IT (Iran), EO 13606"),
  "HRIT-SY": blocking("Human rights abuses via IT (Syria), EO 13606"),
  IFCA: {
    sdn: BLOCKING,
    cons: ["other"],
    note: "Iran Freedom and Counter-Proliferation Act of 2012, menu-based; blocking on the SDN list",
  },
  IFSR: blocking("Iranian Financial Sanctions Regulations, 31 CFR 561"),
  "ILLICIT-DRUGS-EO14059": {
    sdn: BLOCKING,
    cons: ["investment-ban", "transaction-licence-required"],
    note: "Illicit drug trade, EO 14059; on the consolidated list the menu of section 2: no foreign-exchange transactions, no loans from US banks, no investment in the target's equity or debt",
  },
  IRAN: blocking("Iranian Transactions and Sanctions Regulations, 31 CFR 560"),
  "IRAN-CON-ARMS-EO": blocking("Iran conventional arms, EO 13949"),
  "IRAN-EO13846": blocking("Iran, EO 13846"),
  "IRAN-HR": blocking("Iran human rights, EO 13553"),
  "IRAN-TRA": blocking("Iran Threat Reduction and Syria Human Rights Act, EO 13628"),
  IRAQ2: blocking("Iraq, EO 13315"),
  IRAQ3: blocking("Iraq, EO 13438"),
  IRGC: blocking("Islamic Revolutionary Guard Corps, EO 13224 (CAATSA section 105)"),
  ISA: {
    sdn: BLOCKING,
    cons: ["other"],
    note: "Iran Sanctions Act of 1996, menu-based; blocking on the SDN list",
  },
  LEBANON: blocking("Lebanon, EO 13441"),
  LIBYA2: blocking("Libya, EO 13566"),
  LIBYA3: blocking("Libya, EO 13726"),
  MAGNIT: blocking("Sergei Magnitsky Act"),
  NICARAGUA: blocking("Nicaragua, EO 13851"),
  NPWMD: blocking("Weapons of mass destruction proliferators, EO 13382"),
  "NS-PLC": {
    sdn: ["transaction-licence-required"],
    cons: ["transaction-licence-required"],
    note: "Non-SDN Palestinian Legislative Council list, General License 4(b) under 31 CFR 594/595/597: US banks reject (do not block) transactions with the person",
  },
  "RUSSIA-EO14024": {
    sdn: BLOCKING,
    cons: BLOCKING,
    note: "Russian harmful foreign activities, EO 14024; on the consolidated list the entry's EO 14024 directives (1A, 2, 3, 4) where its remarks state them, else the tag repeats the entity's SDN designation (VTB BANK, VNESHECONOMBANK, NOVIKOMBANK, ROSNEFT in the 2025 data)",
  },
  SDGT: blocking("Specially Designated Global Terrorists, EO 13224"),
  SDNT: blocking("Narcotics traffickers, EO 12978"),
  SDNTK: blocking("Foreign Narcotics Kingpin Designation Act"),
  SDT: blocking("Terrorists who threaten the Middle East peace process, EO 12947"),
  SOMALIA: blocking("Somalia, EO 13536"),
  "SOUTH SUDAN": blocking("South Sudan, EO 13664"),
  SYRIA: blocking("Syria, EO 13338 / 13572 / 13573 / 13582"),
  TCO: blocking("Transnational criminal organizations, EO 13581"),
  "UKRAINE-EO13660": blocking("Ukraine, EO 13660"),
  "UKRAINE-EO13661": blocking("Ukraine, EO 13661"),
  "UKRAINE-EO13662": {
    sdn: BLOCKING,
    cons: ["investment-ban"],
    note: "Ukraine/Russia sectoral sanctions, EO 13662; on the consolidated list the Sectoral Sanctions Identifications (SSI) list: the entry's directives 1 to 4 where its remarks state them (1 to 3: new debt and equity, 4: deepwater, Arctic offshore and shale projects)",
  },
  "UKRAINE-EO13685": blocking("Crimea region of Ukraine, EO 13685"),
  VENEZUELA: blocking("Venezuela, EO 13692"),
  "VENEZUELA-EO13850": blocking("Venezuela, EO 13850"),
  YEMEN: blocking("Yemen, EO 13611"),
  ZIMBABWE: blocking("Zimbabwe, EO 13288 / 13391 / 13469"),
};

/** Lists of OFAC. */
export type OfacList = Extract<ListName, "ofac-sdn" | "ofac-cons">;

/**
 * The measures a program stands for on a list: from `OFAC_PROGRAMS`; a program not in
 * the table is blocking on the SDN list (what the list is) and `other` on the
 * consolidated list (whose programs differ).
 */
export function measuresOf(program: string, list: OfacList = "ofac-sdn"): Measure[] {
  const known = OFAC_PROGRAMS[program.trim()];
  if (known) return [...(list === "ofac-sdn" ? known.sdn : known.cons)];
  return list === "ofac-sdn" ? ["asset-freeze"] : ["other"];
}

/** A directive issued under an executive order, as entries' remarks state it. */
export interface DirectiveMeasures {
  /** The executive order, e.g. "14024". */
  eo: string;
  /** The directive as OFAC numbers it, e.g. "1A", "2". */
  directive: string;
  measures: Measure[];
  /** What the directive prohibits. */
  note: string;
}

/** The program tag of the executive orders whose directives the lists cite. */
export const EO_PROGRAMS: Readonly<Record<string, string>> = {
  "13662": "UKRAINE-EO13662",
  "14014": "BURMA-EO14014",
  "14024": "RUSSIA-EO14024",
};

/** Directives by `<eo>:<directive>` (directive in upper case). */
export const DIRECTIVES: Readonly<Record<string, DirectiveMeasures>> = {
  "13662:1": {
    eo: "13662",
    directive: "1",
    measures: ["investment-ban"],
    note: "financial services sector: no dealings in new debt of longer than 14 days maturity or new equity of the entity",
  },
  "13662:2": {
    eo: "13662",
    directive: "2",
    measures: ["investment-ban"],
    note: "energy sector: no dealings in new debt of longer than 60 days maturity of the entity",
  },
  "13662:3": {
    eo: "13662",
    directive: "3",
    measures: ["investment-ban"],
    note: "defense and related materiel sector: no dealings in new debt of longer than 30 days maturity of the entity",
  },
  "13662:4": {
    eo: "13662",
    directive: "4",
    measures: ["export-ban"],
    note: "no provision or export of goods, services (except financial services) or technology in support of deepwater, Arctic offshore or shale projects that may produce oil and involve the entity",
  },
  "14014:1": {
    eo: "14014",
    directive: "1",
    measures: ["transaction-licence-required"],
    note: "no provision, exportation or reexportation of financial services to or for the benefit of the entity",
  },
  "14024:1A": {
    eo: "14024",
    directive: "1A",
    measures: ["investment-ban"],
    note: "no participation in the primary or secondary market for bonds issued after the effective date by the Central Bank, the National Wealth Fund or the Ministry of Finance of the Russian Federation, no lending to them",
  },
  "14024:2": {
    eo: "14024",
    directive: "2",
    measures: ["transaction-licence-required"],
    note: "no opening or maintaining of correspondent or payable-through accounts for the financial institution, no processing of transactions involving it (CAPTA)",
  },
  "14024:3": {
    eo: "14024",
    directive: "3",
    measures: ["investment-ban"],
    note: "no dealings in new debt of longer than 14 days maturity or new equity of the entity issued on or after the effective date",
  },
  "14024:4": {
    eo: "14024",
    directive: "4",
    measures: ["transaction-licence-required"],
    note: "no transaction involving the Central Bank, the National Wealth Fund or the Ministry of Finance of the Russian Federation, including transfers of assets to them and foreign-exchange transactions for them",
  },
};

/** The measures and program of a directive; an unknown one counts as `other`. */
export function directiveOf(
  eo: string,
  directive: string,
): DirectiveMeasures & { program: string } {
  const key = `${eo}:${directive.toUpperCase()}`;
  const known = DIRECTIVES[key];
  const program = EO_PROGRAMS[eo] ?? `EO${eo}`;
  if (known) return { ...known, measures: [...known.measures], program };
  return {
    eo,
    directive: directive.toUpperCase(),
    measures: ["other"],
    note: "a directive the importer does not know",
    program,
  };
}

/** The measures of a UN sanctions regime, for listed individuals and entities. */
export interface UnRegimeMeasures {
  individual: Measure[];
  entity: Measure[];
  note: string;
}

/**
 * The UN regimes' measures on listed persons. Most regimes impose an asset freeze, a
 * travel ban and an arms embargo (targeted or on the country) on listed individuals, and
 * the asset freeze and arms embargo on entities. Two differ: the 1518 (Iraq) list is an
 * asset freeze only (resolution 1483, paragraph 23), and the 2048 (Guinea-Bissau) list a
 * travel ban only.
 */
export const UN_DEFAULT_MEASURES: UnRegimeMeasures = {
  individual: ["asset-freeze", "travel-ban", "arms-embargo"],
  entity: ["asset-freeze", "arms-embargo"],
  note: "asset freeze, travel ban (individuals) and arms embargo",
};

/** Regimes whose measures differ from `UN_DEFAULT_MEASURES`, by UN_LIST_TYPE. */
export const UN_REGIMES: Readonly<Record<string, UnRegimeMeasures>> = {
  Iraq: {
    individual: ["asset-freeze"],
    entity: ["asset-freeze"],
    note: "1518 Committee: asset freeze only (resolution 1483 (2003), paragraph 23)",
  },
  GB: {
    individual: ["travel-ban"],
    entity: ["travel-ban"],
    note: "2048 Committee (Guinea-Bissau): travel ban only (resolution 2048 (2012))",
  },
};

/** The measures of a UN regime on a listed individual or entity. */
export function unMeasuresOf(listType: string, kind: "individual" | "entity"): Measure[] {
  const regime = UN_REGIMES[listType.trim()] ?? UN_DEFAULT_MEASURES;
  return [...regime[kind]];
}
