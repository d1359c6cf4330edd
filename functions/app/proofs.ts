import { parseCheckpoint, parseNote } from "../domain/checkpoint.js";
import { NotInLog } from "../domain/errors.js";
import {
  consistencyPlan,
  fromHex,
  type Hash,
  hashesFromTiles,
  hashLeaf,
  inclusionPlan,
  MissingTile,
  type TilePlan,
  tilePath,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from "../domain/merkle.js";
import type { CheckpointStore } from "../store/checkpoints.js";
import type { LogStore } from "../store/log.js";
import { UnanswerableQuery } from "./audit.js";

/** A published checkpoint as the API answers it: its fields and the signed note, verbatim. */
export interface CheckpointAnswer {
  origin: string;
  treeSize: number;
  /** Lowercase hex. */
  rootHash: string;
  note: string;
}

/** An RFC 9162 inclusion proof of one event's leaf. */
export interface InclusionAnswer {
  leafIndex: number;
  treeSize: number;
  /** The RFC 9162 leaf hash, SHA-256(0x00 ‖ event hash), lowercase hex. */
  leafHash: string;
  auditPath: string[];
}

/** An RFC 9162 consistency proof between two tree sizes. */
export interface ConsistencyAnswer {
  from: number;
  to: number;
  proof: string[];
}

export interface ProofServiceDeps {
  log: LogStore;
  checkpoints: CheckpointStore;
  /** The public key of the checkpoints' signer, SPKI PEM. */
  publicKeyPem: () => Promise<string>;
}

function answerOf(note: string): CheckpointAnswer {
  const c = parseCheckpoint(parseNote(note).text);
  return { origin: c.origin, treeSize: c.treeSize, rootHash: toHex(c.rootHash), note };
}

/**
 * What the ledger publishes of its Merkle log: checkpoints as signed, the signer's public
 * key, and proofs computed from the stored tiles (a bounded number of items whatever the
 * log's size). Nothing here is to be trusted by an auditor: each answer is checked
 * against a signed checkpoint and the public key held apart.
 */
export class ProofService {
  /** Roots of published checkpoints, by size: a published note never changes. */
  private readonly roots = new Map<number, Hash>();

  constructor(private readonly deps: ProofServiceDeps) {}

  /** The root of the published checkpoint of `treeSize`. */
  private async rootOf(treeSize: number, pointer: string): Promise<Hash> {
    const known = this.roots.get(treeSize);
    if (known) return known;
    const note = await this.deps.checkpoints.get(treeSize);
    if (note === undefined) {
      throw new NotInLog(`No checkpoint of ${treeSize} leaves is published.`, pointer);
    }
    const root = parseCheckpoint(parseNote(note).text).rootHash;
    this.roots.set(treeSize, root);
    return root;
  }

  /**
   * A proof's hashes from the log's tiles in the table (one batch), checked against the
   * published roots; where they do not lead there (the table's tiles were rewritten, or are
   * missing), from the tiles archived with the checkpoints, which nothing rewrites.
   */
  private async hashes(plan: TilePlan, proves: (hashes: Hash[]) => boolean): Promise<Hash[]> {
    const from = async (read: (refs: TilePlan["tiles"]) => Promise<Map<string, Uint8Array>>) => {
      const tiles = await read(plan.tiles);
      try {
        return hashesFromTiles(plan, (ref) => tiles.get(tilePath(ref)));
      } catch (error) {
        if (error instanceof MissingTile) return undefined;
        throw error;
      }
    };
    const table = await from((refs) => this.deps.log.readTiles(refs));
    if (table && proves(table)) return table;
    const archived = await from((refs) => this.deps.checkpoints.readTiles(refs));
    const hashes = archived ?? table;
    if (!hashes) throw new NotInLog(`The tiles of the tree of ${plan.size} leaves are missing.`);
    return hashes;
  }

  /**
   * The latest published checkpoint: the one of the log's head (the `checkpoint` object may
   * briefly lag behind it), else the `checkpoint` object (a head past every published
   * checkpoint is not the ledger's to answer).
   */
  async latest(): Promise<CheckpointAnswer> {
    const note = await this.latestNote();
    if (note === undefined) throw new NotInLog("No checkpoint is published yet.");
    return answerOf(note);
  }

  private async latestNote(): Promise<string | undefined> {
    const head = await this.deps.log.head();
    return (
      (head && head.treeSize > 0 ? await this.deps.checkpoints.get(head.treeSize) : undefined) ??
      (await this.deps.checkpoints.latest())
    );
  }

  /** The checkpoint published for `treeSize`. */
  async checkpoint(treeSize: number): Promise<CheckpointAnswer> {
    const note = await this.deps.checkpoints.get(treeSize);
    if (note === undefined) {
      throw new NotInLog(`No checkpoint of ${treeSize} leaves is published.`, "/treeSize");
    }
    return answerOf(note);
  }

  publicKey(): Promise<string> {
    return this.deps.publicKeyPem();
  }

  /** The size of the latest published tree (0: none yet); its root is kept for the proofs. */
  private async size(): Promise<number> {
    const note = await this.latestNote();
    if (note === undefined) return 0;
    const { treeSize, rootHash } = parseCheckpoint(parseNote(note).text);
    this.roots.set(treeSize, rootHash);
    return treeSize;
  }

  /** The consistency proof from the tree of `from` leaves to that of `to` (both published). */
  async consistency(from: number, to: number): Promise<ConsistencyAnswer> {
    if (from > to) throw new UnanswerableQuery("/from", "must not be larger than to");
    const size = await this.size();
    if (to > size) {
      throw new NotInLog(`The log's latest checkpoint has ${size} leaves, not ${to}.`, "/to");
    }
    const [older, newer] = [await this.rootOf(from, "/from"), await this.rootOf(to, "/to")];
    const proof =
      from === to
        ? []
        : await this.hashes(consistencyPlan(from, to), (p) =>
            verifyConsistency(from, to, p, older, newer),
          );
    return { from, to, proof: proof.map(toHex) };
  }

  /** The inclusion proof of an event's leaf in the tree of `treeSize` (default: the latest). */
  async inclusion(entityId: string, version: number, treeSize?: number): Promise<InclusionAnswer> {
    const size = await this.size();
    const tree = treeSize ?? size;
    if (tree > size) {
      throw new NotInLog(
        `The log's latest checkpoint has ${size} leaves, not ${tree}.`,
        "/treeSize",
      );
    }
    const [claim] = await this.deps.log.claims(entityId, version, version);
    if (claim === undefined || !claim.confirmed) {
      throw new NotInLog(`Version ${version} of '${entityId}' is not in the log yet.`, "/version");
    }
    if (claim.leafIndex >= tree) {
      throw new NotInLog(
        `Version ${version} of '${entityId}' is leaf ${claim.leafIndex}, not in the tree of ${tree} leaves.`,
        "/treeSize",
      );
    }
    const root = await this.rootOf(tree, "/treeSize");
    const leafHash = hashLeaf(fromHex(claim.hash) as Uint8Array);
    const auditPath = await this.hashes(inclusionPlan(claim.leafIndex, tree), (p) =>
      verifyInclusion(leafHash, claim.leafIndex, tree, p, root),
    );
    return {
      leafIndex: claim.leafIndex,
      treeSize: tree,
      leafHash: toHex(leafHash),
      auditPath: auditPath.map(toHex),
    };
  }
}
