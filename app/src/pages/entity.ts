/**
 * An entity: the answer card on `asOf` as known at `knownAt`, the timeline, the record-time
 * control, the corrections, the event stream and its verification.
 */
import { allEvents, api } from "../api.js";
import { type CheckpointResult, verifyCheckpoint } from "../checkpoint.js";
import { type CorrectionView, corrections, momentsBefore } from "../corrections.js";
import { h } from "../dom.js";
import { record } from "../nav.js";
import type { PageRoute } from "../routes.js";
import { renderLegend, renderTimeline, undeterminedText } from "../timeline.js";
import type {
  EntityState,
  LoggedEvent,
  Sanction,
  Timeline,
  TimelineSanction,
  Undetermined,
  Verification,
} from "../types.js";
import { field, formValues, heading, link, loading, problemBox, textInput } from "../ui.js";
import { daysText } from "./corrections.js";

type Route = Extract<PageRoute, { page: "entity" }>;

const versionLink = (v: number) => h("a", { href: `#event-${v}`, class: "version" }, `v${v}`);

const versionLinks = (versions: number[]) =>
  versions.flatMap((v, i) => (i === 0 ? [versionLink(v)] : [", ", versionLink(v)]));

/** The versions an answer's sanction rests on: the timeline interval it stands in on `asOf`. */
function basisOf(
  timeline: Timeline | undefined,
  sanction: { sanctionId: string },
  asOf: string,
): number[] {
  const t = timeline?.sanctions.find((x) => x.sanctionId === sanction.sanctionId);
  const interval =
    t?.intervals.find((i) => i.from <= asOf && (i.until === null || asOf < i.until)) ??
    t?.intervals[0];
  return interval?.basis ?? [];
}

function sanctionItem(s: Sanction, kind: "in-force" | "pending", basis: number[]): HTMLElement {
  return h(
    "li",
    { class: `sanction ${kind}`, "data-sanction": s.sanctionId },
    h(
      "p",
      { class: "sanction-title" },
      h("strong", {}, s.sanctionId),
      " ",
      h("span", { class: "authority" }, s.authority),
      s.program ? ` · ${s.program}` : "",
    ),
    h(
      "dl",
      {},
      h("dt", {}, "Measures"),
      h("dd", {}, s.measures.join(", ")),
      h("dt", {}, "Announced"),
      h("dd", {}, s.announcedOn),
      h("dt", {}, kind === "pending" ? "In force from" : "In force since"),
      h("dd", { class: "effective-from" }, s.effectiveFrom),
      s.termsFrom !== s.effectiveFrom
        ? [h("dt", {}, "Terms since"), h("dd", {}, s.termsFrom)]
        : null,
      h("dt", {}, "Ends"),
      h("dd", {}, s.end ?? "open-ended"),
      s.scope?.goods?.length ? [h("dt", {}, "Goods"), h("dd", {}, s.scope.goods.join(", "))] : null,
      s.scope?.note ? [h("dt", {}, "Scope"), h("dd", {}, s.scope.note)] : null,
      s.legalBasis ? [h("dt", {}, "Legal basis"), h("dd", {}, s.legalBasis)] : null,
      h("dt", {}, "Events"),
      h("dd", {}, basis.length ? versionLinks(basis) : "—"),
    ),
  );
}

function undeterminedItem(u: Undetermined, basis: number[]): HTMLElement {
  return h(
    "li",
    { class: "sanction undetermined", "data-sanction": u.sanctionId },
    h(
      "p",
      { class: "sanction-title" },
      h("strong", {}, u.sanctionId),
      " ",
      h("span", { class: "authority" }, u.authority),
      u.program ? ` · ${u.program}` : "",
    ),
    h(
      "p",
      { class: "not-known" },
      "Status not known on this day: it may already have been in force. Not known is not “not sanctioned”.",
    ),
    h(
      "dl",
      {},
      h("dt", {}, "Not known"),
      h(
        "dd",
        { class: "not-known-days" },
        u.since === null ? `before ${u.knownFrom}` : `from ${u.since} until ${u.knownFrom}`,
      ),
      h("dt", {}, "Known from"),
      h("dd", { class: "known-from" }, u.knownFrom),
      h("dt", {}, "Why"),
      h("dd", {}, u.reason),
      h("dt", {}, "Events"),
      h("dd", {}, basis.length ? versionLinks(basis) : "—"),
    ),
  );
}

function answerCard(state: EntityState, timeline: Timeline | undefined): HTMLElement {
  const undetermined = state.undetermined;
  const verdict =
    state.inForce.length > 0
      ? {
          cls: "sanctioned",
          text: `Sanctioned: ${state.inForce.length} sanction${state.inForce.length === 1 ? "" : "s"} in force`,
        }
      : undetermined.length > 0
        ? {
            cls: "undetermined",
            text: `Status not known: ${undetermined.length} sanction${undetermined.length === 1 ? "" : "s"} undetermined`,
          }
        : state.pending.length > 0
          ? { cls: "pending", text: "Not in force yet: pending" }
          : { cls: "clear", text: "No sanction in force, pending or undetermined" };
  const group = (title: string, cls: string, items: HTMLElement[]) =>
    h(
      "section",
      { class: `group ${cls}`, "aria-label": title },
      h("h3", {}, `${title} (${items.length})`),
      items.length ? h("ul", { class: "sanctions" }, items) : h("p", { class: "none" }, "None."),
    );
  return h(
    "div",
    { class: "card" },
    h("p", { class: `verdict ${verdict.cls}` }, verdict.text),
    h(
      "p",
      { class: "when" },
      `On ${state.asOf}, as known at ${state.knownAt} (version ${state.version}).`,
    ),
    group(
      "In force",
      "in-force",
      state.inForce.map((s) => sanctionItem(s, "in-force", basisOf(timeline, s, state.asOf))),
    ),
    group(
      "Pending",
      "pending",
      state.pending.map((s) => sanctionItem(s, "pending", basisOf(timeline, s, state.asOf))),
    ),
    group(
      "Undetermined",
      "undetermined",
      undetermined.map((u) => undeterminedItem(u, basisOf(timeline, u, state.asOf))),
    ),
    h("p", { class: "basis" }, "The answer rests on events ", versionLinks(state.basis), "."),
  );
}

/** An imposition's `undetermined` field, in words: its start is not stated. */
function undeterminedOf(value: unknown): string {
  if (typeof value !== "object" || value === null) return "";
  const since = (value as { since?: unknown }).since;
  return typeof since === "string"
    ? `; start not stated: status not known from ${since} until then`
    : "; start not stated: status not known before then";
}

function eventDates(e: LoggedEvent): string {
  const d = e.data as Record<string, unknown>;
  const str = (k: string) => (typeof d[k] === "string" ? (d[k] as string) : undefined);
  switch (e.type) {
    case "EntityRegistered":
      return `registered: ${str("name") ?? ""} (${str("kind") ?? ""})`;
    case "EntityAmended":
      return "details amended";
    case "SanctionImposed":
      return `${str("sanctionId")}: announced ${str("announcedOn")}, in force from ${str("effectiveFrom")}${str("effectiveUntil") ? ` until ${str("effectiveUntil")}` : ""}${undeterminedOf(d.undetermined)}`;
    case "SanctionAmended":
      return `${str("sanctionId")}: amended from ${str("effectiveFrom")}${d.effectiveUntil !== undefined ? `, ends ${str("effectiveUntil") ?? "never"}` : ""}`;
    case "SanctionLifted":
      return `${str("sanctionId")}: lifted from ${str("effectiveFrom")}${str("reason") ? ` (${str("reason")})` : ""}`;
    case "EventRetracted":
      return `retracts v${String(d.version)}: ${str("reason") ?? ""}`;
    default:
      return "";
  }
}

function inclusionCell(result: CheckpointResult | undefined, version: number): string {
  if (!result) return "checking…";
  if (result.state !== "verified") return "—";
  const inc = result.inclusion.get(version);
  if (!inc) return "—";
  if (inc.state === "included") return `✓ leaf ${inc.leafIndex}`;
  if (inc.state === "pending") return "not yet in a checkpoint";
  return `✗ ${inc.reason}`;
}

function eventsTable(
  events: LoggedEvent[],
  knownAt: string,
  checkpoint: CheckpointResult | undefined,
): HTMLElement {
  const retractedBy = new Map<number, number>();
  for (const e of events)
    if (e.type === "EventRetracted" && e.recordedAt <= knownAt)
      retractedBy.set(Number(e.data.version), e.version);
  return h(
    "div",
    { class: "table-scroll", tabindex: 0, role: "region", "aria-label": "Event stream" },
    h(
      "table",
      { class: "events" },
      h("caption", {}, "The entity's event stream, oldest first"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [
            "Version",
            "Type",
            "Dates",
            "Source",
            "Actor",
            "Recorded at",
            "Hash",
            "In checkpoint",
          ].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        events.map((e) => {
          const later = e.recordedAt > knownAt;
          const retracted = retractedBy.get(e.version);
          return h(
            "tr",
            { id: `event-${e.version}`, class: later ? "later" : retracted ? "retracted" : "" },
            h("td", {}, `v${e.version}`),
            h(
              "td",
              {},
              e.type,
              retracted ? h("small", {}, ` (retracted by v${retracted})`) : null,
              later ? h("small", {}, " (recorded after knownAt)") : null,
            ),
            h("td", {}, eventDates(e)),
            h(
              "td",
              {},
              e.source
                ? [
                    e.source.url
                      ? h(
                          "a",
                          { href: e.source.url, rel: "noopener noreferrer", target: "_blank" },
                          e.source.title,
                        )
                      : e.source.title,
                    e.source.publishedOn ? h("small", {}, ` (${e.source.publishedOn})`) : null,
                  ]
                : "—",
            ),
            h("td", {}, e.actor),
            h("td", {}, h("time", { datetime: e.recordedAt }, e.recordedAt)),
            h("td", {}, h("code", { title: e.hash }, `${e.hash.slice(0, 12)}…`)),
            h("td", { class: "inclusion" }, inclusionCell(checkpoint, e.version)),
          );
        }),
      ),
    ),
  );
}

function verificationBadge(
  verification: Verification | Error | undefined,
  checkpoint: CheckpointResult | Error | undefined,
): HTMLElement {
  const chain =
    verification === undefined
      ? h("p", { class: "badge checking" }, "Hash chain: checking…")
      : verification instanceof Error
        ? problemBox(verification, "Hash chain")
        : verification.valid
          ? h(
              "p",
              { class: "badge ok" },
              `✓ Hash chain verified: ${verification.version} events, head `,
              h("code", { title: verification.headHash }, `${verification.headHash.slice(0, 12)}…`),
            )
          : h(
              "p",
              { class: "badge bad" },
              `✗ Hash chain broken${verification.firstBrokenVersion ? ` at version ${verification.firstBrokenVersion}` : ""}`,
            );
  const log =
    checkpoint === undefined
      ? h("p", { class: "badge checking" }, "Signed checkpoint: checking…")
      : checkpoint instanceof Error
        ? problemBox(checkpoint, "Signed checkpoint")
        : checkpoint.state === "unavailable"
          ? h(
              "p",
              { class: "badge neutral" },
              `Signed checkpoints are not available: ${checkpoint.detail}`,
            )
          : checkpoint.state === "invalid"
            ? h(
                "p",
                { class: "badge bad" },
                `✗ Signed checkpoint not verified: ${checkpoint.detail}`,
              )
            : (() => {
                const all = [...checkpoint.inclusion.values()];
                const included = all.filter((i) => i.state === "included").length;
                const failed = all.filter((i) => i.state === "failed").length;
                return h(
                  "p",
                  { class: `badge ${failed ? "bad" : "ok"}` },
                  failed ? "✗ " : "✓ ",
                  `Checkpoint ${checkpoint.origin} size ${checkpoint.treeSize}: signature verified in this browser with key `,
                  h("code", {}, checkpoint.keyId),
                  `; ${included} of ${all.length} events proven included`,
                  failed ? `, ${failed} failed` : "",
                  all.length - included - failed
                    ? `, ${all.length - included - failed} not yet in a checkpoint`
                    : "",
                  ".",
                );
              })();
  return h("div", { class: "verification", "aria-live": "polite" }, chain, log);
}

/** What the ledger says of a sanction's days, in a few words. */
function beliefText(t: TimelineSanction): string {
  const force =
    t.end !== null && t.end <= t.effectiveFrom
      ? `never in force (ended ${t.end})`
      : `in force from ${t.effectiveFrom}${t.end ? ` until ${t.end}` : ""}`;
  return t.undetermined ? `${force}, ${undeterminedText(t.undetermined)}` : force;
}

function correctionsList(views: CorrectionView[]): HTMLElement {
  if (views.length === 0)
    return h(
      "p",
      { class: "none" },
      "No correction changed this entity's history as known at this moment.",
    );
  return h(
    "ul",
    { class: "corrections" },
    views.map((c) =>
      h(
        "li",
        { "data-sanction": c.sanctionId },
        h("strong", {}, c.sanctionId),
        ` (${c.authority}), corrected at `,
        h("time", { datetime: c.at }, c.at),
        " by events ",
        versionLinks(c.versions),
        c.reason ? `: ${c.reason}` : "",
        h(
          "p",
          {},
          "Believed: ",
          c.believed ? beliefText(c.believed) : "not held",
          ". Now: ",
          c.now ? beliefText(c.now) : "no longer held",
          ".",
        ),
        c.changes.length
          ? h(
              "ul",
              {},
              c.changes.map((r) =>
                h("li", { class: "change" }, `${daysText(r)}: ${r.before} → ${r.after}`),
              ),
            )
          : h("p", {}, "Only the terms changed."),
      ),
    ),
  );
}

export async function entityPage(page: HTMLElement, route: Route, live: () => boolean) {
  let asOf = route.asOf;
  let knownAt = route.knownAt;
  document.title = `${route.entityId} · sanctions-ledger`;
  const title = heading(route.entityId);
  const details = h("p", { class: "details" });
  const asOfInput = textInput("asOf", asOf, { type: "date" });
  const knownAtInput = textInput("knownAt", knownAt, { placeholder: "latest" });
  const form = h(
    "form",
    { class: "filters" },
    field("On (asOf)", asOfInput, "Default: today"),
    field("As known at (knownAt)", knownAtInput, "RFC 3339; empty: latest"),
    h("div", { class: "field actions" }, h("button", { type: "submit" }, "Show")),
  );
  const slider = h("input", { type: "range", name: "moment", min: 0, max: 0, step: 1, value: 0 });
  const sliderLabel = h("output", { for: "field-moment", id: "moment-output" });
  const moments = h("ol", { class: "moments" });
  const recordTime = h(
    "section",
    { class: "record-time", "aria-labelledby": "record-time-title" },
    h("h2", { id: "record-time-title" }, "Record time"),
    h(
      "p",
      {},
      "Move through the moments the ledger recorded something about this entity: the answer and the picture redraw as the ledger knew them then.",
    ),
    field("As known at", slider),
    sliderLabel,
    moments,
  );
  const card = h("section", { class: "answer", "aria-labelledby": "answer-title" });
  const picture = h("div", { class: "timeline" });
  const legend = h("div");
  const fixes = h("div");
  const stream = h("div");
  const badge = h("div");
  page.append(
    h(
      "p",
      { class: "crumbs" },
      link({ page: "search", q: "", asOf: "" }, "Search"),
      " / ",
      h("code", {}, route.entityId),
    ),
    title,
    details,
    badge,
    form,
    card,
    h(
      "section",
      { class: "picture", "aria-labelledby": "timeline-title" },
      h("h2", { id: "timeline-title" }, "Timeline"),
      legend,
      picture,
    ),
    recordTime,
    h(
      "section",
      { "aria-labelledby": "corrections-title" },
      h("h2", { id: "corrections-title" }, "Corrections"),
      fixes,
    ),
    h(
      "section",
      { "aria-labelledby": "events-title" },
      h("h2", { id: "events-title" }, "Event stream"),
      stream,
    ),
  );
  card.append(h("h2", { id: "answer-title" }, "Answer"), loading());

  let events: LoggedEvent[] = [];
  let verification: Verification | Error | undefined;
  let checkpoint: CheckpointResult | Error | undefined;
  let effectiveKnownAt = "";
  let drawn: { timeline: Timeline; views: CorrectionView[]; asOf: string } | undefined;
  const timelineCache = new Map<string, Promise<Timeline>>();
  const timelineAt = (k: string) => {
    let t = timelineCache.get(k);
    if (!t) {
      t = api.timeline(route.entityId, k ? { knownAt: k } : {});
      timelineCache.set(k, t);
    }
    return t;
  };

  const drawBadge = () => badge.replaceChildren(verificationBadge(verification, checkpoint));
  const drawStream = () =>
    stream.replaceChildren(
      events.length
        ? eventsTable(
            events,
            effectiveKnownAt,
            checkpoint instanceof Error ? undefined : checkpoint,
          )
        : loading(),
    );
  const drawPicture = () => {
    if (!drawn) return;
    const width = Math.max(300, Math.floor(picture.clientWidth || page.clientWidth || 800));
    const authorities = [
      ...new Set([
        ...drawn.timeline.sanctions.map((t) => t.authority),
        ...drawn.views.map((v) => v.authority),
      ]),
    ];
    legend.replaceChildren(authorities.length ? renderLegend(authorities) : "");
    picture.replaceChildren(
      renderTimeline({
        timeline: drawn.timeline,
        asOf: drawn.asOf,
        corrections: drawn.views,
        width,
      }),
    );
  };
  new ResizeObserver(() => drawPicture()).observe(picture);

  const drawSlider = () => {
    const n = events.length;
    slider.max = String(n);
    const position = knownAt ? events.filter((e) => e.recordedAt <= knownAt).length - 1 : n;
    slider.value = String(Math.max(0, position));
    const text = knownAt
      ? `${knownAt}${position >= 0 && events[position] ? ` (after v${events[position]?.version})` : " (before the first event)"}`
      : "latest (everything recorded)";
    slider.setAttribute("aria-valuetext", text);
    sliderLabel.textContent = `As known at ${text}`;
    const choose = (k: string) => () => void update(asOf, k, true);
    moments.replaceChildren(
      ...(n <= 40
        ? [
            ...events.map((e, i) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    type: "button",
                    "aria-pressed": String(i === position),
                    onclick: choose(e.recordedAt),
                  },
                  `${e.recordedAt} · v${e.version} ${e.type}`,
                ),
              ),
            ),
            h(
              "li",
              {},
              h(
                "button",
                { type: "button", "aria-pressed": String(position === n), onclick: choose("") },
                "Latest",
              ),
            ),
          ]
        : []),
    );
  };
  slider.addEventListener("change", () => {
    const i = Number(slider.value);
    void update(asOf, i >= events.length ? "" : (events[i]?.recordedAt ?? ""), true);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const v = formValues(form);
    void update(v.asOf ?? "", v.knownAt ?? "", true);
  });

  let generation = 0;
  async function update(nextAsOf: string, nextKnownAt: string, push: boolean): Promise<void> {
    asOf = nextAsOf;
    knownAt = nextKnownAt;
    if (push) record({ page: "entity", entityId: route.entityId, asOf, knownAt });
    asOfInput.value = asOf;
    knownAtInput.value = knownAt;
    const mine = ++generation;
    const fresh = () => mine === generation && live();
    drawSlider();
    card.setAttribute("aria-busy", "true");
    try {
      const query = { ...(asOf ? { asOf } : {}), ...(knownAt ? { knownAt } : {}) };
      const [state, timeline] = await Promise.all([
        api.entity(route.entityId, query),
        timelineAt(knownAt),
      ]);
      if (!fresh()) return;
      effectiveKnownAt = timeline.knownAt;
      title.replaceChildren(state.name, " ", h("small", {}, h("code", {}, state.entityId)));
      document.title = `${state.name} · sanctions-ledger`;
      details.textContent = [
        state.kind,
        state.country ? `country ${state.country}` : "",
        state.aliases.length ? `also known as ${state.aliases.join(", ")}` : "",
        ...state.identifiers.map((i) => `${i.scheme} ${i.value}`),
      ]
        .filter(Boolean)
        .join(" · ");
      card.replaceChildren(h("h2", { id: "answer-title" }, "Answer"), answerCard(state, timeline));
      drawn = { timeline, views: [], asOf: state.asOf };
      drawPicture();
      drawStream();
      // What was believed before each correction: the timeline just before it was recorded.
      const befores = momentsBefore(events, effectiveKnownAt);
      const beforeTimelines = new Map(
        await Promise.all(befores.map(async (m) => [m, await timelineAt(m)] as const)),
      );
      if (!fresh()) return;
      const views = corrections(events, effectiveKnownAt, timeline, beforeTimelines);
      drawn = { ...drawn, views };
      drawPicture();
      fixes.replaceChildren(correctionsList(views));
    } catch (error) {
      if (!fresh()) return;
      card.replaceChildren(h("h2", { id: "answer-title" }, "Answer"), problemBox(error));
      picture.replaceChildren();
      legend.replaceChildren();
      fixes.replaceChildren();
      drawn = undefined;
    } finally {
      if (fresh()) card.removeAttribute("aria-busy");
    }
  }

  drawBadge();
  const eventsLoaded = allEvents(route.entityId).then(
    (all) => {
      events = all;
    },
    (error: unknown) => {
      stream.replaceChildren(problemBox(error, "Event stream"));
    },
  );
  void api.verify(route.entityId).then(
    (v) => {
      verification = v;
      if (live()) drawBadge();
    },
    (error: unknown) => {
      verification = error instanceof Error ? error : new Error(String(error));
      if (live()) drawBadge();
    },
  );
  await eventsLoaded;
  if (!live()) return;
  void verifyCheckpoint(route.entityId, events).then(
    (result) => {
      checkpoint = result;
      if (live()) {
        drawBadge();
        drawStream();
      }
    },
    (error: unknown) => {
      checkpoint = error instanceof Error ? error : new Error(String(error));
      if (live()) drawBadge();
    },
  );
  await update(asOf, knownAt, false);
}
