import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { ENV } from "../../functions/store/keys.js";
import { createLedgerApp } from "../../infra/ledger-app.js";
import { LedgerStack } from "../../infra/ledger-stack.js";
import {
  ledgerFunctions,
  ledgerTemplate,
  only,
  policies,
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

describe("the functions", () => {
  it("are nine (writer, reader, audit, proofs, docs, projector, sequencer, the notices' daily and stream functions), all Node.js 24 on arm64 with active tracing", () => {
    expect(ledgerFunctions(template)).toHaveLength(9);
    template.resourcePropertiesCountIs(
      "AWS::Lambda::Function",
      {
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        Handler: "index.handler",
        FunctionName: Match.absent(),
      },
      9,
    );
  });

  it("learn both tables from the environment variables named in keys.ts (all but the docs function, which reads none)", () => {
    const tableIds = resources(template, "AWS::DynamoDB::Table").map(([id]) => id);
    const docs = ledgerFunctions(template).filter(([, fn]) =>
      String(propsOf(fn).Description).startsWith("sanctions-ledger docs:"),
    );
    expect(docs).toHaveLength(1);
    for (const [, fn] of docs) {
      const variables = (propsOf(fn).Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(variables[ENV.eventsTable]).toBeUndefined();
      expect(variables[ENV.viewsTable]).toBeUndefined();
    }
    for (const [, fn] of ledgerFunctions(template).filter(
      ([, f]) => !docs.some(([, d]) => d === f),
    )) {
      const variables = (propsOf(fn).Environment as { Variables: Record<string, unknown> })
        .Variables;
      const named = [refOf(variables[ENV.eventsTable]), refOf(variables[ENV.viewsTable])];
      expect(named.sort()).toEqual([...tableIds].sort());
    }
  });

  it("log to their own log group, which has a retention", () => {
    for (const [, fn] of ledgerFunctions(template)) {
      const logGroupId = refOf((propsOf(fn).LoggingConfig as { LogGroup: unknown }).LogGroup);
      const [, logGroup] = only(
        resources(template, "AWS::Logs::LogGroup").filter(([id]) => id === logGroupId),
        "log group",
      );
      expect(logGroup.Properties?.RetentionInDays).toBeGreaterThan(0);
      expect(logGroup.Properties?.LogGroupName).toBeUndefined();
    }
  });

  it("have roles with no managed policies: only the grants they need", () => {
    for (const [, fn] of ledgerFunctions(template)) {
      const roleId = (propsOf(fn).Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      const [, role] = only(
        resources(template, "AWS::IAM::Role").filter(([id]) => id === roleId),
        "role",
      );
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      const statements = policies(template)
        .filter((p) => p.roles.includes(roleId as string))
        .flatMap((p) => p.statements);
      expect(statements).toContainEqual({
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: {
          "Fn::GetAtt": [
            refOf((propsOf(fn).LoggingConfig as { LogGroup: unknown }).LogGroup),
            "Arn",
          ],
        },
      });
    }
  });
});

describe("reserved concurrency", () => {
  it("is none by default: the functions share the account's unreserved pool", () => {
    const fns = ledgerFunctions(template);
    expect(fns).toHaveLength(9);
    for (const [, fn] of fns) expect(fn.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it("is a prop of each function", () => {
    const app = new App({ context: SYNTH_CONTEXT });
    const stack = new LedgerStack(app, "Reserved", {
      api: { writerReservedConcurrency: 7, readerReservedConcurrency: 11 },
      projector: { reservedConcurrency: 2 },
    });
    const reserved = Template.fromStack(stack);
    for (const [role, count] of [
      ["writer", 7],
      ["reader", 11],
      ["audit", 11],
      ["proofs", 11],
      ["projector", 2],
    ] as const) {
      reserved.hasResourceProperties("AWS::Lambda::Function", {
        Description: Match.stringLikeRegexp(`^sanctions-ledger ${role}:`),
        ReservedConcurrentExecutions: count,
      });
    }
  });
});

describe("the writer's projection on append", () => {
  const writerOf = (t: Template) => {
    const [, fn] = only(
      resources(t, "AWS::Lambda::Function").filter(([, f]) =>
        String(propsOf(f).Description).includes("writer"),
      ),
      "writer",
    );
    const roleId = (propsOf(fn).Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const variables = (propsOf(fn).Environment as { Variables: Record<string, unknown> }).Variables;
    const actions = policies(t)
      .filter((p) => p.roles.includes(roleId))
      .flatMap((p) => p.statements)
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    return { variables, actions };
  };

  it("is on by default: the writer may write the views", () => {
    const { variables, actions } = writerOf(template);
    expect(variables[ENV.projectOnAppend]).toBe("true");
    expect(actions).toContain("dynamodb:BatchWriteItem");
  });

  it("is turned off with the context projectOnAppend=false, and the stack still passes cdk-nag", () => {
    const dir = mkdtempSync(join(tmpdir(), "no-projection-"));
    try {
      const { app, stack } = createLedgerApp({
        outdir: dir,
        context: { ...SYNTH_CONTEXT, projectOnAppend: "false" },
      });
      expect(() => app.synth()).not.toThrow();
      expect(writerOf(Template.fromStack(stack)).variables[ENV.projectOnAppend]).toBe("false");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("off, the writer is told so and may only read the views", () => {
    const app = new App({ context: SYNTH_CONTEXT });
    const stack = new LedgerStack(app, "NoProjection", { api: { projectOnAppend: false } });
    const { variables, actions } = writerOf(Template.fromStack(stack));
    expect(variables[ENV.projectOnAppend]).toBe("false");
    for (const write of ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]) {
      expect(actions).not.toContain(write);
    }
    // PutItem remains, for the events table only (grantAppend).
    expect(actions.filter((a) => a === "dynamodb:PutItem")).toHaveLength(1);
  });
});
