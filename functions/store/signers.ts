import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ecdsaKeyId, type NoteSigner, type NoteVerifier } from "../domain/checkpoint.js";
import { AwsHttp, type AwsTarget, awsError } from "./aws-http.js";

/**
 * The keys that sign checkpoints: ECDSA P-256 with SHA-256, signed-note type 0x02 (see
 * functions/domain/checkpoint.ts for why). Locally a key kept in the data directory; in
 * AWS a KMS key (key spec `ECC_NIST_P256`) that only the sequencer may use.
 */

/** A signer of checkpoints that can also hand out its public key. */
export interface CheckpointSigner extends NoteSigner {
  /** The public key, DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
}

/** The public key as a PEM `PUBLIC KEY` block (SPKI), as `GET /checkpoints/key` answers. */
export function spkiPem(spki: Uint8Array): string {
  return createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" })
    .export({ type: "spki", format: "pem" })
    .toString();
}

function p256PublicKey(key: KeyObject, what: string): KeyObject {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== "ec" || details?.namedCurve !== "prime256v1") {
    throw new Error(`${what} is not an ECDSA P-256 key`);
  }
  return key;
}

/** A verifier of the checkpoints of `name` signed by the key in `pem` (SPKI PEM). */
export function ecdsaVerifier(name: string, pem: string | Uint8Array): NoteVerifier {
  const key = p256PublicKey(createPublicKey(Buffer.from(pem)), "the public key");
  const spki = key.export({ type: "spki", format: "der" });
  return {
    name,
    keyId: ecdsaKeyId(spki),
    verify: (text, signature) => verify("sha256", text, key, signature),
  };
}

function localSignerOf(name: string, privateKey: KeyObject): CheckpointSigner {
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  return {
    name,
    keyId: ecdsaKeyId(spki),
    spki,
    sign: async (text) => new Uint8Array(sign("sha256", text, privateKey)),
  };
}

/** The file in the data directory that holds the local signing key (PKCS #8 PEM). */
export const LOCAL_KEY_FILE = "checkpoint-key.pem";

let processKey: KeyObject | undefined;

function newKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

/**
 * The local signer. With a data directory, its key is generated once into
 * `<dir>/checkpoint-key.pem` (readable by the owner only) and read back ever after, by
 * every process that shares the directory; without one, one key serves the process.
 */
export async function localSigner(name: string, dataDir?: string): Promise<CheckpointSigner> {
  if (dataDir === undefined) {
    processKey ??= newKey();
    return localSignerOf(name, processKey);
  }
  const file = join(dataDir, LOCAL_KEY_FILE);
  await mkdir(dataDir, { recursive: true });
  const pem = newKey().export({ type: "pkcs8", format: "pem" }).toString();
  try {
    // `wx`: the first process to get here writes the key; the others read it.
    await writeFile(file, pem, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = createPrivateKey(await readFile(file));
  p256PublicKey(createPublicKey(key), file);
  return localSignerOf(name, key);
}

/** The two KMS operations a checkpoint signer needs. */
export interface KmsSigning {
  /** `Sign` with `ECDSA_SHA_256` over the raw message: the DER signature. */
  sign(keyId: string, message: Uint8Array): Promise<Uint8Array>;
  /** `GetPublicKey`: the DER SPKI of the key. */
  publicKey(keyId: string): Promise<Uint8Array>;
}

/** KMS's JSON protocol over SigV4-signed HTTP. */
export function kmsOverHttp(target: AwsTarget): KmsSigning {
  const http = new AwsHttp("kms", target);
  const url = new URL(target.endpoint ?? `https://kms.${target.region}.amazonaws.com/`);
  const call = async (action: string, input: object) => {
    const answer = await http.send({
      url,
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `TrentService.${action}`,
      },
      body: JSON.stringify(input),
    });
    if (answer.status !== 200) throw awsError(answer);
    return JSON.parse(Buffer.from(answer.body).toString("utf8")) as Record<string, unknown>;
  };
  return {
    async sign(keyId, message) {
      const out = await call("Sign", {
        KeyId: keyId,
        Message: Buffer.from(message).toString("base64"),
        MessageType: "RAW",
        SigningAlgorithm: "ECDSA_SHA_256",
      });
      return new Uint8Array(Buffer.from(String(out.Signature), "base64"));
    },
    async publicKey(keyId) {
      const out = await call("GetPublicKey", { KeyId: keyId });
      return new Uint8Array(Buffer.from(String(out.PublicKey), "base64"));
    },
  };
}

/**
 * The KMS signer: KMS signs (the private key never leaves it), the public key is read once
 * to compute the key ID, and every signature is checked against it before it is used, so
 * a wrong key or algorithm fails here rather than in an auditor's hands.
 */
export async function kmsSigner(
  name: string,
  keyId: string,
  kms: KmsSigning,
): Promise<CheckpointSigner> {
  const spki = await kms.publicKey(keyId);
  const key = p256PublicKey(
    createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }),
    `KMS key ${keyId}`,
  );
  return {
    name,
    keyId: ecdsaKeyId(spki),
    spki,
    async sign(text) {
      const signature = await kms.sign(keyId, text);
      if (!verify("sha256", text, key, signature)) {
        throw new Error(`KMS key ${keyId} returned a signature its public key does not verify`);
      }
      return signature;
    },
  };
}
