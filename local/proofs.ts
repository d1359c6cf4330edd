import { join } from "node:path";
import { ProofService } from "../functions/app/proofs.js";
import { type EventRef, type SequenceResult, Sequencer } from "../functions/app/sequencer.js";
import {
  type CheckpointStore,
  DirectoryCheckpointStore,
  MemoryCheckpointStore,
} from "../functions/store/checkpoints.js";
import { EVENTS_TABLE } from "../functions/store/keys.js";
import { DynamoLogStore, type LogStore } from "../functions/store/log.js";
import { type CheckpointSigner, localSigner, spkiPem } from "../functions/store/signers.js";
import { type Engine, scanAll } from "./engine.js";

/** The origin line of the local runtime's checkpoints, and its key's name. */
export const LOCAL_ORIGIN = "sanctions-ledger/local";

/** The folder of the data directory where the local checkpoints are published. */
export const LOCAL_CHECKPOINTS_DIR = "log";

/** The local runtime's Merkle log: its sequencer, run after every append, and its proofs. */
export interface LocalProofs {
  log: LogStore;
  checkpoints: CheckpointStore;
  service: ProofService;
  signer: Promise<CheckpointSigner>;
  /**
   * Admits the events to the log and publishes a checkpoint covering them; resolves once it
   * is published. Calls made while a run is in progress are admitted together by the next.
   */
  sequence(refs: readonly EventRef[]): Promise<void>;
  /** Admits every stored event the log lacks (after a restart, a crash or a demo load). */
  catchUp(): Promise<number>;
}

const opened = new WeakMap<Engine, LocalProofs>();

/**
 * The log of an engine: one per engine in a process, so that every part of the local
 * runtime over it (the server, the demo loader) shares its checkpoints and its queue. With
 * a data directory the key is generated once into it and the checkpoints are files under
 * `<dir>/log`; without one, a key per process and checkpoints in memory.
 */
export function localProofs(engine: Engine, options: { dataDir?: string } = {}): LocalProofs {
  const existing = opened.get(engine);
  if (existing) return existing;
  const log = new DynamoLogStore(engine.doc, engine.tables.views);
  const checkpoints =
    options.dataDir === undefined
      ? new MemoryCheckpointStore()
      : new DirectoryCheckpointStore(join(options.dataDir, LOCAL_CHECKPOINTS_DIR));
  const signer = localSigner(LOCAL_ORIGIN, options.dataDir);
  signer.catch(() => undefined);
  let sequencer: Sequencer | undefined;
  const sequencerOf = async () => {
    sequencer ??= new Sequencer({ log, checkpoints, signer: await signer, origin: LOCAL_ORIGIN });
    return sequencer;
  };
  const service = new ProofService({
    log,
    checkpoints,
    publicKeyPem: async () => spkiPem((await signer).spki),
  });

  interface Waiting {
    refs: readonly EventRef[];
    resolve: () => void;
    reject: (error: unknown) => void;
  }
  let waiting: Waiting[] = [];
  // Events of a run that failed: admitted again by the next run, so none is left out.
  let left: EventRef[] = [];
  let busy = false;
  const pump = async () => {
    busy = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const refs = [...left, ...batch.flatMap((w) => w.refs)];
      left = [];
      try {
        await (await sequencerOf()).sequence(refs);
        for (const w of batch) w.resolve();
      } catch (error) {
        left = refs;
        for (const w of batch) w.reject(error);
      }
    }
    busy = false;
  };

  const proofs: LocalProofs = {
    log,
    checkpoints,
    service,
    signer,
    sequence(refs) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ refs, resolve, reject });
        if (!busy) void pump();
      });
    },
    async catchUp() {
      const seq = await sequencerOf();
      // A publication a crash left undone first, then whatever events the log lacks.
      const published: SequenceResult = await seq.publish();
      const events = await storedEvents(engine);
      if (events.length === published.head.treeSize) return 0;
      const before = published.head.treeSize;
      const after = await seq.sequence(events);
      return after.head.treeSize - before;
    },
  };
  opened.set(engine, proofs);
  return proofs;
}

/** Every stored event, in the order of its recording: a scan only the local runtime makes. */
async function storedEvents(engine: Engine): Promise<EventRef[]> {
  const items = await scanAll(engine, {
    TableName: engine.tables.events,
    ProjectionExpression: "#e, #v, #h, #r",
    ExpressionAttributeNames: {
      "#e": EVENTS_TABLE.partitionKey,
      "#v": EVENTS_TABLE.sortKey,
      "#h": "hash",
      "#r": "recordedAt",
    },
  });
  const out = items.map((item) => ({
    entityId: String(item[EVENTS_TABLE.partitionKey]),
    version: Number(item[EVENTS_TABLE.sortKey]),
    hash: String(item.hash),
    recordedAt: String(item.recordedAt),
  }));
  out.sort(
    (a, b) =>
      a.recordedAt.localeCompare(b.recordedAt) ||
      a.entityId.localeCompare(b.entityId) ||
      a.version - b.version,
  );
  return out.map(({ entityId, version, hash }) => ({ entityId, version, hash }));
}
