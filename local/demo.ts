import type { AppendRequest } from "../functions/app/ledger.js";
import type { Source } from "../functions/domain/events.js";
import type { Engine } from "./engine.js";
import { localFunctions } from "./server.js";

/** One event of the founding example, with the moment the ledger learned of it. */
export interface DemoEvent {
  entityId: string;
  recordedAt: string;
  request: AppendRequest & { eventId: string };
}

const REPORT: Source = {
  title:
    "Japan bans exports of luxury goods to Russia, revoked its most-favoured-nation status and designated four banks (news report)",
  publishedOn: "2022-03-25",
};
const METI: Source = {
  title: "METI: ban on exports of luxury goods to Russia takes effect on 5 April 2022",
  publishedOn: "2022-04-01",
};
const DIET: Source = {
  title: "Act withdrawing most-favoured-nation treatment from Russia, enacted by the Diet",
  publishedOn: "2022-04-20",
};

const LEARNED = "2022-03-25T12:00:00.000Z";
const at = (seconds: number) => new Date(Date.parse(LEARNED) + seconds * 1000).toISOString();

const banks: [id: string, name: string, aliases: string[]][] = [
  ["ru-vtb-bank", "VTB Bank", ["VTB Bank PJSC", "Bank VTB"]],
  ["ru-sovcombank", "Sovcombank", ["PJSC Sovcombank"]],
  ["ru-novikombank", "Novikombank", ["JSCB Novikombank"]],
  ["ru-otkritie", "Otkritie", ["Bank Otkritie Financial Corporation"]],
];

const LUXURY_GOODS = ["luxury goods", "luxury cars", "jewellery", "artworks"];

/**
 * The founding example: what the news report of 2022-03-25 states precisely enough to
 * record, as the ledger would have learned it then, and the two corrections that the
 * official acts of April 2022 brought. Event ids are fixed, so loading it twice writes
 * nothing.
 */
export const DEMO_EVENTS: DemoEvent[] = [
  {
    entityId: "country-ru",
    recordedAt: at(0),
    request: {
      eventId: "demo-ru-1",
      type: "EntityRegistered",
      data: { name: "Russian Federation", kind: "country", aliases: ["Russia"], country: "RU" },
      source: REPORT,
    },
  },
  {
    entityId: "country-ru",
    recordedAt: at(1),
    request: {
      eventId: "demo-ru-2",
      type: "SanctionImposed",
      data: {
        sanctionId: "jp-luxury-export-ban",
        authority: "JP",
        program: "JP-RUSSIA-2022",
        measures: ["export-ban"],
        scope: {
          goods: LUXURY_GOODS,
          note: "In line with the United States and the European Union",
        },
        announcedOn: "2022-03-25",
        effectiveFrom: "2022-04-01",
        legalBasis: "Foreign Exchange and Foreign Trade Act",
      },
      source: REPORT,
    },
  },
  {
    entityId: "country-ru",
    recordedAt: at(2),
    request: {
      eventId: "demo-ru-3",
      type: "SanctionImposed",
      data: {
        sanctionId: "jp-mfn-revocation",
        authority: "JP",
        program: "JP-RUSSIA-2022",
        measures: ["trade-status-revoked"],
        scope: { note: "Most-favoured-nation trade status" },
        announcedOn: "2022-03-16",
        effectiveFrom: "2022-03-25",
      },
      source: REPORT,
    },
  },
  {
    entityId: "country-ru",
    recordedAt: "2022-04-01T09:00:00.000Z",
    request: {
      eventId: "demo-ru-4",
      type: "EventRetracted",
      data: { version: 2, reason: "The ban takes effect on 5 April, not 1 April (METI)." },
      source: METI,
    },
  },
  {
    entityId: "country-ru",
    recordedAt: "2022-04-01T09:00:01.000Z",
    request: {
      eventId: "demo-ru-5",
      type: "SanctionImposed",
      data: {
        sanctionId: "jp-luxury-export-ban",
        authority: "JP",
        program: "JP-RUSSIA-2022",
        measures: ["export-ban"],
        scope: {
          goods: LUXURY_GOODS,
          note: "In line with the United States and the European Union",
        },
        announcedOn: "2022-03-25",
        effectiveFrom: "2022-04-05",
        legalBasis: "Foreign Exchange and Foreign Trade Act",
      },
      source: METI,
    },
  },
  {
    entityId: "country-ru",
    recordedAt: "2022-04-20T09:00:00.000Z",
    request: {
      eventId: "demo-ru-6",
      type: "EventRetracted",
      data: {
        version: 3,
        reason:
          "The revocation was announced in March but takes legal effect on 21 April, by Act of the Diet.",
      },
      source: DIET,
    },
  },
  {
    entityId: "country-ru",
    recordedAt: "2022-04-20T09:00:01.000Z",
    request: {
      eventId: "demo-ru-7",
      type: "SanctionImposed",
      data: {
        sanctionId: "jp-mfn-revocation",
        authority: "JP",
        program: "JP-RUSSIA-2022",
        measures: ["trade-status-revoked"],
        scope: { note: "Most-favoured-nation trade status" },
        announcedOn: "2022-03-16",
        effectiveFrom: "2022-04-21",
        legalBasis: "Temporary Tariff Measures Act, as amended in April 2022",
      },
      source: DIET,
    },
  },
  {
    entityId: "country-kp",
    recordedAt: at(10),
    request: {
      eventId: "demo-kp-1",
      type: "EntityRegistered",
      data: {
        name: "Democratic People's Republic of Korea",
        kind: "country",
        aliases: ["North Korea", "DPRK"],
        country: "KP",
      },
      source: REPORT,
    },
  },
  {
    entityId: "country-kp",
    recordedAt: at(11),
    request: {
      eventId: "demo-kp-2",
      type: "SanctionImposed",
      data: {
        sanctionId: "jp-luxury-export-ban-2006",
        authority: "JP",
        program: "JP-DPRK",
        measures: ["export-ban"],
        scope: { goods: ["luxury goods"], note: "After the nuclear test of October 2006" },
        announcedOn: "2006-11-14",
        effectiveFrom: "2006-11-15",
        legalBasis: "Foreign Exchange and Foreign Trade Act",
      },
      source: REPORT,
    },
  },
  ...banks.flatMap(([entityId, name, aliases], i): DemoEvent[] => [
    {
      entityId,
      recordedAt: at(20 + 2 * i),
      request: {
        eventId: `demo-${entityId}-1`,
        type: "EntityRegistered",
        data: { name, kind: "organization", aliases, country: "RU" },
        source: REPORT,
      },
    },
    {
      entityId,
      recordedAt: at(21 + 2 * i),
      request: {
        eventId: `demo-${entityId}-2`,
        type: "SanctionImposed",
        data: {
          sanctionId: "jp-asset-freeze",
          authority: "JP",
          program: "JP-RUSSIA-2022",
          measures: ["asset-freeze", "transaction-licence-required"],
          announcedOn: "2022-03-03",
          effectiveFrom: "2022-04-02",
          legalBasis: "Foreign Exchange and Foreign Trade Act",
        },
        source: REPORT,
      },
    },
  ]),
];

/** Loads the founding example through the ledger, as recorded at its historical moments. */
export async function loadDemo(engine: Engine): Promise<{ written: number; replayed: number }> {
  let clock = new Date(0);
  const fns = localFunctions(engine, { now: () => clock });
  let written = 0;
  let replayed = 0;
  for (const { entityId, recordedAt, request } of DEMO_EVENTS) {
    clock = new Date(recordedAt);
    const result = await fns.ledger.append(entityId, request, "local");
    if (result.status === 201) written++;
    else replayed++;
    await fns.projectAppended([result.answer]);
    await fns.sequenceAppended([result.answer]);
  }
  return { written, replayed };
}
