import { stat } from "node:fs/promises";
import type { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { isIsoDate } from "../../functions/domain/dates.js";
import { esc, table } from "../format.js";
import type { ImportPlan } from "../import/diff.js";
import type { Publication } from "../import/model.js";
import type { ImportProgress, ImportSummary } from "../import/run.js";
import { type CliContext, CliExit, examples, wholeNumber } from "./context.js";

// The parsers, the importer and the progress bar are loaded when an import runs: they are
// most of the CLI's code and every other command (and --version) starts without them.

const FORMATS = ["ofac-csv", "un-xml"] as const;
type Format = (typeof FORMATS)[number];

async function readPublication(format: Format, path: string): Promise<Publication> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CliExit(1, `cannot read ${path}: no such file or folder`);
  if (format === "ofac-csv") {
    if (!info.isDirectory())
      throw new CliExit(1, `ofac-csv reads a folder of CSV files; ${path} is not one`);
    const { parseOfacCsv } = await import("../import/ofac.js");
    return parseOfacCsv(path);
  }
  if (info.isDirectory()) throw new CliExit(1, `un-xml reads one XML file; ${path} is a folder`);
  const { parseUnXml } = await import("../import/un.js");
  return parseUnXml(path);
}

/** Progress on a terminal as a bar; elsewhere as a line now and then. */
async function progressReporter(ctx: CliContext, tty: boolean) {
  const { SingleBar } = tty ? await import("cli-progress") : { SingleBar: undefined };
  let bar: SingleBar | undefined;
  let phase: ImportProgress["phase"] | undefined;
  let lastLog = 0;
  const started = Date.now();
  return {
    update(p: ImportProgress) {
      if (SingleBar) {
        if (phase !== p.phase) {
          bar?.stop();
          bar = new SingleBar({
            format: `${p.phase === "reading" ? "reading ledger" : "writing events"} [{bar}] {value}/{total} {unit} | {rate}/s | eta {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
          });
          bar.start(p.total, 0, { unit: p.phase === "reading" ? "entries" : "events", rate: "0" });
          phase = p.phase;
        }
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        bar?.update(p.done, { rate: (p.done / seconds).toFixed(0) });
        return;
      }
      const now = Date.now();
      if (p.done === p.total || now - lastLog > 2000) {
        lastLog = now;
        ctx.io.stderr(
          `${p.phase}: ${p.done}/${p.total}${p.phase === "writing" ? " events" : " entries"}\n`,
        );
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

function describePlan(plan: ImportPlan, width?: number): string {
  const entries = [...plan.entries, ...(plan.record ? [plan.record] : [])];
  const rows = entries.flatMap((entry) =>
    entry.events.map((e) => {
      const undetermined = e.data.undetermined as { since?: string } | undefined;
      return [
        entry.entityId,
        e.type,
        e.type === "EventRetracted"
          ? `version ${e.data.version}`
          : e.type === "PublicationImported"
            ? `${e.data.list} of ${e.data.publishedOn}`
            : String(e.data.sanctionId ?? e.data.name ?? (e.data.aliases ? "aliases" : "")),
        e.type === "SanctionImposed"
          ? `${undetermined ? `undetermined ${undetermined.since ?? "before"} → ` : ""}${e.data.announcedOn} → ${e.data.effectiveFrom}`
          : e.type === "SanctionLifted"
            ? `from ${e.data.effectiveFrom}`
            : "",
      ];
    }),
  );
  const lines: string[] = [];
  const latest = plan.coverage?.[plan.coverage.length - 1];
  if (plan.backfill && latest !== undefined) {
    lines.push(
      `backfill: ${plan.published} is not after the latest publication of ${plan.list} recorded (${latest}); the list's history is rebuilt in publication-date order and what changes is recorded as corrections (retractions and corrected events)`,
    );
  }
  lines.push(
    rows.length === 0 ? "no change" : table(["entity", "change", "what", "dates"], rows, width),
  );
  return lines.join("\n");
}

function describeSummary(
  s: ImportSummary,
  seconds: number,
  dryRun: boolean,
  width?: number,
): string {
  const lines = [
    `${dryRun ? "would import" : "imported"} ${esc(s.list)} published ${esc(s.published)}: ${s.entries} entries${dryRun ? "" : ` in ${seconds.toFixed(1)} s`}${s.backfill ? " (backfill)" : ""}`,
    table(
      ["registered", "imposed", "amended", "lifted", "corrected", "unchanged", "rejected"],
      [[s.registered, s.imposed, s.amended, s.lifted, s.corrected, s.unchanged, s.rejected.length]],
      width,
    ),
  ];
  if (!dryRun) {
    lines.push(
      `${s.written} events written${s.alreadyRecorded > 0 ? `, ${s.alreadyRecorded} already recorded` : ""} (${(s.written / Math.max(seconds, 0.001)).toFixed(0)} events/s)`,
    );
  }
  if (s.rejected.length > 0) {
    lines.push(
      "rejected:",
      table(
        ["entry", "entity", "reason"],
        s.rejected.map((r) => [r.ref, r.entityId || "-", r.reason]),
        width,
      ),
    );
  }
  return lines.join("\n");
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command("import")
    .description("import a published list (OFAC legacy CSV, UN XML) as ledger history")
    .argument(
      "<format>",
      "ofac-csv (a folder of sdn.csv/add.csv/alt.csv[/sdn_comments.csv], or cons_*.csv) or un-xml (one XML file)",
    )
    .argument("<path>", "the folder (ofac-csv) or file (un-xml)")
    .requiredOption("--published <date>", "the publication's date (YYYY-MM-DD)")
    .option("--dry-run", "print the difference and write nothing", false)
    .addOption(
      new Option("--concurrency <n>", "batches sent at once")
        .argParser(wholeNumber(1, 32))
        .default(4),
    )
    .addHelpText(
      "after",
      `${examples(
        "import ofac-csv samples/ofac-sdn-2019 --published 2019-01-15",
        "import ofac-csv ./cons-2025-12 --published 2025-12-01 --dry-run",
        "import un-xml ./UN_consolidated.xml --published 2026-02-27 --json",
      )}
Each entry becomes an entity (ofac-<ent_num>, un-<DATAID>) with one sanction per program.
Where the publication states no listing date, a sanction is in force from --published and
undetermined before it (since the list's previous publication, or ever for the first).
A later publication is a difference against what the ledger holds for that list: new
entries and programs are imposed, those no longer published are lifted on --published,
changed names and aliases are amended. A publication dated before the latest one
imported (a backfill) rebuilds the list's history in publication-date order and records
what changes as corrections, so publications may be imported in any order. Each
publication is recorded on the list's stream (list-ofac-sdn, list-ofac-cons, list-un).
Event ids are derived from (list, publication, entry, change), so importing the same
publication again writes nothing.
`,
    )
    .action(
      async (
        format: string,
        path: string,
        options: { published: string; dryRun: boolean; concurrency: number },
      ) => {
        if (!FORMATS.includes(format as Format)) {
          throw new CliExit(1, `unknown format '${format}': use ${FORMATS.join(" or ")}`);
        }
        if (!isIsoDate(options.published)) {
          throw new CliExit(
            1,
            `--published must be a calendar date YYYY-MM-DD, not '${options.published}'`,
          );
        }
        const publication = await readPublication(format as Format, path);
        const tty = !ctx.json() && ctx.io.stderrIsTTY === true;
        const progress = await progressReporter(ctx, tty);
        const { runImport } = await import("../import/run.js");
        const started = Date.now();
        let result: Awaited<ReturnType<typeof runImport>>;
        try {
          result = await runImport(ctx.client(), publication, {
            published: options.published,
            dryRun: options.dryRun,
            concurrency: options.concurrency,
            onProgress: (p) => progress.update(p),
          });
        } finally {
          progress.stop();
        }
        const seconds = (Date.now() - started) / 1000;
        const { plan, summary } = result;
        if (ctx.json()) {
          ctx.printJson(options.dryRun ? { summary, plan } : { summary, seconds });
        } else {
          if (options.dryRun) ctx.out(describePlan(plan, ctx.width()));
          ctx.out(describeSummary(summary, seconds, options.dryRun, ctx.width()));
        }
        // Entries the ledger refused make the run fail; rows the publication itself holds
        // malformed are reported but are no failure of the import.
        if (!options.dryRun && summary.rejected.some((r) => r.entityId !== "")) {
          throw new CliExit(1);
        }
      },
    );
}
