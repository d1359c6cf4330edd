import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../functions/api/routes.js";
import {
  asArray,
  type CfnResource,
  containsGetAtt,
  functionBehindMethods,
  only,
  propsOf,
  refOf,
  resources,
  synthesizeStack,
} from "./support.js";

let template: Template;
beforeAll(() => {
  template = synthesizeStack().template;
});

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

  it("the stage traces, logs access to a log group, and is throttled", () => {
    template.hasResourceProperties("AWS::ApiGateway::Stage", {
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp("user"),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: "*",
          ResourcePath: "/*",
          LoggingLevel: "ERROR",
          DataTraceEnabled: false,
          ThrottlingRateLimit: Match.anyValue(),
          ThrottlingBurstLimit: Match.anyValue(),
        }),
      ]),
    });
    const [, stage] = only(resources(template, "AWS::ApiGateway::Stage"), "stage");
    const logGroupId = (
      (propsOf(stage).AccessLogSetting as { DestinationArn: { "Fn::GetAtt": string[] } })
        .DestinationArn["Fn::GetAtt"] as string[]
    )[0] as string;
    const [, logGroup] = only(
      resources(template, "AWS::Logs::LogGroup").filter(([id]) => id === logGroupId),
      "access log group",
    );
    expect(logGroup.Properties?.RetentionInDays).toBeGreaterThan(0);
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
