import { Sha256 } from "@aws-crypto/sha256-js";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

// The SigV4 signer and the AWS credential chain: most of the CLI's code, so the client
// loads this module only when it signs (a request to an execute-api URL).

/** Static credentials or a provider of them, as the signer takes them. */
export type Credentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

/** What to sign for: the API's region, and credentials (else the default chain). */
export interface SignerOptions {
  region: string;
  profile?: string;
  credentials?: Credentials;
}

/** A request to sign: the parts of the URL and the headers and body that are sent. */
export interface UnsignedRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

/** Signs requests for `execute-api` (API Gateway with IAM authorization). */
export function createSigner(options: SignerOptions) {
  const signer = new SignatureV4({
    service: "execute-api",
    region: options.region,
    credentials:
      options.credentials ??
      fromNodeProviderChain(options.profile ? { profile: options.profile } : {}),
    sha256: Sha256,
  });
  return async (request: UnsignedRequest): Promise<Record<string, string>> => {
    const signed = (await signer.sign(new HttpRequest(request))) as HttpRequest;
    return signed.headers;
  };
}
