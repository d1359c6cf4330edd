import { parseCheckpoint, parseNote } from "../domain/checkpoint.js";
import { NotInLog } from "../domain/errors.js";
import { fromHex, hashLeaf, toHex } from "../domain/merkle.js";
import type { CheckpointStore } from "../store/checkpoints.js";
import type { LogStore } from "../store/log.js";
import { LogProofs } from "./sequencer.js";

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
  private readonly proofs: LogProofs;

  constructor(private readonly deps: ProofServiceDeps) {
    this.proofs = new LogProofs(deps.log);
  }

  /** The latest published checkpoint: the log's head names its size. */
  async latest(): Promise<CheckpointAnswer> {
    const head = await this.deps.log.head();
    const note =
      head && head.treeSize > 0
        ? await this.deps.checkpoints.get(head.treeSize)
        : await this.deps.checkpoints.latest();
    if (note === undefined) throw new NotInLog("No checkpoint is published yet.");
    return answerOf(note);
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

  private async size(): Promise<number> {
    return (await this.deps.log.head())?.treeSize ?? 0;
  }

  /** The consistency proof from the tree of `from` leaves to that of `to` (both published). */
  async consistency(from: number, to: number): Promise<ConsistencyAnswer> {
    const size = await this.size();
    if (to > size) {
      throw new NotInLog(`The log's latest checkpoint has ${size} leaves, not ${to}.`, "/to");
    }
    const proof = await this.proofs.consistency(from, to);
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
    const hash = fromHex(claim.hash) as Uint8Array;
    const auditPath = await this.proofs.inclusion(claim.leafIndex, tree);
    return {
      leafIndex: claim.leafIndex,
      treeSize: tree,
      leafHash: toHex(hashLeaf(hash)),
      auditPath: auditPath.map(toHex),
    };
  }
}
