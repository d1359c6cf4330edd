/**
 * Where the API is. Served by the ledger (locally), the API is on the same origin. Deployed to
 * S3 and CloudFront, the app reads `config.json` beside it, written at deploy time, and signs its
 * calls with the signed-in user's credentials.
 */
import { configureApi } from "./api.js";
import { BASE } from "./routes.js";

/** The deployed app's settings (see infra/web-app.ts). */
export interface DeployedConfig {
  apiUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  /** The Cognito hosted sign-in domain, e.g. https://name.auth.eu-west-1.amazoncognito.com */
  signInDomain: string;
}

export async function configureFromServer(): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${BASE}config.json`, { headers: { accept: "application/json" } });
  } catch {
    return;
  }
  if (!response.ok || !response.headers.get("content-type")?.includes("json")) return;
  const deployed = (await response.json()) as DeployedConfig;
  const { signedFetchConfig } = await import("./aws.js");
  configureApi(await signedFetchConfig(deployed));
}
