import { createHash } from "node:crypto";
import type { Browser, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DESKTOP, launch } from "./chromium.js";

const baseUrl = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const CONFIG = {
  apiUrl: "https://api.example.test/v1/",
  region: "eu-west-1",
  userPoolId: "eu-west-1_Pool",
  userPoolClientId: "browser-client",
  identityPoolId: "eu-west-1:identity-pool",
  signInDomain: "https://signin.example.test",
};

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST",
};

const json = (route: Route, body: unknown) =>
  route.fulfill({
    status: 200,
    headers: { ...CORS, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/**
 * The deployed app's sign-in and signed calls (app/src/aws.ts), with Cognito and API Gateway
 * played by routes of the browser: the API calls reach the demo ledger once seen signed.
 */
describe("the app deployed in AWS", () => {
  it("signs in with the code flow and PKCE, gets the reader role's credentials, and signs every API call", async () => {
    const context = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
    const page = await context.newPage();
    let authorize: URL | undefined;
    let tokenBody: URLSearchParams | undefined;
    const identityCalls: { target: string; body: Record<string, unknown> }[] = [];
    const apiCalls: Record<string, string>[] = [];
    await page.route("**/app/config.json", (route) => json(route, CONFIG));
    await page.route("https://signin.example.test/**", async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === "/oauth2/authorize") {
        authorize = url;
        const back = new URL(`${baseUrl}/app/`);
        back.search = new URLSearchParams({
          code: "the-code",
          state: url.searchParams.get("state") ?? "",
        }).toString();
        return route.fulfill({ status: 302, headers: { location: back.toString() } });
      }
      if (route.request().method() === "OPTIONS")
        return route.fulfill({ status: 204, headers: CORS });
      tokenBody = new URLSearchParams(route.request().postData() ?? "");
      return json(route, {
        id_token: "the-id-token",
        access_token: "a",
        expires_in: 3600,
        token_type: "Bearer",
      });
    });
    await page.route("https://cognito-identity.eu-west-1.amazonaws.com/", async (route) => {
      if (route.request().method() === "OPTIONS")
        return route.fulfill({ status: 204, headers: CORS });
      const target = route.request().headers()["x-amz-target"] ?? "";
      identityCalls.push({ target, body: JSON.parse(route.request().postData() ?? "{}") });
      return target.endsWith("GetId")
        ? json(route, { IdentityId: "eu-west-1:someone" })
        : json(route, {
            IdentityId: "eu-west-1:someone",
            Credentials: {
              AccessKeyId: "ASIAEXAMPLE",
              SecretKey: "secret",
              SessionToken: "the-session-token",
              Expiration: Math.floor(Date.now() / 1000) + 3600,
            },
          });
    });
    await page.route("https://api.example.test/**", async (route) => {
      if (route.request().method() === "OPTIONS")
        return route.fulfill({ status: 204, headers: CORS });
      const headers = route.request().headers();
      apiCalls.push(headers);
      const url = new URL(route.request().url());
      const answer = await fetch(`${baseUrl}${url.pathname.replace(/^\/v1/, "")}${url.search}`);
      return route.fulfill({
        status: answer.status,
        headers: {
          ...CORS,
          "content-type": answer.headers.get("content-type") ?? "application/json",
        },
        body: await answer.text(),
      });
    });

    await page.goto(`${baseUrl}/app/entities/country-ru?asOf=2022-04-05`);
    const ban = page
      .getByRole("region", { name: "In force" })
      .locator('li[data-sanction="jp-luxury-export-ban"] dd.effective-from');
    await ban.waitFor();
    expect(await ban.textContent()).toBe("2022-04-05");
    // Back at the page asked for, without the code in the address.
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(
      "/app/entities/country-ru?asOf=2022-04-05",
    );

    expect(authorize?.searchParams.get("client_id")).toBe("browser-client");
    expect(authorize?.searchParams.get("response_type")).toBe("code");
    expect(authorize?.searchParams.get("redirect_uri")).toBe(`${baseUrl}/app/`);
    expect(authorize?.searchParams.get("code_challenge_method")).toBe("S256");
    const verifier = tokenBody?.get("code_verifier") ?? "";
    expect(authorize?.searchParams.get("code_challenge")).toBe(
      createHash("sha256").update(verifier).digest("base64url"),
    );
    expect(tokenBody?.get("code")).toBe("the-code");
    expect(tokenBody?.get("grant_type")).toBe("authorization_code");

    expect(identityCalls.map((c) => c.target)).toEqual([
      "AWSCognitoIdentityService.GetId",
      "AWSCognitoIdentityService.GetCredentialsForIdentity",
    ]);
    expect(identityCalls[0]?.body).toEqual({
      IdentityPoolId: "eu-west-1:identity-pool",
      Logins: { "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool": "the-id-token" },
    });

    expect(apiCalls.length).toBeGreaterThan(0);
    for (const headers of apiCalls) {
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      expect(headers["x-amz-security-token"]).toBe("the-session-token");
      expect(headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    }
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await context.close();
  });
});
