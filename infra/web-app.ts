import { existsSync } from "node:fs";
import { type CfnResource, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as identitypool from "aws-cdk-lib/aws-cognito-identitypool";
import type * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import { Construct, type IConstruct } from "constructs";
import { PROJECT_ROOT } from "./function.js";
import { flattenReference } from "./nag.js";

/** The context key that names the built app's folder when the props do not. */
export const ASSETS_CONTEXT = "webAppAssetsPath";

/** Properties of a {@link WebApp}. */
export interface WebAppProps {
  /**
   * The API's read policy (`LedgerApi.readerPolicy`): what a signed-in user may call.
   * @default - no default; required
   */
  readonly readerPolicy: iam.IManagedPolicy;
  /**
   * The API's base URL (the stage's URL, ending in `/`), which the app calls.
   * @default - no default; required
   */
  readonly apiUrl: string;
  /**
   * The prefix of the Cognito sign-in domain, `https://PREFIX.auth.REGION.amazoncognito.com`:
   * it must be unique in the region, so the deploying account chooses it.
   * @default - no default; required
   */
  readonly signInDomainPrefix: string;
  /**
   * The folder of the built app (`npm run app:build`).
   * @default - the context value `webAppAssetsPath`, else `app/dist` of this package
   */
  readonly assetsPath?: string;
  /**
   * How long a sign-in lasts before the user signs in again (the ID token's validity).
   * @default Duration.hours(1)
   */
  readonly sessionLength?: Duration;
}

/** Where the app is served, under the distribution's domain. */
const PREFIX = "app";

/**
 * Rewrites the app's deep links (/app/entities/…) to its page, and sends / and /app to /app/,
 * so that a reload or a shared link opens the page; files with an extension pass through.
 */
export const SPA_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === "/" || uri === "/${PREFIX}") {
    return { statusCode: 308, statusDescription: "Permanent Redirect", headers: { location: { value: "/${PREFIX}/" } } };
  }
  if (uri.indexOf("/${PREFIX}/") === 0 && uri.slice(uri.lastIndexOf("/")).indexOf(".") === -1) {
    request.uri = "/${PREFIX}/index.html";
  }
  return request;
}`;

/**
 * The auditor's web app in AWS: the built single-page app in a private S3 bucket served by
 * CloudFront through origin access control, behind sign-in. A Cognito user pool (no
 * self-sign-up, MFA required) signs users in with the authorization-code flow and PKCE; an
 * identity pool exchanges their ID token for credentials of a role holding only the API's
 * read policy, with which the browser signs its calls (SigV4). Nothing but the static files is
 * reachable without signing in, and recording events stays with the writer policy.
 *
 * The API must answer CORS for {@link origin} only (preflight `OPTIONS` without authorization,
 * `Access-Control-Allow-Origin` on every answer, gateway errors included): see the README.
 */
export class WebApp extends Construct {
  /** The bucket holding the built app under `app/`. */
  public readonly bucket: s3.Bucket;
  /** The CloudFront distribution that serves it. */
  public readonly distribution: cloudfront.Distribution;
  /** The app's origin, `https://…cloudfront.net`: the one origin the API's CORS allows. */
  public readonly origin: string;
  /** The app's URL. */
  public readonly url: string;
  /** The users who may sign in. */
  public readonly userPool: cognito.UserPool;
  /** The app's client of the user pool. */
  public readonly userPoolClient: cognito.UserPoolClient;
  /** Exchanges a signed-in user's token for the reader role's credentials. */
  public readonly identityPool: identitypool.IdentityPool;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    this.bucket = new s3.Bucket(this, "Assets", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Only built files: a new deployment writes them again.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const signInDomain = `https://${props.signInDomainPrefix}.auth.${region}.amazoncognito.com`;
    const headers = new cloudfront.ResponseHeadersPolicy(this, "Headers", {
      comment: "sanctions-ledger web app: security headers",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            "img-src 'self' data: blob:",
            "style-src 'self'",
            "script-src 'self'",
            `connect-src 'self' ${props.apiUrl} https://cognito-identity.${region}.amazonaws.com ${signInDomain}`,
            `form-action 'self' ${signInDomain}`,
            "frame-ancestors 'none'",
            "base-uri 'self'",
          ].join("; "),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    this.distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: "sanctions-ledger web app",
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, "DeepLinks", {
              code: cloudfront.FunctionCode.fromInline(SPA_FUNCTION),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: "sanctions-ledger web app: deep links to the app's page",
            }),
          },
        ],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/${PREFIX}/`;

    this.userPool = new cognito.UserPool(this, "Users", {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool.addDomain("SignIn", {
      cognitoDomain: { domainPrefix: props.signInDomainPrefix },
    });
    const sessionLength = props.sessionLength ?? Duration.hours(1);
    this.userPoolClient = this.userPool.addClient("Browser", {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: sessionLength,
      accessTokenValidity: sessionLength,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
    });

    this.identityPool = new identitypool.IdentityPool(this, "Identities", {
      allowUnauthenticatedIdentities: false,
      allowClassicFlow: false,
      authenticationProviders: {
        userPools: [
          new identitypool.UserPoolAuthenticationProvider({
            userPool: this.userPool,
            userPoolClient: this.userPoolClient,
          }),
        ],
      },
    });
    // cfn-lint W3005: the L2 makes the identity pool depend on the user pool and its client,
    // which it also references; the repetition is harmless and the L2 has no way to drop it.
    (this.identityPool.node.defaultChild as CfnResource).addMetadata("cfn-lint", {
      config: { ignore_checks: ["W3005"] },
    });
    // Signed-in users read; nothing else. Appends stay with the writer policy.
    this.identityPool.authenticatedRole.addManagedPolicy(props.readerPolicy);

    new s3deploy.BucketDeployment(this, "Upload", {
      sources: [
        s3deploy.Source.asset(this.assetsPath(props.assetsPath)),
        s3deploy.Source.jsonData("config.json", {
          apiUrl: props.apiUrl,
          region,
          userPoolId: this.userPool.userPoolId,
          userPoolClientId: this.userPoolClient.userPoolClientId,
          identityPoolId: this.identityPool.identityPoolId,
          signInDomain,
        }),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${PREFIX}/`,
      distribution: this.distribution,
      distributionPaths: [`/${PREFIX}/*`],
      prune: true,
      // Removing the deployment empties the bucket, so that a `cdk destroy` can delete it
      // (the bucket holds only the build). The deployment's construct id must therefore stay
      // put: a new logical id would delete the files that the new deployment just wrote.
      retainOnDelete: false,
    });

    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG8",
      reason:
        "Threat protection needs the Cognito Plus plan, a cost the deploying account " +
        "decides; sign-in already requires MFA and has no self-sign-up.",
    });
    Validations.of(this.bucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "The bucket holds only the app's build, the same files for every user, and only " +
        "CloudFront reads it (origin access control); the data is behind the API, whose access log records every call.",
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: "AwsSolutions-CFR1",
        reason:
          "The distribution serves the app's static files to the deploying organisation's " +
          "auditors wherever they work; who may read data is decided by sign-in and IAM, not geography.",
      },
      {
        id: "AwsSolutions-CFR2",
        reason:
          "Only static files are served here, without sign-in by design; the data is behind " +
          "the API (SigV4 with the reader role), and a WAF web ACL is left to the deploying account.",
      },
      {
        id: "AwsSolutions-CFR3",
        reason:
          "The distribution serves only the app's static files; every read of data is a " +
          "signed API call, recorded in the API's access log with the caller's identity.",
      },
      {
        id: "AwsSolutions-CFR4",
        reason:
          "The distribution uses the default *.cloudfront.net certificate, for which CloudFront " +
          "sets the protocol floor; a custom domain with TLSv1.2_2021 is the deploying account's choice.",
      },
    );
    acknowledgeDeploymentRole(Stack.of(this));
  }

  private assetsPath(given: string | undefined): string {
    const path = given ?? this.node.tryGetContext(ASSETS_CONTEXT) ?? `${PROJECT_ROOT}app/dist`;
    if (!existsSync(`${path}/index.html`)) {
      throw new Error(
        `The web app is not built (no ${path}/index.html): run \`npm run app:build\`, or give ` +
          "LedgerStack `webApp: false` to deploy without it.",
      );
    }
    return path;
  }
}

/**
 * The findings on the role of CDK's bucket-deployment function (one per stack): the S3
 * wildcards that CDK grants it to copy the build from the asset bucket into the app's bucket,
 * the managed basic-execution policy, and its runtime, which CDK chooses.
 */
function acknowledgeDeploymentRole(stack: Stack): void {
  const handler = stack.node.children.find((c) =>
    c.node.id.startsWith("Custom::CDKBucketDeployment"),
  );
  if (!handler) return;
  const reason =
    "CDK's bucket deployment copies the app's build from the CDK asset bucket into the " +
    "app's bucket and invalidates the distribution: the grants are CDK's, scoped to those buckets.";
  const ids = new Set<string>([
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "AwsSolutions-L1",
  ]);
  const policy = handler.node.tryFindChild("ServiceRole")?.node.tryFindChild("DefaultPolicy") as
    | iam.Policy
    | undefined;
  const document = policy ? (stack.resolve(policy.document.toJSON()) as PolicyJson) : undefined;
  for (const statement of document?.Statement ?? []) {
    for (const action of [statement.Action ?? []].flat())
      if (action.includes("*")) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
    for (const resource of [statement.Resource ?? []].flat()) {
      const flat = flattenReference(resource);
      if (flat.includes("*")) ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
    }
  }
  Validations.of(handler as IConstruct).acknowledge(...[...ids].map((id) => ({ id, reason })));
  // cfn-lint W3005: CDK's function depends on its role, which it also names (GetAtt), as every
  // Lambda L2 does (see infra/function.ts).
  (handler.node.defaultChild as CfnResource | undefined)?.addMetadata("cfn-lint", {
    config: { ignore_checks: ["W3005"] },
  });
}

interface PolicyJson {
  Statement?: { Action?: string | string[]; Resource?: unknown }[];
}
