import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Checkpoint } from "../../functions/domain/checkpoint.js";
import { toHex } from "../../functions/domain/merkle.js";
import {
  checkExtends,
  checkInclusion,
  checkSameSize,
  firstBrokenEvent,
  type InclusionAnswer,
  type ListedEvent,
  openWith,
  originOf,
} from "../../functions/domain/offline.js";
import { ecdsaVerifier } from "../../functions/store/signers.js";
import { type EventsPage, segment, unlessNotFound, type Verification } from "../client.js";
import { esc } from "../format.js";
import { type CliContext, CliExit, examples } from "./context.js";

/** The exit code of `verify` when the chain is broken (1 is any other failure). */
export const BROKEN_CHAIN_EXIT = 2;

/** A checkpoint as `GET /checkpoints/latest` answers it. */
interface CheckpointAnswer {
  origin: string;
  treeSize: number;
  rootHash: string;
  note: string;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description(
      "check an entity's hash chain and witnesses; with --checkpoint and --public-key, offline against a saved checkpoint (exit code 2 on any failure)",
    )
    .argument("<entityId>", "the entity, e.g. country-ru")
    .option(
      "--checkpoint <file>",
      "a checkpoint saved before (checkpoint save): verify without trusting the server",
    )
    .option("--public-key <pem>", "the file of the log's public key (SPKI PEM), with --checkpoint")
    .addHelpText(
      "after",
      `${examples(
        "verify country-ru",
        "verify country-ru --json",
        "checkpoint save audit-2026-01.note",
        "verify country-ru --checkpoint audit-2026-01.note --public-key ledger-key.pem",
      )}
Without --checkpoint, the server recomputes the chain and compares it with every witness it
holds (the views' head, the Merkle log's leaf of each version). With --checkpoint, this
command checks, itself: both notes' signatures with the public key, that the latest
checkpoint extends the saved one (an RFC 9162 consistency proof; two checkpoints of one
size with different roots are a fork), the chain of every event, and each event's RFC 9162
inclusion in the latest checkpoint. It names the first event that fails.
Exit codes: 0 valid, 2 broken (or a missing witness, or any failed check), 1 any other error.
`,
    )
    .action(async (entityId: string, opts: { checkpoint?: string; publicKey?: string }) => {
      if ((opts.checkpoint === undefined) !== (opts.publicKey === undefined)) {
        throw new CliExit(1, "--checkpoint and --public-key go together");
      }
      if (opts.checkpoint !== undefined && opts.publicKey !== undefined) {
        return verifyOffline(ctx, entityId, opts.checkpoint, opts.publicKey);
      }
      const result = await ctx.client().get<Verification>(`/entities/${segment(entityId)}/verify`);
      const missing = result.missingWitnesses ?? [];
      if (ctx.json()) ctx.printJson(result);
      else {
        if (result.valid) {
          ctx.out(
            `valid: chain of ${result.version} event${result.version === 1 ? "" : "s"}, head ${esc(String(result.headHash))}`,
          );
        } else {
          ctx.out(
            `BROKEN at version ${result.firstBrokenVersion ?? "?"} (sound up to version ${result.version}, hash ${esc(String(result.headHash))})`,
          );
        }
        for (const m of missing) ctx.out(`MISSING WITNESS: ${esc(m)}`);
      }
      if (!result.valid || missing.length > 0) throw new CliExit(BROKEN_CHAIN_EXIT);
    });

  const checkpoint = program
    .command("checkpoint")
    .description("the ledger-wide log's signed checkpoints");
  checkpoint
    .command("save")
    .description("save the latest signed checkpoint (the note, verbatim) to a file")
    .argument("<file>", "where to write the note")
    .addHelpText("after", examples("checkpoint save audit-2026-01.note"))
    .action(async (file: string) => {
      const latest = await ctx.client().get<CheckpointAnswer>("/checkpoints/latest");
      await writeFile(file, latest.note, "utf8");
      if (ctx.json()) ctx.printJson({ ...latest, file });
      else {
        ctx.out(
          `saved the checkpoint of ${latest.treeSize} leaves (root ${esc(latest.rootHash)}) of ${esc(latest.origin)} to ${esc(file)}`,
        );
      }
    });
}

/** What an offline verification found, in the order it checked. */
interface OfflineReport {
  valid: boolean;
  origin?: string;
  saved?: { treeSize: number; rootHash: string };
  latest?: { treeSize: number; rootHash: string };
  events: number;
  /** The first failure: of the log as a whole, or of one event (named by its version). */
  failure?: { version?: number; reason: string };
}

async function verifyOffline(
  ctx: CliContext,
  entityId: string,
  checkpointFile: string,
  keyFile: string,
): Promise<void> {
  const report = await offlineReport(ctx, entityId, checkpointFile, keyFile);
  if (ctx.json()) ctx.printJson(report);
  else if (report.valid) {
    ctx.out(
      `valid: ${report.events} events of ${esc(entityId)}, each chained and included in the checkpoint of ${report.latest?.treeSize} leaves, which extends the saved one of ${report.saved?.treeSize}`,
    );
  } else {
    const at = report.failure?.version === undefined ? "" : ` at version ${report.failure.version}`;
    ctx.out(`BROKEN${at}: ${esc(report.failure?.reason ?? "")}`);
  }
  if (!report.valid) throw new CliExit(BROKEN_CHAIN_EXIT);
}

async function offlineReport(
  ctx: CliContext,
  entityId: string,
  checkpointFile: string,
  keyFile: string,
): Promise<OfflineReport> {
  const client = ctx.client();
  const savedNote = await readFile(checkpointFile, "utf8");
  const origin = originOf(savedNote);
  const verifier = ecdsaVerifier(origin, await readFile(keyFile));
  const report: OfflineReport = { valid: false, origin, events: 0 };
  const fail = (reason: string, version?: number): OfflineReport => ({
    ...report,
    failure: version === undefined ? { reason } : { version, reason },
  });
  const open = async (note: string, what: string): Promise<Checkpoint | string> => {
    try {
      return await openWith(note, origin, verifier);
    } catch (error) {
      return `${what}: ${(error as Error).message}`;
    }
  };
  const summary = (c: Checkpoint) => ({ treeSize: c.treeSize, rootHash: toHex(c.rootHash) });

  const saved = await open(savedNote, "the saved checkpoint");
  if (typeof saved === "string") return fail(saved);
  report.saved = summary(saved);
  const latestAnswer = await client.get<CheckpointAnswer>("/checkpoints/latest");
  const latest = await open(latestAnswer.note, "the latest checkpoint");
  if (typeof latest === "string") return fail(latest);
  report.latest = summary(latest);

  // The ledger's own checkpoint of the saved size must be the saved one.
  const sameSize = await unlessNotFound(
    client.get<CheckpointAnswer>(`/checkpoints/${saved.treeSize}`),
  );
  if (sameSize !== undefined) {
    const published = await open(sameSize.note, `the checkpoint of ${saved.treeSize} leaves`);
    if (typeof published === "string") return fail(published);
    const fork = checkSameSize(saved, published);
    if (fork) return fail(fork);
  }
  let proof: string[] | undefined;
  if (latest.treeSize > saved.treeSize) {
    proof = (
      await client.get<{ proof: string[] }>("/checkpoints/consistency", {
        from: saved.treeSize,
        to: latest.treeSize,
      })
    ).proof;
  }
  const extension = checkExtends(saved, latest, proof);
  if (extension) return fail(extension);

  const events: ListedEvent[] = [];
  for await (const page of client.pages<EventsPage>(
    `/entities/${segment(entityId)}/events`,
    {},
    "events",
  )) {
    events.push(...(page.events as unknown as ListedEvent[]));
  }
  report.events = events.length;
  const broken = firstBrokenEvent(entityId, events);
  for (const e of events) {
    if (broken && broken.version <= e.version) return fail(broken.reason, broken.version);
    const inclusion = await unlessNotFound(
      client.get<InclusionAnswer>(`/entities/${segment(entityId)}/events/${e.version}/proof`, {
        treeSize: latest.treeSize,
      }),
    );
    const reason = checkInclusion(e, inclusion, latest);
    if (reason) return fail(reason, e.version);
  }
  if (broken) return fail(broken.reason, broken.version);
  return { ...report, valid: true };
}
