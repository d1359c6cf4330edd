/**
 * The timeline picture: one lane per sanction on the valid-time axis, with the announcement,
 * the pending span, the in-force intervals (one segment per stretch of unchanged terms), the end,
 * what a correction replaced, undetermined days, and a cursor on `asOf`.
 */
import { authorityStyle, patternId } from "./authorities.js";
import type { CorrectionView } from "./corrections.js";
import { addDays, dayNumber } from "./days.js";
import { h, s } from "./dom.js";
import type { Timeline, TimelineSanction } from "./types.js";

export interface TimelineInput {
  timeline: Timeline;
  asOf: string;
  corrections: CorrectionView[];
  width: number;
}

const LABEL_H = 18;
const BAR_H = 16;
const GHOST_H = 12;
const LANE_GAP = 14;
const AXIS_H = 48;
const PAD_X = 12;

/** The days on which a sanction's status is not known, in words. */
export function undeterminedText(u: NonNullable<TimelineSanction["undetermined"]>): string {
  return u.since === null
    ? `status not known before ${u.until}`
    : `status not known from ${u.since} until ${u.until}`;
}

/** A label under a believed span, shortened and moved left so that it stays in the picture. */
function ghostLabel(
  long: string,
  short: string,
  x: number,
  y: number,
  width: number,
  cls = "ghost-label",
) {
  const charWidth = 6.6; // at 12px: an estimate, so that the label is placed without measuring
  const room = width - 2 * PAD_X;
  const text = long.length * charWidth <= room ? long : short;
  const left = Math.max(PAD_X, Math.min(x, width - PAD_X - text.length * charWidth));
  return s("text", { x: left, y, class: cls }, text);
}

function spanDays(input: TimelineInput): [number, number] {
  const days = [input.asOf];
  const add = (t: TimelineSanction | undefined) => {
    if (!t) return;
    days.push(t.announcedOn, t.effectiveFrom);
    if (t.end) days.push(t.end);
    for (const i of t.intervals) if (i.until) days.push(i.until);
    if (t.undetermined?.since) days.push(t.undetermined.since);
  };
  for (const t of input.timeline.sanctions) add(t);
  for (const c of input.corrections) add(c.believed);
  const numbers = days.map(dayNumber);
  let lo = Math.min(...numbers);
  let hi = Math.max(...numbers);
  const pad = Math.max(7, Math.round((hi - lo) * 0.08));
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

function ticks(lo: number, hi: number, width: number): number[] {
  const count = Math.max(2, Math.min(8, Math.floor(width / 120)));
  const step = (hi - lo) / count;
  return Array.from({ length: count + 1 }, (_, i) => Math.round(lo + i * step));
}

function defs(authorities: string[]): SVGDefsElement {
  const patterns = authorities.map((a) => {
    const { colour, pattern } = authorityStyle(a);
    const marks: SVGElement[] = [];
    const mark = { stroke: "#ffffff", "stroke-width": 1.5, fill: "none" };
    if (pattern === "stripes") marks.push(s("path", { d: "M0,8 L8,0", ...mark }));
    if (pattern === "dots") marks.push(s("circle", { cx: 4, cy: 4, r: 1.5, fill: "#ffffff" }));
    if (pattern === "cross") marks.push(s("path", { d: "M0,0 L8,8 M8,0 L0,8", ...mark }));
    if (pattern === "grid") marks.push(s("path", { d: "M4,0 L4,8 M0,4 L8,4", ...mark }));
    if (pattern === "waves") marks.push(s("path", { d: "M0,4 Q2,1 4,4 T8,4", ...mark }));
    return s(
      "pattern",
      { id: patternId(a), width: 8, height: 8, patternUnits: "userSpaceOnUse" },
      s("rect", { width: 8, height: 8, fill: colour }),
      marks,
    );
  });
  const hatch = s(
    "pattern",
    { id: "pattern-undetermined", width: 6, height: 6, patternUnits: "userSpaceOnUse" },
    s("rect", { width: 6, height: 6, fill: "#f1f1f1" }),
    s("path", { d: "M0,6 L6,0", stroke: "#6b6b6b", "stroke-width": 1 }),
  );
  return s("defs", {}, patterns, hatch);
}

function fmt(measures: readonly string[]): string {
  return measures.join(", ");
}

/** The timeline as an SVG element, with a text alternative for each mark. */
export function renderTimeline(input: TimelineInput): SVGSVGElement {
  const { timeline, asOf, width } = input;
  const [lo, hi] = spanDays(input);
  const x = (day: string) => PAD_X + ((dayNumber(day) - lo) / (hi - lo)) * (width - 2 * PAD_X);
  const right = width - PAD_X;
  const ids = [
    ...new Set([
      ...timeline.sanctions.map((t) => t.sanctionId),
      ...input.corrections.map((c) => c.sanctionId),
    ]),
  ];
  const authorities = new Set<string>();
  const lanes: SVGElement[] = [];
  let y = AXIS_H;
  for (const id of ids) {
    const current = timeline.sanctions.find((t) => t.sanctionId === id);
    const fixes = input.corrections.filter((c) => c.sanctionId === id);
    const authority = current?.authority ?? fixes[0]?.authority ?? "unknown";
    authorities.add(authority);
    const style = authorityStyle(authority);
    const lane: SVGElement[] = [];
    const barY = y + LABEL_H;
    lane.push(
      s(
        "text",
        { x: PAD_X, y: y + 13, class: "lane-label" },
        `${id} · ${authority}${current ? "" : " (no longer held)"}`,
      ),
    );
    const undetermined = current?.undetermined;
    if (undetermined) {
      const start = undetermined.since === null ? PAD_X : x(undetermined.since);
      lane.push(
        s(
          "rect",
          {
            x: start,
            y: barY,
            width: Math.max(2, x(undetermined.until) - start),
            height: BAR_H,
            fill: "url(#pattern-undetermined)",
            stroke: "#6b6b6b",
            "stroke-dasharray": "2 2",
            class: "undetermined",
          },
          s("title", {}, `${id}: ${undeterminedText(undetermined)}: ${undetermined.reason}`),
        ),
      );
    }
    if (current) {
      let pendingEnd =
        current.end && current.end < current.effectiveFrom ? current.end : current.effectiveFrom;
      // Undetermined comes before pending: the days not known are not drawn as announced.
      const notKnownFrom = undetermined && (undetermined.since ?? current.announcedOn);
      if (notKnownFrom && notKnownFrom < pendingEnd) pendingEnd = notKnownFrom;
      if (current.announcedOn < pendingEnd) {
        lane.push(
          s(
            "rect",
            {
              x: x(current.announcedOn),
              y: barY + 3,
              width: Math.max(2, x(pendingEnd) - x(current.announcedOn)),
              height: BAR_H - 6,
              fill: "#ffffff",
              stroke: style.colour,
              "stroke-width": 2,
              "stroke-dasharray": "4 2",
              class: "pending",
            },
            s("title", {}, `${id}: pending from ${current.announcedOn} until ${pendingEnd}`),
          ),
        );
      }
      current.intervals.forEach((interval, i) => {
        const x0 = x(interval.from);
        const x1 = interval.until ? x(interval.until) : right;
        lane.push(
          s(
            "rect",
            {
              x: x0 + (i > 0 ? 1.5 : 0),
              y: barY,
              width: Math.max(2, x1 - x0 - (i > 0 ? 1.5 : 0)),
              height: BAR_H,
              fill: `url(#${patternId(authority)})`,
              stroke: style.colour,
              class: i > 0 ? "in-force amended" : "in-force",
            },
            s(
              "title",
              {},
              `${id} (${authority}): in force from ${interval.from}${
                interval.until ? ` until ${interval.until}` : " (open-ended)"
              }${i > 0 ? ", amended terms" : ""}: ${fmt(interval.measures)}; events ${interval.basis.join(", ")}`,
            ),
          ),
        );
        if (i > 0)
          lane.push(
            s("path", {
              d: `M${x0},${barY - 4} L${x0},${barY + BAR_H + 4}`,
              stroke: "#1a1a1a",
              "stroke-width": 2,
              class: "amendment",
            }),
          );
      });
      const ax = x(current.announcedOn);
      const my = barY + BAR_H / 2;
      lane.push(
        s(
          "polygon",
          {
            points: `${ax},${my - 7} ${ax + 6},${my} ${ax},${my + 7} ${ax - 6},${my}`,
            fill: "#1a1a1a",
            class: "announced",
          },
          s("title", {}, `${id}: announced on ${current.announcedOn}`),
        ),
      );
      if (current.end) {
        const ex = x(current.end);
        lane.push(
          s(
            "path",
            {
              d: `M${ex},${barY - 3} L${ex},${barY + BAR_H + 3} M${ex - 4},${barY - 3} L${ex},${barY - 3}`,
              stroke: "#1a1a1a",
              "stroke-width": 3,
              class: "end",
            },
            s("title", {}, `${id}: ends ${current.end} (first day out of force)`),
          ),
        );
      } else {
        lane.push(
          s(
            "text",
            { x: right - 2, y: barY + BAR_H - 3, "text-anchor": "end", class: "open" },
            "→",
          ),
        );
      }
    }
    let ghostY = barY + BAR_H + 6;
    if (undetermined) {
      const start = undetermined.since === null ? PAD_X : x(undetermined.since);
      lane.push(
        ghostLabel(
          `${undeterminedText(undetermined)} (not “not sanctioned”)`,
          undeterminedText(undetermined),
          start + 4,
          ghostY + 12,
          width,
          "undetermined-label",
        ),
      );
      ghostY += 18;
    }
    for (const fix of fixes) {
      const b = fix.believed;
      if (!b) continue;
      const bx0 = x(b.effectiveFrom);
      const bx1 = b.end ? x(b.end) : right;
      lane.push(
        s(
          "g",
          { class: "believed" },
          s(
            "rect",
            {
              x: bx0,
              y: ghostY,
              width: Math.max(2, bx1 - bx0),
              height: GHOST_H,
              fill: "none",
              stroke: "#1a1a1a",
              "stroke-dasharray": "3 3",
            },
            s(
              "title",
              {},
              `${id}: believed in force from ${b.effectiveFrom}${b.end ? ` until ${b.end}` : ""} until corrected at ${fix.at}`,
            ),
          ),
          ghostLabel(
            `believed from ${b.effectiveFrom}, corrected ${fix.at.slice(0, 10)}`,
            `believed from ${b.effectiveFrom}`,
            bx0 + 4,
            ghostY + GHOST_H + 12,
            width,
          ),
        ),
      );
      ghostY += GHOST_H + 18;
    }
    lanes.push(s("g", { class: "lane", "data-sanction": id }, lane));
    y = ghostY + LANE_GAP;
  }
  const height = y + 4;
  const all = ticks(lo, hi, width);
  const axis = all.map((n, i) => {
    const day = addDays("1970-01-01", n);
    const tx = x(day);
    const anchor = i === 0 ? "start" : i === all.length - 1 ? "end" : "middle";
    return s(
      "g",
      { class: "tick" },
      s("path", { d: `M${tx},18 L${tx},${height}`, stroke: "#d0d0d0" }),
      s("text", { x: tx, y: 13, "text-anchor": anchor }, day),
    );
  });
  const cx = x(asOf);
  const cursor = s(
    "g",
    { class: "cursor" },
    s("path", {
      d: `M${cx},${AXIS_H - 12} L${cx},${height}`,
      stroke: "#1a1a1a",
      "stroke-width": 2,
    }),
    s(
      "text",
      {
        x: cx,
        y: AXIS_H - 15,
        "text-anchor": cx > width - 80 ? "end" : cx < 80 ? "start" : "middle",
        class: "cursor-label",
      },
      `asOf ${asOf}`,
    ),
  );
  const summary = ids.length
    ? `Timeline of ${ids.length} sanction(s) as known at ${timeline.knownAt}, with a cursor on ${asOf}.`
    : `No sanctions known at ${timeline.knownAt}.`;
  return s(
    "svg",
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": summary,
      class: "timeline-svg",
    },
    defs([...authorities]),
    axis,
    lanes,
    cursor,
  );
}

/** The legend: each authority's swatch and name, and what each mark means. */
export function renderLegend(authorities: string[]): HTMLElement {
  const swatch = (fill: string, stroke: string, dash?: string) =>
    s(
      "svg",
      { width: 28, height: 14, "aria-hidden": "true" },
      s("rect", {
        x: 1,
        y: 1,
        width: 26,
        height: 12,
        fill,
        stroke,
        ...(dash ? { "stroke-dasharray": dash } : {}),
      }),
    );
  return h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    authorities.map((a) =>
      h(
        "li",
        {},
        swatch(`url(#${patternId(a)})`, authorityStyle(a).colour),
        ` in force (${a}, ${authorityStyle(a).pattern})`,
      ),
    ),
    h("li", {}, swatch("#ffffff", "#1a1a1a", "4 2"), " pending"),
    h("li", {}, swatch("url(#pattern-undetermined)", "#6b6b6b"), " not known"),
    h("li", {}, swatch("none", "#1a1a1a", "3 3"), " believed before a correction"),
    h("li", {}, "◆ announced · | end · ┃ amendment · → open-ended"),
  );
}
