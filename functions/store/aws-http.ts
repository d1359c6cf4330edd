import { Sha256 } from "@aws-crypto/sha256-js";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * SigV4-signed requests to an AWS service over `fetch`, for the two calls of KMS and S3
 * that the proofs need and EventBridge's PutEvents for the notices (the SDK clients of
 * those services are not dependencies yet).
 */

/** Static credentials or a provider of them, as the signer takes them. */
export type AwsCredentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

/** Where and as whom a service is called. */
export interface AwsTarget {
  region: string;
  /** Another endpoint than AWS's (a local emulator): `http://127.0.0.1:5000`. */
  endpoint?: string;
  /** Default: the Node provider chain (environment, profile, container or instance role). */
  credentials?: AwsCredentials;
}

/** An answer of the service: status, headers and body. */
export interface AwsAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** An error answer of the service, with its code when the body names one. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code} (${status}): ${message}`);
    this.name = "AwsError";
  }
}

export class AwsHttp {
  private readonly signer: SignatureV4;

  constructor(
    service: "kms" | "s3" | "events",
    readonly target: AwsTarget,
  ) {
    this.signer = new SignatureV4({
      service,
      region: target.region,
      credentials: target.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
      // S3 signs the path as sent; other services escape it once more.
      uriEscapePath: service !== "s3",
      applyChecksum: service === "s3",
    });
  }

  async send(request: {
    url: URL;
    method: string;
    headers?: Record<string, string>;
    body?: Uint8Array | string;
  }): Promise<AwsAnswer> {
    const { url } = request;
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const signed = await this.signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { ...request.headers, host: url.host },
        ...(request.body !== undefined ? { body: request.body } : {}),
      }),
    );
    // fetch sets Host itself, from the same URL that was signed.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(url, {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    const body = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  }
}

/** The error an answer carries, from a JSON (`__type`) or XML (`<Code>`) body. */
export function awsError(answer: AwsAnswer): AwsError {
  const text = Buffer.from(answer.body).toString("utf8");
  try {
    const json = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    const code = (json.__type ?? "Unknown").split("#").pop() as string;
    return new AwsError(answer.status, code, json.message ?? json.Message ?? text);
  } catch {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP${answer.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text;
    return new AwsError(answer.status, code, message);
  }
}
