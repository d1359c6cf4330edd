import { createHash, randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseCheckpoint, parseNote } from "../domain/checkpoint.js";
import { type Tile, type TileRef, tilePath } from "../domain/merkle.js";
import { AwsHttp, type AwsTarget, awsError } from "./aws-http.js";

/**
 * Where signed checkpoints are published, out of the writer's reach: locally a folder
 * under the data directory, in AWS an S3 bucket with Object Lock in compliance mode.
 * A published checkpoint is never replaced: the first note of a tree size stands.
 */
export interface CheckpointStore {
  /**
   * Publishes the note of `treeSize` unless one is published; answers the note that
   * stands (another sequencer's note of the same tree, signed at another moment, may).
   */
  publish(treeSize: number, note: string): Promise<string>;
  /** The note of `treeSize`, if published. */
  get(treeSize: number): Promise<string | undefined>;
  /**
   * The latest note as the `checkpoint` object holds it. Each publication of a larger tree
   * replaces it, so two racing publications may briefly leave the smaller one there; the
   * log's head (LogStore) is the authority on the latest size.
   */
  latest(): Promise<string | undefined>;
  /**
   * Archives tiles of a tree about to be published, each under its tlog-tiles path (a full
   * tile, or a partial one of its exact width), written once like the notes: the proofs of
   * a published tree can always be computed from tiles no table access can rewrite.
   */
  putTiles(tiles: readonly Tile[]): Promise<void>;
  /** Archived tiles, keyed by `tilePath(ref)`, of their exact width; absent if not archived. */
  readTiles(refs: readonly TileRef[]): Promise<Map<string, Uint8Array>>;
}

/** The tree size a note claims (without verifying it: the sequencer signed it). */
function sizeOf(note: string): number {
  return parseCheckpoint(parseNote(note).text).treeSize;
}

/** Keys of the published notes (tlog-tiles names the latest `checkpoint`). */
export const CHECKPOINT_KEYS = {
  latest: "checkpoint",
  ofSize: (treeSize: number) => `checkpoints/${treeSize}`,
} as const;

/** Checkpoints as files under a folder (`<data>/log`): created once, never rewritten. */
export class DirectoryCheckpointStore implements CheckpointStore {
  constructor(private readonly dir: string) {}

  private path(key: string): string {
    return join(this.dir, ...key.split("/"));
  }

  private async read(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Creates the file of `key` with `content` unless it exists; whether it created it. */
  private async createOnce(key: string, content: string | Uint8Array): Promise<boolean> {
    const target = this.path(key);
    await mkdir(join(target, ".."), { recursive: true });
    const temp = join(this.dir, `.${randomUUID()}`);
    await writeFile(temp, content, { mode: 0o444 });
    try {
      // A hard link creates the name only if it is free, with the whole content in it.
      await link(temp, target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      return false;
    } finally {
      await unlink(temp);
    }
  }

  async putTiles(tiles: readonly Tile[]): Promise<void> {
    for (const t of tiles) await this.createOnce(tilePath(t), t.hashes);
  }

  async readTiles(refs: readonly TileRef[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    for (const ref of refs) {
      try {
        found.set(tilePath(ref), new Uint8Array(await readFile(this.path(tilePath(ref)))));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    return found;
  }

  async publish(treeSize: number, note: string): Promise<string> {
    if (!(await this.createOnce(CHECKPOINT_KEYS.ofSize(treeSize), note))) {
      return (await this.read(CHECKPOINT_KEYS.ofSize(treeSize))) as string;
    }
    const latest = await this.latest();
    if (latest === undefined || sizeOf(latest) < treeSize) {
      const temp2 = join(this.dir, `.${randomUUID()}`);
      await writeFile(temp2, note, { mode: 0o444 });
      await rename(temp2, this.path(CHECKPOINT_KEYS.latest));
    }
    return note;
  }

  get(treeSize: number): Promise<string | undefined> {
    return this.read(CHECKPOINT_KEYS.ofSize(treeSize));
  }

  latest(): Promise<string | undefined> {
    return this.read(CHECKPOINT_KEYS.latest);
  }
}

/** Where checkpoints go in S3, and how long Object Lock keeps them. */
export interface S3CheckpointTarget extends AwsTarget {
  bucket: string;
  /** Object Lock retention of every note, in days (compliance mode). */
  retentionDays: number;
  /** Now, for the retention date (tests fix it). Default: the clock. */
  now?: () => Date;
}

/**
 * Checkpoints in an S3 bucket with Object Lock: each note is written with compliance-mode
 * retention headers (and the Content-MD5 that Object Lock requires), and a tree size's
 * note with `If-None-Match: *`, so the first note of a size stands.
 */
export class S3CheckpointStore implements CheckpointStore {
  private readonly http: AwsHttp;

  constructor(private readonly target: S3CheckpointTarget) {
    this.http = new AwsHttp("s3", target);
  }

  /** The object's URL: path style for an emulator's endpoint, virtual-hosted on AWS. */
  objectUrl(key: string): URL {
    const { bucket, endpoint, region } = this.target;
    return endpoint
      ? new URL(`${endpoint.replace(/\/$/, "")}/${bucket}/${key}`)
      : new URL(`https://${bucket}.s3.${region}.amazonaws.com/${key}`);
  }

  /** The request that puts a note (or a tile): headers included, for inspection. */
  putRequest(key: string, note: string | Uint8Array, onlyIfAbsent: boolean) {
    const body = typeof note === "string" ? Buffer.from(note, "utf8") : Buffer.from(note);
    const now = (this.target.now ?? (() => new Date()))();
    const until = new Date(now.getTime() + this.target.retentionDays * 86_400_000);
    const headers: Record<string, string> = {
      "content-type":
        typeof note === "string" ? "text/plain; charset=utf-8" : "application/octet-stream",
      "content-md5": createHash("md5").update(body).digest("base64"),
      "x-amz-object-lock-mode": "COMPLIANCE",
      "x-amz-object-lock-retain-until-date": until.toISOString(),
      ...(onlyIfAbsent ? { "if-none-match": "*" } : {}),
    };
    return { url: this.objectUrl(key), method: "PUT", headers, body: new Uint8Array(body) };
  }

  private async readBytes(key: string): Promise<Uint8Array | undefined> {
    const answer = await this.http.send({ url: this.objectUrl(key), method: "GET" });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw awsError(answer);
    return answer.body;
  }

  private async read(key: string): Promise<string | undefined> {
    const bytes = await this.readBytes(key);
    return bytes && Buffer.from(bytes).toString("utf8");
  }

  async putTiles(tiles: readonly Tile[]): Promise<void> {
    await Promise.all(
      tiles.map(async (t) => {
        const answer = await this.http.send(this.putRequest(tilePath(t), t.hashes, true));
        // 412: archived already (the same tile: tiles are functions of the leaves).
        if (answer.status !== 200 && answer.status !== 412 && answer.status !== 409) {
          throw awsError(answer);
        }
      }),
    );
  }

  async readTiles(refs: readonly TileRef[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    await Promise.all(
      refs.map(async (ref) => {
        const bytes = await this.readBytes(tilePath(ref));
        if (bytes) found.set(tilePath(ref), bytes);
      }),
    );
    return found;
  }

  async publish(treeSize: number, note: string): Promise<string> {
    const key = CHECKPOINT_KEYS.ofSize(treeSize);
    const answer = await this.http.send(this.putRequest(key, note, true));
    if (answer.status === 412 || answer.status === 409) {
      const standing = await this.read(key);
      if (standing !== undefined) return standing;
    }
    if (answer.status !== 200) throw awsError(answer);
    const latest = await this.latest();
    if (latest === undefined || sizeOf(latest) < treeSize) {
      const put = await this.http.send(this.putRequest(CHECKPOINT_KEYS.latest, note, false));
      if (put.status !== 200) throw awsError(put);
    }
    return note;
  }

  get(treeSize: number): Promise<string | undefined> {
    return this.read(CHECKPOINT_KEYS.ofSize(treeSize));
  }

  latest(): Promise<string | undefined> {
    return this.read(CHECKPOINT_KEYS.latest);
  }
}

/** Checkpoints in memory (the local runtime with `--memory`, tests). */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly notes = new Map<number, string>();
  private readonly tiles = new Map<string, Uint8Array>();
  private last: string | undefined;

  async putTiles(tiles: readonly Tile[]): Promise<void> {
    for (const t of tiles) {
      if (!this.tiles.has(tilePath(t))) this.tiles.set(tilePath(t), new Uint8Array(t.hashes));
    }
  }

  async readTiles(refs: readonly TileRef[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    for (const ref of refs) {
      const tile = this.tiles.get(tilePath(ref));
      if (tile) found.set(tilePath(ref), tile);
    }
    return found;
  }

  async publish(treeSize: number, note: string): Promise<string> {
    const standing = this.notes.get(treeSize);
    if (standing !== undefined) return standing;
    this.notes.set(treeSize, note);
    if (this.last === undefined || sizeOf(this.last) < treeSize) this.last = note;
    return note;
  }

  async get(treeSize: number): Promise<string | undefined> {
    return this.notes.get(treeSize);
  }

  async latest(): Promise<string | undefined> {
    return this.last;
  }
}
