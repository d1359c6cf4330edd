import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiHandler, withCors } from "../../functions/handlers/observability.js";
import { ENV } from "../../functions/store/keys.js";
import { CORS_ALLOWED_HEADERS } from "../../infra/api.js";
import { LedgerStack } from "../../infra/ledger-stack.js";
import {
  ledgerTemplate,
  only,
  propsOf,
  resources,
  SYNTH_CONTEXT,
  TEMPLATE_WAIT_MS,
} from "./support.js";

let template: Template;
/** `'https://<the distribution's domain>'`, as API Gateway wants a static header value. */
let quotedOrigin: unknown;
let origin: unknown;

beforeAll(async () => {
  template = await ledgerTemplate("whole");
  const [distribution] = only(resources(template, "AWS::CloudFront::Distribution"), "distribution");
  const domain = { "Fn::GetAtt": [distribution, "DomainName"] };
  quotedOrigin = { "Fn::Join": ["", ["'https://", domain, "'"]] };
  origin = { "Fn::Join": ["", ["https://", domain]] };
}, TEMPLATE_WAIT_MS);

describe("the stack's web app", () => {
  it("is deployed with the stack: a private bucket read by CloudFront through origin access control", () => {
    template.resourceCountIs("AWS::CloudFront::Distribution", 1);
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
      }),
    });
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketKeyPrefix: "app/",
    });
  });

  it("outputs the app's URL and the user pool that says who may sign in", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const [distribution] = only(
      resources(template, "AWS::CloudFront::Distribution"),
      "distribution",
    );
    expect(outputs.AppUrl?.Value).toEqual({
      "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distribution, "DomainName"] }, "/app/"]],
    });
    const [pool] = only(resources(template, "AWS::Cognito::UserPool"), "user pool");
    expect(outputs.UserPoolId?.Value).toEqual({ Ref: pool });
  });

  it("signs users in on a Cognito domain named after the stack and the account", () => {
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", {
      Domain: { "Fn::Join": ["", ["sanctionsledger-", { Ref: "AWS::AccountId" }]] },
    });
  });

  it("gives signed-in users the API's reader policy, not the writer's", () => {
    const [readerPolicy] = only(
      resources(template, "AWS::IAM::ManagedPolicy").filter(([, p]) =>
        String(propsOf(p).Description).includes("read (GET)"),
      ),
      "reader policy",
    );
    const [, role] = only(
      resources(template, "AWS::IAM::Role").filter(([, r]) =>
        JSON.stringify(propsOf(r).AssumeRolePolicyDocument).includes(
          '"cognito-identity.amazonaws.com:amr":"authenticated"',
        ),
      ),
      "signed-in users' role",
    );
    expect(propsOf(role).ManagedPolicyArns).toEqual([{ Ref: readerPolicy }]);
    expect(propsOf(role).Policies).toBeUndefined();
  });

  it("tells the app where the API is: the browser may connect to this API's stage only", () => {
    const [api] = only(resources(template, "AWS::ApiGateway::RestApi"), "REST API");
    template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: {
              "Fn::Join": [
                "",
                Match.arrayWith([
                  Match.stringLikeRegexp("connect-src 'self' https://$"),
                  { Ref: api },
                  Match.stringLikeRegexp("^/v1/ "),
                ]),
              ],
            },
          }),
        }),
      }),
    });
  });
});

describe("CORS for the app's origin, and only it", () => {
  it("answers a preflight on every route without a signature, naming the app's origin and the SigV4 headers", () => {
    const preflights = resources(template, "AWS::ApiGateway::Method").filter(
      ([, m]) => propsOf(m).HttpMethod === "OPTIONS",
    );
    const routes = resources(template, "AWS::ApiGateway::Method").filter(
      ([, m]) => propsOf(m).HttpMethod !== "OPTIONS",
    );
    const routeResources = new Set(routes.map(([, m]) => JSON.stringify(propsOf(m).ResourceId)));
    expect(new Set(preflights.map(([, m]) => JSON.stringify(propsOf(m).ResourceId)))).toEqual(
      routeResources,
    );
    for (const [, preflight] of preflights) {
      const integration = propsOf(preflight).Integration as {
        Type: string;
        IntegrationResponses: { ResponseParameters: Record<string, unknown> }[];
      };
      expect(propsOf(preflight).AuthorizationType).toBe("NONE");
      expect(integration.Type).toBe("MOCK");
      const headers = integration.IntegrationResponses[0]?.ResponseParameters ?? {};
      expect(headers["method.response.header.Access-Control-Allow-Origin"]).toEqual(quotedOrigin);
      expect(headers["method.response.header.Vary"]).toBe("'Origin'");
      const allowed = String(headers["method.response.header.Access-Control-Allow-Headers"]);
      for (const header of ["Authorization", "X-Amz-Date", "X-Amz-Security-Token"]) {
        expect(allowed).toContain(header);
      }
    }
  });

  it("keeps SigV4 on every other method", () => {
    for (const [, method] of resources(template, "AWS::ApiGateway::Method")) {
      if (propsOf(method).HttpMethod !== "OPTIONS") {
        expect(propsOf(method).AuthorizationType).toBe("AWS_IAM");
      }
    }
  });

  it("puts the origin on API Gateway's own errors (4xx and 5xx), so the page can read them", () => {
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
        ResponseType: type,
        ResponseParameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": quotedOrigin,
          "gatewayresponse.header.Vary": "'Origin'",
        },
      });
    }
  });

  it("gives every function behind the API the origin for its own answers, and no other", () => {
    const functions = resources(template, "AWS::Lambda::Function");
    const withOrigin = functions.filter(([, fn]) => {
      const variables = (propsOf(fn).Environment as { Variables?: Record<string, unknown> })
        ?.Variables;
      return JSON.stringify(variables?.[ENV.corsOrigin]) === JSON.stringify(origin);
    });
    const described = withOrigin.map(([, fn]) => String(propsOf(fn).Description).split(":")[0]);
    // The writer, the reader, the audit, proofs and docs functions; the projector, the
    // sequencer and the notices answer no browser.
    expect(described.sort()).toEqual(
      ["audit", "docs", "proofs", "reader", "writer"].map((f) => `sanctions-ledger ${f}`),
    );
  });

  it("never allows any origin", () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Allow-Origin":"'\*'"/);
  });

  it("is absent with the web app turned off", () => {
    const app = new App({ context: SYNTH_CONTEXT });
    const stack = new LedgerStack(app, "NoApp", { webApp: false });
    const plain = Template.fromStack(stack);
    plain.resourceCountIs("AWS::CloudFront::Distribution", 0);
    plain.resourceCountIs("AWS::Cognito::UserPool", 0);
    plain.resourceCountIs("AWS::ApiGateway::GatewayResponse", 0);
    for (const [, method] of resources(plain, "AWS::ApiGateway::Method")) {
      expect(propsOf(method).HttpMethod).not.toBe("OPTIONS");
    }
    expect(JSON.stringify(plain.toJSON())).not.toContain(ENV.corsOrigin);
    expect(Object.keys(plain.toJSON().Outputs)).not.toContain("AppUrl");
  });

  it("refuses a wildcard origin and a second origin", () => {
    const app = new App({ context: SYNTH_CONTEXT });
    const stack = new LedgerStack(app, "Wildcard", { webApp: false });
    expect(() => stack.api.allowOrigin("*")).toThrow(/not a wildcard/);
    stack.api.allowOrigin("https://audit.example.org");
    expect(() => stack.api.allowOrigin("https://other.example.org")).toThrow(/one/);
    expect(CORS_ALLOWED_HEADERS).toContain("X-Amz-Content-Sha256");
  });
});

describe("the functions' CORS header", () => {
  afterEach(() => {
    delete process.env[ENV.corsOrigin];
  });

  it("names the one allowed origin on every answer, errors included, and nothing without one", async () => {
    const answer = { statusCode: 500, headers: { "content-type": "x" }, body: "{}" };
    expect(withCors(answer, undefined)).toBe(answer);
    expect(withCors(answer, "https://d1.cloudfront.net").headers).toEqual({
      "content-type": "x",
      "access-control-allow-origin": "https://d1.cloudfront.net",
      vary: "Origin",
    });
    process.env[ENV.corsOrigin] = "https://d1.cloudfront.net";
    const handler = apiHandler(async () => ({ statusCode: 404, body: "{}" }));
    const result = await handler(
      {
        requestContext: { requestId: "r-1" },
        headers: { origin: "https://evil.example" },
      } as unknown as APIGatewayProxyEvent,
      { awsRequestId: "a-1", functionName: "f" } as Context,
    );
    expect(result.headers?.["access-control-allow-origin"]).toBe("https://d1.cloudfront.net");
  });
});
