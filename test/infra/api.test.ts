import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../functions/api/routes.js";
import { LedgerStack } from "../../infra/ledger-stack.js";
import {
  asArray,
  type CfnResource,
  containsGetAtt,
  functionBehindMethods,
  ledgerTemplate,
  only,
  propsOf,
  refOf,
  resources,
  SYNTH_CONTEXT,
  TEMPLATE_WAIT_MS,
} from "./support.js";

let template: Template;
beforeAll(async () => {
  template = await ledgerTemplate();
}, TEMPLATE_WAIT_MS);

/** The full path of every API Gateway resource, rebuilt from the ParentId references. */
function resourcePaths(): Map<string, string> {
  const all = new Map(resources(template, "AWS::ApiGateway::Resource"));
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const resource = all.get(id) as CfnResource;
    const parent = resource.Properties?.ParentId as { Ref?: string };
    const prefix = parent?.Ref !== undefined && all.has(parent.Ref) ? pathOf(parent.Ref) : "";
    const path = `${prefix}/${resource.Properties?.PathPart as string}`;
    paths.set(id, path);
    return path;
  };
  for (const id of all.keys()) pathOf(id);
  return paths;
}

function methods(): { path: string; method: CfnResource }[] {
  const paths = resourcePaths();
  return resources(template, "AWS::ApiGateway::Method").map(([, method]) => {
    const resourceId = method.Properties?.ResourceId as { Ref?: string };
    return { path: (resourceId.Ref && paths.get(resourceId.Ref)) ?? "/", method };
  });
}

describe("the REST API", () => {
  it("requires IAM authorization on every method", () => {
    const all = resources(template, "AWS::ApiGateway::Method");
    const nonOptions = all.filter(([, m]) => m.Properties?.HttpMethod !== "OPTIONS");
    expect(nonOptions).toHaveLength(ROUTES.length);
    for (const [, method] of nonOptions) {
      expect(method.Properties?.AuthorizationType).toBe("AWS_IAM");
    }
    template.resourcePropertiesCountIs(
      "AWS::ApiGateway::Method",
      { AuthorizationType: "AWS_IAM" },
      ROUTES.length,
    );
  });

  it("serves exactly the routes of ROUTES, each by its target function (proxy)", () => {
    const writerId = functionBehindMethods(template, "POST");
    const served = methods().map(({ path, method }) => `${method.Properties?.HttpMethod} ${path}`);
    expect(served.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.resource}`).sort());
    for (const route of ROUTES) {
      const { method } = only(
        methods().filter(
          (m) => m.path === route.resource && m.method.Properties?.HttpMethod === route.method,
        ),
        `${route.method} ${route.resource}`,
      );
      const integration = method.Properties?.Integration as { Type: string; Uri: unknown };
      expect(integration.Type).toBe("AWS_PROXY");
      expect(containsGetAtt(integration.Uri, writerId, "Arn")).toBe(route.target === "writer");
    }
  });

  it("the stage traces, logs errors and metrics, and logs access to a log group kept a year", () => {
    template.hasResourceProperties("AWS::ApiGateway::Stage", {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: "*",
          ResourcePath: "/*",
          LoggingLevel: "ERROR",
          MetricsEnabled: true,
          DataTraceEnabled: false,
        }),
      ]),
    });
    const [, stage] = only(resources(template, "AWS::ApiGateway::Stage"), "stage");
    // The destination is the log group's ARN built from its name (a Ref to the group).
    const destination = JSON.stringify(
      (propsOf(stage).AccessLogSetting as { DestinationArn: unknown }).DestinationArn,
    );
    const [, logGroup] = only(
      resources(template, "AWS::Logs::LogGroup").filter(([id]) =>
        destination.includes(`{"Ref":"${id}"}`),
      ),
      "access log group",
    );
    expect(logGroup.Properties?.RetentionInDays).toBe(365);
  });

  it("logs each request as a JSON line with the request id, caller ARN, error message and latencies", () => {
    const [, stage] = only(resources(template, "AWS::ApiGateway::Stage"), "stage");
    const format = (propsOf(stage).AccessLogSetting as { Format: string }).Format;
    // API Gateway substitutes the variables; `messageString` comes quoted already.
    const line = JSON.parse(
      format.replace("$context.error.messageString", '"Missing \\"Authentication\\" Token"'),
    ) as Record<string, string>;
    expect(line).toMatchObject({
      requestId: "$context.requestId",
      userArn: "$context.identity.userArn",
      caller: "$context.identity.caller",
      status: "$context.status",
      integrationLatency: "$context.integrationLatency",
      responseLatency: "$context.responseLatency",
      resourcePath: "$context.resourcePath",
      httpMethod: "$context.httpMethod",
      errorMessage: 'Missing "Authentication" Token',
    });
    expect(format).toContain("$context.error.message");
  });

  it("throttles each write method and each read method with its own limits", () => {
    const expected = ROUTES.map((route) =>
      Match.objectLike({
        HttpMethod: route.method,
        ResourcePath: `/${route.resource.replaceAll("/", "~1")}`,
        ThrottlingRateLimit: route.method === "POST" ? 25 : 50,
        ThrottlingBurstLimit: route.method === "POST" ? 50 : 100,
        LoggingLevel: "ERROR",
        MetricsEnabled: true,
      }),
    );
    template.hasResourceProperties("AWS::ApiGateway::Stage", {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: "*",
          ResourcePath: "/*",
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
        ...expected,
      ]),
    });
  });

  it("takes the write and read throttles from its props", () => {
    const app = new App({ context: SYNTH_CONTEXT });
    const stack = new LedgerStack(app, "Throttled", {
      api: {
        writeThrottle: { rateLimit: 3, burstLimit: 6 },
        readThrottle: { rateLimit: 40, burstLimit: 80 },
      },
    });
    Template.fromStack(stack).hasResourceProperties("AWS::ApiGateway::Stage", {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: "POST",
          ResourcePath: "/~1batches",
          ThrottlingRateLimit: 3,
          ThrottlingBurstLimit: 6,
        }),
        Match.objectLike({
          HttpMethod: "GET",
          ResourcePath: "/~1search",
          ThrottlingRateLimit: 40,
          ThrottlingBurstLimit: 80,
        }),
      ]),
    });
  });
});

describe("the caller policies", () => {
  function invokeStatements(policyId: string) {
    const [, policy] = only(
      resources(template, "AWS::IAM::ManagedPolicy").filter(([id]) => id === policyId),
      "managed policy",
    );
    const statements = (propsOf(policy).PolicyDocument as { Statement: unknown[] }).Statement;
    return statements as { Effect: string; Action: string | string[]; Resource: unknown }[];
  }

  /** The method and path of an execute-api ARN: `…/<stage>/<METHOD>/<path>`. */
  function methodsGranted(policyId: string): string[] {
    return invokeStatements(policyId).flatMap((s) => {
      expect(s.Effect).toBe("Allow");
      expect(asArray(s.Action)).toEqual(["execute-api:Invoke"]);
      return asArray(s.Resource).map((arn) => {
        const parts = (arn as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1];
        const tail = parts[parts.length - 1] as string;
        const [, , method, ...path] = tail.split("/");
        return `${method} /${path.join("/")}`;
      });
    });
  }

  const expected = (methodsAllowed: string[]) =>
    ROUTES.filter((r) => methodsAllowed.includes(r.method))
      .map((r) => `${r.method} ${r.resource.replace(/\{[^}]+\}/g, "*")}`)
      .sort();

  it("are stack outputs: ReaderPolicyArn, WriterPolicyArn, ApiUrl", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const name of ["ReaderPolicyArn", "WriterPolicyArn"]) {
      const policyId = refOf(outputs[name]?.Value);
      expect(resources(template, "AWS::IAM::ManagedPolicy").map(([id]) => id)).toContain(policyId);
    }
    template.hasOutput("ApiUrl", {
      Value: { "Fn::Join": ["", Match.arrayWith(["https://", ".execute-api."])] },
    });
  });

  it("the reader policy allows exactly the GET methods", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const granted = methodsGranted(refOf(outputs.ReaderPolicyArn?.Value)).sort();
    expect(granted).toEqual(expected(["GET"]));
    expect(granted.some((m) => m.startsWith("POST"))).toBe(false);
  });

  it("the writer policy allows the POST and the GET methods", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const granted = methodsGranted(refOf(outputs.WriterPolicyArn?.Value)).sort();
    expect(granted).toEqual(expected(["GET", "POST"]));
    expect(granted.some((m) => m.startsWith("POST"))).toBe(true);
  });

  it("have no physical names", () => {
    template.resourcePropertiesCountIs(
      "AWS::IAM::ManagedPolicy",
      { ManagedPolicyName: Match.absent() },
      2,
    );
  });
});
