/**
 * Proofs: what the ledger-wide Merkle log costs. An inclusion proof at 1,000 and at 100,000
 * leaves (DynamoDB requests and latency: the tiles make them bounded); the sequencer's rate
 * against the projector-off append rate on the same engine; and the lag from a 201 to the
 * checkpoint that covers it in the local runtime.
 */
import { createHash, randomUUID } from "node:crypto";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { ProofService } from "../../functions/app/proofs.js";
import { type EventRef, Sequencer } from "../../functions/app/sequencer.js";
import { signCheckpoint } from "../../functions/domain/checkpoint.js";
import {
  appendTiles,
  hashLeaf,
  rootFromTiles,
  rootPlan,
  tilePath,
  toHex,
} from "../../functions/domain/merkle.js";
import { MemoryCheckpointStore } from "../../functions/store/checkpoints.js";
import { DynamoLogStore, LOG_KEYS } from "../../functions/store/log.js";
import { localSigner, spkiPem } from "../../functions/store/signers.js";
import { ensureTable, viewsTableInput } from "../../functions/store/tables.js";
import { startEngine } from "../../local/engine.js";
import { createLocalServer, listen, localFunctions } from "../../local/server.js";
import { RequestCounter, total } from "../counting.js";
import { closeServer, pool } from "../local.js";
import { grid, median, p95, type Row, round, type Section, since } from "../report.js";
import { storeOnlyLedger } from "../stores.js";
import type { Options } from "./options.js";

const ORIGIN = "sanctions-ledger/bench";
const CONCURRENCY = 8;

function leafOf(i: number): Uint8Array {
  return createHash("sha256").update(`leaf ${i}`).digest();
}

/**
 * A log of `size` leaves stored as the sequencer stores it (tiles, head, a published
 * checkpoint), with the claims of `samples` events spread over it; built directly, as a
 * sequencer run over `size` events would leave it.
 */
async function storedLog(
  engine: Awaited<ReturnType<typeof startEngine>>,
  table: string,
  size: number,
  samples: number,
) {
  await ensureTable(engine.client, viewsTableInput(table));
  const log = new DynamoLogStore(engine.doc, table);
  const leafHashes = Array.from({ length: size }, (_, i) => hashLeaf(leafOf(i)));
  const tiles = appendTiles(0, leafHashes, () => undefined);
  await pool(tiles, 16, async (t) => {
    await log.putTiles([t]);
  });
  const byPath = new Map(tiles.map((t) => [tilePath(t), t.hashes]));
  const root = rootFromTiles(rootPlan(size), (ref) => byPath.get(tilePath(ref)));
  await log.advanceHead({ treeSize: size, rootHash: toHex(root) });
  const signer = await localSigner(ORIGIN);
  const checkpoints = new MemoryCheckpointStore();
  await checkpoints.publish(
    size,
    await signCheckpoint({ origin: ORIGIN, treeSize: size, rootHash: root, extensions: [] }, [
      signer,
    ]),
  );
  const indexes = Array.from({ length: samples }, (_, k) => Math.floor((k * size) / samples));
  for (const [k, at] of indexes.entries()) {
    await engine.doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...LOG_KEYS.claim(`e${k}`, 1),
          entityId: `e${k}`,
          version: 1,
          hash: toHex(leafOf(at)),
          leafIndex: at,
          confirmed: true,
        },
      }),
    );
  }
  const service = new ProofService({
    log,
    checkpoints,
    publicKeyPem: async () => spkiPem(signer.spki),
  });
  return { service, samples };
}

export async function proofs(options: Options): Promise<Section> {
  const { quick, log } = options;
  const engine = await startEngine({ tablePrefix: `benchproofs${Date.now()}` });
  const counter = new RequestCounter().install(engine.doc);
  const rows: Row[] = [];
  const details: string[] = [];
  const data: Record<string, unknown> = {};
  try {
    // ---- inclusion proofs at two sizes ----------------------------------------------------
    const sizes = [1_000, 100_000];
    log("proofs: storing logs of 1,000 and 100,000 leaves");
    const logs = await Promise.all(
      sizes.map((size) => storedLog(engine, `bench-log-${size}`, size, 20)),
    );
    const rounds = quick ? 40 : 200;
    const latency: number[][] = sizes.map(() => []);
    const requests: number[] = sizes.map(() => 0);
    for (const l of logs) await l.service.inclusion("e0", 1); // the note, read once
    for (let r = 0; r < rounds; r++) {
      for (const [i, l] of logs.entries()) {
        const entityId = `e${r % l.samples}`;
        counter.reset();
        const start = performance.now();
        await l.service.inclusion(entityId, 1);
        (latency[i] as number[]).push(since(start));
        requests[i] = (requests[i] as number) + total(counter.snapshot()).requests;
      }
    }
    const [small, large] = latency.map((xs) => median(xs)) as [number, number];
    const [reqSmall, reqLarge] = requests.map((n) => n / rounds) as [number, number];
    rows.push(
      {
        measure: "inclusion proof p50, 100,000 vs 1,000 leaves",
        value: round(large, 2),
        baseline: round(small, 2),
        unit: "ms",
        target: "< 1.5",
        met: large / small < 1.5,
      },
      {
        measure: "DynamoDB requests per inclusion proof, 100,000 vs 1,000 leaves",
        value: round(reqLarge, 2),
        baseline: round(reqSmall, 2),
        target: "bounded",
        met: reqLarge <= reqSmall + 0.01,
      },
    );
    details.push(
      grid(
        ["leaves", "p50 ms", "p95 ms", "requests per proof"],
        sizes.map((size, i) => [
          size.toLocaleString("en"),
          round(median(latency[i] as number[]), 2),
          round(p95(latency[i] as number[]), 2),
          round((requests[i] as number) / rounds, 2),
        ]),
      ),
    );
    data.inclusion = { sizes, latency, requestsPerProof: [reqSmall, reqLarge] };

    // ---- sequencer rate against the projector-off append rate --------------------------------
    const n = quick ? 400 : 2_000;
    const entities = Array.from({ length: n }, (_, i) => `seq-${i}`);
    const ledger = storeOnlyLedger(engine);
    log(`proofs: ${n} projector-off appends, then the sequencer over them`);
    const refs: EventRef[] = [];
    const appendStart = performance.now();
    await pool(entities, CONCURRENCY, async (entityId) => {
      const result = await ledger.append(
        entityId,
        { type: "EntityRegistered", data: { name: entityId.toUpperCase(), kind: "organization" } },
        "bench",
      );
      refs.push({ entityId, version: result.answer.version, hash: result.answer.hash });
    });
    const appendRate = n / (since(appendStart) / 1000);
    await ensureTable(engine.client, viewsTableInput("bench-seq-log"));
    const sequencer = new Sequencer({
      log: new DynamoLogStore(engine.doc, "bench-seq-log"),
      checkpoints: new MemoryCheckpointStore(),
      signer: await localSigner(ORIGIN),
      origin: ORIGIN,
    });
    // As the stream hands them over: batches of 100 (the Proofs construct's default).
    counter.reset();
    const seqStart = performance.now();
    for (let i = 0; i < refs.length; i += 100) await sequencer.sequence(refs.slice(i, i + 100));
    const seqRate = n / (since(seqStart) / 1000);
    const seqRequests = total(counter.snapshot()).requests / n;
    rows.push({
      measure: "sequencer events/s (batches of 100) vs projector-off appends/s (8 at once)",
      value: round(seqRate, 0),
      baseline: round(appendRate, 0),
      target: "≥ 1",
      met: seqRate >= appendRate,
      note: `${round(seqRequests, 2)} DynamoDB requests per event`,
    });
    data.sequencer = { events: n, appendRate, seqRate, requestsPerEvent: seqRequests };

    // ---- lag from a 201 to its checkpoint, local runtime -----------------------------------------
    log("proofs: the lag from a 201 to the checkpoint that covers it");
    const fns = localFunctions(engine);
    const server = createLocalServer(fns);
    const url = await listen(server, 0);
    const lags: number[] = [];
    const answers: number[] = [];
    try {
      for (let i = 0; i < (quick ? 30 : 100); i++) {
        const start = performance.now();
        const res = await fetch(`${url}/entities/lag-${i}-${randomUUID()}/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            type: "EntityRegistered",
            data: { name: `Lag ${i}`, kind: "organization" },
          }),
        });
        const body = (await res.json()) as { entityId: string; version: number };
        answers.push(since(start));
        // The checkpoint covers the event once its proof is served at the latest size.
        for (;;) {
          const proof = await fetch(
            `${url}/entities/${body.entityId}/events/${body.version}/proof`,
          );
          await proof.arrayBuffer();
          if (proof.status === 200) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        lags.push(since(start));
      }
    } finally {
      await closeServer(server);
    }
    rows.push({
      measure:
        "lag from request to covering checkpoint, local (p50; the 201's own p50 as baseline)",
      value: round(median(lags), 1),
      baseline: round(median(answers), 1),
      unit: "ms",
      target: "< 1,000 ms",
      met: p95(lags) < 1000,
      note: `p95 ${round(p95(lags), 1)} ms`,
    });
    data.lag = { lags, answers };
  } finally {
    await engine.close();
  }
  return {
    name: "proofs",
    title: "Proofs: inclusion proofs, the sequencer, checkpoint lag",
    rows,
    details,
    data,
    notes: [
      "Inclusion proofs read the claim (1 Query), the log's head (1 GetItem) and the proof's tiles (1 BatchGetItem), whatever the size; the published note is cached.",
      "Locally the sequencer runs before the 201 is sent, so the covering checkpoint exists when the client has its answer; in AWS the stream's batching window (5 s by default) and one invocation make the lag.",
    ],
  };
}
