import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCheckpoint, formatNote } from "../../functions/domain/checkpoint.js";
import { AwsHttp, awsError } from "../../functions/store/aws-http.js";
import {
  type CheckpointStore,
  DirectoryCheckpointStore,
  S3CheckpointStore,
} from "../../functions/store/checkpoints.js";
import { hasMoto, MOTO_CREDENTIALS, type Moto, startMoto } from "../support/moto.js";

/** A well-formed note of a tree size (its signature is not checked by the stores). */
function noteOf(treeSize: number, fill = 0): string {
  const text = formatCheckpoint({
    origin: "ledger.test/log",
    treeSize,
    rootHash: new Uint8Array(32).fill(fill),
    extensions: [],
  });
  return formatNote({
    text,
    signatures: [{ name: "ledger.test/log", keyId: 1, signature: new Uint8Array([fill, 1, 2]) }],
  });
}

function contract(name: string, make: () => Promise<CheckpointStore>) {
  describe(`${name} checkpoint store`, () => {
    it("publishes each tree size once: the first note stands", async () => {
      const store = await make();
      expect(await store.get(3)).toBeUndefined();
      expect(await store.latest()).toBeUndefined();
      const answers = await Promise.all([1, 2, 3].map((fill) => store.publish(3, noteOf(3, fill))));
      const standing = await store.get(3);
      expect(answers).toEqual([standing, standing, standing]);
      expect(await store.publish(3, noteOf(3, 9))).toBe(standing);
      expect(await store.latest()).toBe(standing);
    });

    it("keeps the latest at the largest tree published", async () => {
      const store = await make();
      await store.publish(5, noteOf(5));
      await store.publish(9, noteOf(9));
      await store.publish(7, noteOf(7));
      expect(await store.latest()).toBe(noteOf(9));
      expect(await store.get(7)).toBe(noteOf(7));
    });
  });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ledger-checkpoints-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

let dirs = 0;
contract("directory", async () => new DirectoryCheckpointStore(join(work, `d${dirs++}`)));

describe("directory checkpoint store: files", () => {
  it("writes notes read-only, under checkpoints/<size> and checkpoint", async () => {
    const dir = join(work, "files");
    const store = new DirectoryCheckpointStore(dir);
    await store.publish(12, noteOf(12));
    expect(await readFile(join(dir, "checkpoints", "12"), "utf8")).toBe(noteOf(12));
    expect(await readFile(join(dir, "checkpoint"), "utf8")).toBe(noteOf(12));
    expect((await stat(join(dir, "checkpoints", "12"))).mode & 0o222).toBe(0);
  });
});

describe("S3 checkpoint store: the request", () => {
  const store = new S3CheckpointStore({
    region: "eu-central-1",
    bucket: "ledger-checkpoints",
    retentionDays: 1826,
    now: () => new Date("2026-01-01T00:00:00.000Z"),
    credentials: MOTO_CREDENTIALS,
  });

  it("puts a tree size's note with compliance-mode Object Lock, Content-MD5 and If-None-Match", () => {
    const request = store.putRequest("checkpoints/12", "note\n", true);
    expect(request.url.href).toBe(
      "https://ledger-checkpoints.s3.eu-central-1.amazonaws.com/checkpoints/12",
    );
    expect(request.method).toBe("PUT");
    expect(request.headers).toEqual({
      "content-type": "text/plain; charset=utf-8",
      "content-md5": "5lD41DQ6QnjTRQ4KHXN+VA==",
      "x-amz-object-lock-mode": "COMPLIANCE",
      "x-amz-object-lock-retain-until-date": "2031-01-01T00:00:00.000Z",
      "if-none-match": "*",
    });
    expect(
      store.putRequest("checkpoint", "note\n", false).headers["if-none-match"],
    ).toBeUndefined();
  });
});

const moto = hasMoto();
if (!moto) console.warn("moto_server is not installed: the S3 checkpoint store tests are skipped");

describe.skipIf(!moto)("S3 checkpoint store (against moto_server)", () => {
  let server: Moto;
  let buckets = 0;
  beforeAll(async () => {
    server = await startMoto();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function lockedBucket(): Promise<string> {
    const bucket = `ledger-checkpoints-${buckets++}`;
    const target = {
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: MOTO_CREDENTIALS,
    };
    const answer = await new AwsHttp("s3", target).send({
      url: new URL(`${server.endpoint}/${bucket}`),
      method: "PUT",
      headers: { "x-amz-bucket-object-lock-enabled": "true" },
    });
    if (answer.status !== 200) throw awsError(answer);
    return bucket;
  }

  const make = async () =>
    new S3CheckpointStore({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: MOTO_CREDENTIALS,
      bucket: await lockedBucket(),
      retentionDays: 1826,
    });

  contract("S3 (moto)", make);

  it("leaves the notes under compliance-mode retention", async () => {
    const store = await make();
    await store.publish(4, noteOf(4));
    const http = new AwsHttp("s3", {
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const head = await http.send({ url: store.objectUrl("checkpoints/4"), method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("x-amz-object-lock-mode")).toBe("COMPLIANCE");
    const until = new Date(head.headers.get("x-amz-object-lock-retain-until-date") as string);
    expect(until.getTime()).toBeGreaterThan(Date.now() + 1800 * 86_400_000);
  });
});
