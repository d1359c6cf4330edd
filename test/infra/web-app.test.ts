import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as iam from "aws-cdk-lib/aws-iam";
import { AwsSolutionsChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPA_FUNCTION, WebApp } from "../../infra/web-app.js";
import { SKIP_BUNDLING } from "./support.js";

const API_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/";
let dir: string;
let stack: Stack;
let template: Template;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "web-app-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html>");
  const app = new App({ context: SKIP_BUNDLING });
  stack = new Stack(app, "Web", { env: { account: "123456789012", region: "eu-west-1" } });
  const readerPolicy = new iam.ManagedPolicy(stack, "ReaderPolicy", {
    statements: [
      new iam.PolicyStatement({
        actions: ["execute-api:Invoke"],
        resources: ["arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/GET/sanctions"],
      }),
    ],
  });
  new WebApp(stack, "WebApp", {
    readerPolicy,
    apiUrl: API_URL,
    signInDomainPrefix: "ledger-audit",
    assetsPath: dir,
  });
  template = Template.fromStack(stack);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the web app's hosting", () => {
  it("keeps the files in a private bucket that only the distribution reads (origin access control)", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: "s3",
        SigningBehavior: "always",
        SigningProtocol: "sigv4",
      }),
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Action: "s3:GetObject",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Condition: { StringEquals: { "AWS:SourceArn": Match.anyValue() } },
          }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Origins: [
          Match.objectLike({
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: "" },
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: "redirect-to-https",
          AllowedMethods: ["GET", "HEAD"],
          FunctionAssociations: [Match.objectLike({ EventType: "viewer-request" })],
        }),
      }),
    });
  });

  it("uploads the built app and its config.json under app/, and removes them with the stack", () => {
    template.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketKeyPrefix: "app/",
      DistributionPaths: ["/app/*"],
      // An emptied bucket is one that `cdk destroy` can delete.
      RetainOnDelete: false,
    });
  });

  it("allows the browser to call only the API, Cognito and itself (CSP)", () => {
    template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: {
            ContentSecurityPolicy: Match.stringLikeRegexp(
              `connect-src 'self' ${API_URL.replace(/[.]/g, "\\.")} https://cognito-identity\\.eu-west-1\\.amazonaws\\.com https://ledger-audit\\.auth\\.eu-west-1\\.amazoncognito\\.com`,
            ),
            Override: true,
          },
          FrameOptions: { FrameOption: "DENY", Override: true },
        }),
      }),
    });
  });

  it("sends deep links to the app's page and leaves files alone", () => {
    const handler = new Function(`${SPA_FUNCTION}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri?: string; statusCode?: number; headers?: { location: { value: string } } };
    const at = (uri: string) => handler({ request: { uri } });
    expect(at("/app/entities/country-ru").uri).toBe("/app/index.html");
    expect(at("/app/").uri).toBe("/app/index.html");
    expect(at("/app/assets/index-abc.js").uri).toBe("/app/assets/index-abc.js");
    expect(at("/app/config.json").uri).toBe("/app/config.json");
    expect(at("/app")).toMatchObject({
      statusCode: 308,
      headers: { location: { value: "/app/" } },
    });
    expect(at("/")).toMatchObject({ statusCode: 308 });
    expect(at("/other.txt").uri).toBe("/other.txt");
  });
});

describe("sign-in", () => {
  it("the user pool admits no self-sign-up and requires MFA", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "ON",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
    });
  });

  it("the browser client uses the authorization-code flow, without a secret, back to the app only", () => {
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [
        {
          "Fn::Join": [
            "",
            ["https://", { "Fn::GetAtt": [Match.anyValue(), "DomainName"] }, "/app/"],
          ],
        },
      ],
    });
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", { Domain: "ledger-audit" });
  });

  it("the identity pool gives signed-in users, and only them, a role holding the reader policy alone", () => {
    template.hasResourceProperties("AWS::Cognito::IdentityPool", {
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [Match.objectLike({ ClientId: Match.anyValue() })],
    });
    const roles = template.findResources("AWS::IAM::Role", {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: "sts:AssumeRoleWithWebIdentity",
              Principal: { Federated: "cognito-identity.amazonaws.com" },
              Condition: Match.objectLike({
                "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
              }),
            }),
          ],
        },
      },
    });
    const [authenticated, ...others] = Object.values(roles);
    expect(others).toEqual([]);
    const readerPolicy = Object.keys(template.findResources("AWS::IAM::ManagedPolicy"))[0];
    expect(authenticated?.Properties.ManagedPolicyArns).toEqual([{ Ref: readerPolicy }]);
    expect(authenticated?.Properties.Policies).toBeUndefined();
    const inline = template.findResources("AWS::IAM::Policy");
    for (const policy of Object.values(inline)) {
      expect(JSON.stringify(policy.Properties.Roles)).not.toContain(
        Object.keys(roles)[0] as string,
      );
    }
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("reports no unacknowledged finding on the web app", () => {
    const result = new AwsSolutionsChecks().validateScope(stack);
    expect(
      result.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
      ),
    ).toEqual([]);
  });
});
