import { createPublicKey, verify } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpoint, signCheckpoint } from "../../functions/domain/checkpoint.js";
import { AwsHttp, awsError } from "../../functions/store/aws-http.js";
import {
  ecdsaVerifier,
  kmsOverHttp,
  kmsSigner,
  LOCAL_KEY_FILE,
  localSigner,
  spkiPem,
} from "../../functions/store/signers.js";
import { hasMoto, MOTO_CREDENTIALS, type Moto, startMoto } from "../support/moto.js";

const ORIGIN = "ledger.example/log";
const checkpoint = { origin: ORIGIN, treeSize: 42, rootHash: new Uint8Array(32), extensions: [] };

describe("local signer", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ledger-key-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("generates its key once into the data directory, readable by the owner only", async () => {
    const [a, b] = await Promise.all([localSigner(ORIGIN, dir), localSigner(ORIGIN, dir)]);
    const again = await localSigner(ORIGIN, dir);
    expect(a.keyId).toBe(b.keyId);
    expect(again.keyId).toBe(a.keyId);
    const file = join(dir, LOCAL_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("keeps one key per process without a directory, another in another directory", async () => {
    const a = await localSigner(ORIGIN);
    const b = await localSigner(ORIGIN);
    const other = await localSigner(ORIGIN, join(dir, "other"));
    expect(a.keyId).toBe(b.keyId);
    expect(other.keyId).not.toBe(a.keyId);
  });

  it("signs checkpoints that the SPKI PEM it exports verifies", async () => {
    const signer = await localSigner(ORIGIN, dir);
    const pem = spkiPem(signer.spki);
    expect(pem).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/,
    );
    const note = await signCheckpoint(checkpoint, [signer]);
    const opened = await openCheckpoint(note, ORIGIN, [ecdsaVerifier(ORIGIN, pem)]);
    expect(opened.treeSize).toBe(42);
    const otherKey = await localSigner(ORIGIN, join(dir, "third"));
    await expect(
      openCheckpoint(note, ORIGIN, [ecdsaVerifier(ORIGIN, spkiPem(otherKey.spki))]),
    ).rejects.toThrow(/no signature/);
  });

  it("refuses a public key that is not P-256", () => {
    const ed = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.alloc(32, 1).toString("base64url") },
      format: "jwk",
    });
    expect(() =>
      ecdsaVerifier(ORIGIN, ed.export({ type: "spki", format: "pem" }).toString()),
    ).toThrow(/P-256/);
  });
});

const moto = hasMoto();
if (!moto) console.warn("moto_server is not installed: the KMS signer tests are skipped");

describe.skipIf(!moto)("KMS signer (against moto_server)", () => {
  let server: Moto;
  let target: { region: string; endpoint: string; credentials: typeof MOTO_CREDENTIALS };
  beforeAll(async () => {
    server = await startMoto();
    target = { region: "eu-west-1", endpoint: server.endpoint, credentials: MOTO_CREDENTIALS };
  });
  afterAll(async () => {
    await server?.close();
  });

  async function createKey(KeySpec: string): Promise<string> {
    const answer = await new AwsHttp("kms", target).send({
      url: new URL(`${server.endpoint}/`),
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "TrentService.CreateKey",
      },
      body: JSON.stringify({ KeySpec, KeyUsage: "SIGN_VERIFY" }),
    });
    if (answer.status !== 200) throw awsError(answer);
    return JSON.parse(Buffer.from(answer.body).toString()).KeyMetadata.KeyId as string;
  }

  it("signs checkpoints with an ECC_NIST_P256 key that its exported PEM verifies", async () => {
    const keyId = await createKey("ECC_NIST_P256");
    const signer = await kmsSigner(ORIGIN, keyId, kmsOverHttp(target));
    const note = await signCheckpoint(checkpoint, [signer]);
    const pem = spkiPem(signer.spki);
    expect((await openCheckpoint(note, ORIGIN, [ecdsaVerifier(ORIGIN, pem)])).treeSize).toBe(42);
    // The signature is the DER ECDSA one over SHA-256 of the note text.
    const sig = Buffer.from(note.trimEnd().split(" ").pop() as string, "base64").subarray(4);
    const text = Buffer.from(note.slice(0, note.lastIndexOf("\n\n") + 1));
    expect(verify("sha256", text, createPublicKey(pem), sig)).toBe(true);
  });

  it("refuses a key of another spec, and names KMS's error for an unknown key", async () => {
    const rsa = await createKey("RSA_2048");
    await expect(kmsSigner(ORIGIN, rsa, kmsOverHttp(target))).rejects.toThrow(
      /not an ECDSA P-256 key/,
    );
    await expect(
      kmsSigner(ORIGIN, "00000000-0000-0000-0000-000000000000", kmsOverHttp(target)),
    ).rejects.toThrow(/NotFoundException/);
  });
});
