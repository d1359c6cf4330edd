/**
 * Entities the browser tests add to the demo through the API. Each event has a fixed `eventId`,
 * so that every test file may ask for them (a repeat is an idempotent replay), and their days
 * lie far from the demo's, so that the demo's lists and reports are unchanged on its days.
 */

async function append(baseUrl: string, entityId: string, body: object): Promise<void> {
  const response = await fetch(`${baseUrl}/entities/${entityId}/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200 && response.status !== 201)
    throw new Error(`appending to ${entityId}: ${response.status} ${await response.text()}`);
}

/**
 * A vessel listed by a publication that states no listing date: its status is not known from
 * 2015-03-01 (the list's previous publication, which did not hold it) until 2015-06-15, and it
 * is in force from then.
 */
export const UNDETERMINED = {
  entityId: "test-vessel-undetermined",
  name: "Northern Meridian",
  sanctionId: "uk-vessel-listing",
  authority: "UK",
  since: "2015-03-01",
  knownFrom: "2015-06-15",
  reason: "the list publication of 2015-06-15 gives no listing date",
} as const;

export async function addUndetermined(baseUrl: string): Promise<void> {
  const u = UNDETERMINED;
  await append(baseUrl, u.entityId, {
    eventId: `${u.entityId}-1`,
    type: "EntityRegistered",
    data: { name: u.name, kind: "vessel" },
  });
  await append(baseUrl, u.entityId, {
    eventId: `${u.entityId}-2`,
    type: "SanctionImposed",
    data: {
      sanctionId: u.sanctionId,
      authority: u.authority,
      measures: ["asset-freeze"],
      announcedOn: u.knownFrom,
      effectiveFrom: u.knownFrom,
      undetermined: { since: u.since, reason: u.reason },
    },
    source: { title: "Consolidated list, publication of 2015-06-15", publishedOn: u.knownFrom },
  });
}

/**
 * An organisation whose only sanction (in force from 2016-02-01, open-ended) is retracted:
 * the corrections report from before the retraction to after it has an open range of days.
 * Returns the moment between the imposition and the retraction.
 */
export const RETRACTED = {
  entityId: "test-org-retracted",
  sanctionId: "eu-retracted-freeze",
  effectiveFrom: "2016-02-01",
} as const;

export async function addRetracted(baseUrl: string): Promise<string> {
  const r = RETRACTED;
  await append(baseUrl, r.entityId, {
    eventId: `${r.entityId}-1`,
    type: "EntityRegistered",
    data: { name: "Harbour Light Trading", kind: "organization" },
  });
  await append(baseUrl, r.entityId, {
    eventId: `${r.entityId}-2`,
    type: "SanctionImposed",
    data: {
      sanctionId: r.sanctionId,
      authority: "EU",
      measures: ["asset-freeze"],
      announcedOn: r.effectiveFrom,
      effectiveFrom: r.effectiveFrom,
    },
  });
  const events = (await (await fetch(`${baseUrl}/entities/${r.entityId}/events`)).json()) as {
    events: { version: number; recordedAt: string }[];
  };
  const imposed = events.events.find((e) => e.version === 2);
  if (!imposed) throw new Error("the imposition is missing");
  await append(baseUrl, r.entityId, {
    eventId: `${r.entityId}-3`,
    type: "EventRetracted",
    data: { version: 2, reason: "entered against the wrong organisation" },
  });
  return imposed.recordedAt;
}
