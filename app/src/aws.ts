/**
 * Sign-in and signed calls for the app deployed in AWS (infra/web-app.ts): the Cognito hosted
 * sign-in with the authorization-code flow and PKCE, the identity pool's credentials for the
 * reader role, and SigV4 signatures on every API call. Loaded only when config.json exists.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ApiConfig } from "./api.js";
import type { DeployedConfig } from "./config.js";

const SESSION = "sanctions-ledger.session";
const PENDING = "sanctions-ledger.sign-in";

interface Session {
  idToken: string;
  expiresAt: number;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function randomText(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

const redirectUri = () => `${location.origin}/app/`;

/** Leaves for the hosted sign-in page; the promise never settles, as the page is replaced. */
async function signIn(config: DeployedConfig): Promise<never> {
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(
    PENDING,
    JSON.stringify({ verifier, state, returnTo: `${location.pathname}${location.search}` }),
  );
  const authorize = new URL(`${config.signInDomain}/oauth2/authorize`);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: config.userPoolClientId,
    redirect_uri: redirectUri(),
    scope: "openid email",
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(authorize.toString());
  return new Promise<never>(() => {});
}

/** The session that the sign-in page's answer (`?code=&state=`) yields, if this load is one. */
async function completeSignIn(config: DeployedConfig): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  if (!code || !pending || params.get("state") !== pending.state) return undefined;
  sessionStorage.removeItem(PENDING);
  const response = await fetch(`${config.signInDomain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.userPoolClientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`Sign-in failed: ${response.status} ${await response.text()}`);
  const tokens = (await response.json()) as { id_token: string; expires_in: number };
  history.replaceState(null, "", pending.returnTo);
  return { idToken: tokens.id_token, expiresAt: Date.now() + tokens.expires_in * 1000 };
}

async function identityCall<T>(config: DeployedConfig, action: string, body: unknown): Promise<T> {
  const response = await fetch(`https://cognito-identity.${config.region}.amazonaws.com/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `AWSCognitoIdentityService.${action}`,
    },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${action} failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The reader role's credentials for the signed-in user, from the identity pool. */
async function credentialsFor(config: DeployedConfig, session: Session): Promise<Credentials> {
  const logins = {
    [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: session.idToken,
  };
  const { IdentityId } = await identityCall<{ IdentityId: string }>(config, "GetId", {
    IdentityPoolId: config.identityPoolId,
    Logins: logins,
  });
  const { Credentials: c } = await identityCall<{
    Credentials: {
      AccessKeyId: string;
      SecretKey: string;
      SessionToken: string;
      Expiration: number;
    };
  }>(config, "GetCredentialsForIdentity", { IdentityId, Logins: logins });
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretKey,
    sessionToken: c.SessionToken,
    expiration: new Date(c.Expiration * 1000),
  };
}

/** Signs the user in if needed, and answers the API settings that sign every call. */
export async function signedFetchConfig(config: DeployedConfig): Promise<ApiConfig> {
  let session =
    (await completeSignIn(config)) ??
    (JSON.parse(sessionStorage.getItem(SESSION) ?? "null") as Session | null) ??
    undefined;
  if (!session || session.expiresAt < Date.now() + 60_000) return signIn(config);
  sessionStorage.setItem(SESSION, JSON.stringify(session));
  let credentials: Promise<Credentials> = credentialsFor(config, session);
  const fresh = async (): Promise<Credentials> => {
    const c = await credentials;
    if (c.expiration.getTime() > Date.now() + 60_000) return c;
    if (!session || session.expiresAt < Date.now() + 60_000) {
      sessionStorage.removeItem(SESSION);
      return signIn(config);
    }
    credentials = credentialsFor(config, session);
    return credentials;
  };
  const signer = new SignatureV4({
    service: "execute-api",
    region: config.region,
    credentials: fresh,
    sha256: Sha256,
  });
  addSignOut(config, () => {
    session = undefined;
    sessionStorage.removeItem(SESSION);
  });
  return {
    baseUrl: config.apiUrl.replace(/\/$/, ""),
    async sign(request) {
      const url = new URL(request.url);
      const signed = await signer.sign({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { host: url.host, accept: request.headers.get("accept") ?? "application/json" },
      });
      const headers = new Headers();
      // The browser sets Host itself and refuses it from scripts.
      for (const [k, v] of Object.entries(signed.headers)) if (k !== "host") headers.set(k, v);
      return new Request(request.url, { method: request.method, headers });
    },
  };
}

function addSignOut(config: DeployedConfig, clear: () => void): void {
  const header = document.querySelector("header.site");
  if (!header) return;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Sign out";
  button.addEventListener("click", () => {
    clear();
    const logout = new URL(`${config.signInDomain}/logout`);
    logout.search = new URLSearchParams({
      client_id: config.userPoolClientId,
      logout_uri: redirectUri(),
    }).toString();
    location.assign(logout.toString());
  });
  header.append(button);
}
