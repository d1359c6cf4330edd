/**
 * Shared helpers for the CDK tests: synthesize the stack (without bundling) and read the
 * template semantically — resources are found by their properties and by the references
 * between them, never by their generated logical ids.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { EVENTS_TABLE } from "../../functions/store/keys.js";
import { LedgerStack, type LedgerStackProps } from "../../infra/ledger-stack.js";
import { ASSETS_CONTEXT } from "../../infra/web-app.js";
import { TEMPLATE_PROPS, TEMPLATES_DIR_ENV, type TemplateKind } from "./template-kinds.js";

/** Context that makes NodejsFunction skip esbuild: unit tests need no real bundles. */
export const SKIP_BUNDLING = { "aws:cdk:bundling-stacks": [] } as const;

/**
 * The context of `cdk.json` (the feature flags), which the CDK CLI gives the app: an `App`
 * built in a test does not read `cdk.json`, so without it the tests would check a template
 * other than the one `cdk deploy` deploys.
 */
export const CDK_JSON_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(new URL("../../cdk.json", import.meta.url), "utf8")) as {
    context: Record<string, unknown>;
  }
).context;

/** A stand-in for the built web app: the CDK tests need its folder, not a build. */
export const WEB_APP_STUB = new URL("../fixtures/web-app", import.meta.url).pathname;

/**
 * The context of a test synthesis: the flags of `cdk.json`, no bundling, and the web app's
 * stand-in.
 */
export const SYNTH_CONTEXT = {
  ...CDK_JSON_CONTEXT,
  ...SKIP_BUNDLING,
  [ASSETS_CONTEXT]: WEB_APP_STUB,
};

export interface Synthesized {
  readonly app: App;
  readonly stack: LedgerStack;
  readonly template: Template;
}

/**
 * The stack in an app of its own, with cdk.json's flags, without bundling nor cdk-nag. By
 * default without its web app, so that the functions, methods and alarms counted are the
 * ledger's own (CDK's bucket deployment adds a function); `stack-web-app.test.ts` and the
 * cdk-nag test synthesize the whole stack.
 */
export function synthesizeStack(props: LedgerStackProps = { webApp: false }): Synthesized {
  const app = new App({ context: SYNTH_CONTEXT });
  const stack = new LedgerStack(app, "SanctionsLedger", props);
  return { app, stack, template: Template.fromStack(stack) };
}

export type Json = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface Statement {
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource?: Json;
  readonly Principal?: Json;
  readonly Condition?: Json;
}

/** An IAM policy of the template (inline policy, managed policy or role inline policy). */
export interface Policy {
  readonly logicalId: string;
  readonly type: string;
  /** `Ref`s of the roles the policy is attached to (for a role's own policies, the role). */
  readonly roles: string[];
  readonly statements: Statement[];
}

/** A resource's properties (empty when it has none). */
export function propsOf(resource: CfnResource): Record<string, Json> {
  return resource.Properties ?? {};
}

export function resources(template: Template, type?: string): [string, CfnResource][] {
  const all = template.toJSON().Resources as Record<string, CfnResource>;
  return Object.entries(all).filter(([, resource]) => type === undefined || resource.Type === type);
}

export function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
}

function keySchema(resource: CfnResource): string {
  const schema = (resource.Properties?.KeySchema ?? []) as { AttributeName: string }[];
  return schema.map((key) => key.AttributeName).join(",");
}

/** The events table, found by its key schema (entityId, version). */
export function eventsTable(template: Template): [string, CfnResource] {
  const keys = `${EVENTS_TABLE.partitionKey},${EVENTS_TABLE.sortKey}`;
  return only(
    resources(template, "AWS::DynamoDB::Table").filter(([, table]) => keySchema(table) === keys),
    "events table",
  );
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every IAM policy document in the template, whatever resource carries it. */
export function policies(template: Template): Policy[] {
  const result: Policy[] = [];
  for (const [logicalId, resource] of resources(template)) {
    const props = resource.Properties ?? {};
    const document = (doc: Json) => asArray((doc as { Statement?: Statement[] })?.Statement);
    if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") {
      result.push({
        logicalId,
        type: resource.Type,
        roles: asArray(props.Roles as Json[]).map(refOf),
        statements: document(props.PolicyDocument),
      });
    } else if (resource.Type === "AWS::IAM::Role") {
      for (const inline of asArray(props.Policies as { PolicyDocument: Json }[])) {
        result.push({
          logicalId,
          type: resource.Type,
          roles: [logicalId],
          statements: document(inline.PolicyDocument),
        });
      }
    }
  }
  return result;
}

export function refOf(value: Json): string {
  const ref = (value as { Ref?: unknown })?.Ref;
  if (typeof ref !== "string") throw new Error(`not a Ref: ${JSON.stringify(value)}`);
  return ref;
}

/** Whether `value` contains `{ "Fn::GetAtt": [logicalId, attribute] }` anywhere. */
export function containsGetAtt(value: Json, logicalId: string, attribute: string): boolean {
  if (Array.isArray(value)) return value.some((item) => containsGetAtt(item, logicalId, attribute));
  if (typeof value !== "object" || value === null) return false;
  const getAtt = (value as Record<string, unknown>)["Fn::GetAtt"];
  if (Array.isArray(getAtt) && getAtt[0] === logicalId && getAtt[1] === attribute) return true;
  return Object.values(value).some((item) => containsGetAtt(item, logicalId, attribute));
}

/** The statement's resources that are the table itself (`GetAtt Arn`, not an index ARN). */
export function tableItselfResources(statement: Statement, tableId: string): Json[] {
  return asArray(statement.Resource).filter((resource) => {
    const getAtt = (resource as Record<string, unknown>)?.["Fn::GetAtt"];
    return Array.isArray(getAtt) && getAtt[0] === tableId && getAtt[1] === "Arn";
  });
}

/** Whether an IAM action pattern (`dynamodb:Update*`, `*`) matches the action. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
  return regex.test(action);
}

/** The logical id of the Lambda function behind the API methods with this HTTP method. */
export function functionBehindMethods(template: Template, httpMethod: string): string {
  return only(
    functionsBehindMethods(template, httpMethod),
    `function behind ${httpMethod} methods`,
  );
}

/** The logical ids of the functions that answer the methods of one HTTP verb. */
export function functionsBehindMethods(template: Template, httpMethod: string): string[] {
  const targets = new Set<string>();
  for (const [, method] of resources(template, "AWS::ApiGateway::Method")) {
    if (method.Properties?.HttpMethod !== httpMethod) continue;
    const uri = (method.Properties?.Integration as { Uri?: Json })?.Uri;
    for (const [fnId] of resources(template, "AWS::Lambda::Function")) {
      if (containsGetAtt(uri, fnId, "Arn")) targets.add(fnId);
    }
  }
  return [...targets];
}

/** The logical id of a function's execution role. */
export function roleOf(template: Template, functionId: string): string {
  const fn = only(
    resources(template, "AWS::Lambda::Function").filter(([id]) => id === functionId),
    "function",
  )[1];
  const getAtt = (fn.Properties?.Role as { "Fn::GetAtt"?: string[] })?.["Fn::GetAtt"];
  if (!getAtt?.[0]) throw new Error("function role is not a GetAtt");
  return getAtt[0];
}

/** The logical id of the stream projector (the sequencer follows the stream too). */
export function streamConsumer(template: Template): string {
  return refOf(projectorMapping(template).Properties?.FunctionName);
}

/** The event source mapping of the function whose description starts with `describedAs`. */
export function mappingOf(template: Template, describedAs: string): CfnResource {
  const functions = new Map(resources(template, "AWS::Lambda::Function"));
  const [, mapping] = only(
    resources(template, "AWS::Lambda::EventSourceMapping").filter(([, m]) => {
      const fn = functions.get(refOf(m.Properties?.FunctionName));
      return String(fn?.Properties?.Description ?? "").startsWith(describedAs);
    }),
    `event source mapping of ${describedAs}`,
  );
  return mapping;
}

/** The projector's event source mapping on the events stream. */
export const projectorMapping = (template: Template) =>
  mappingOf(template, "sanctions-ledger projector");

/** The notices' event source mapping on the events stream. */
export const noticesMapping = (template: Template) =>
  mappingOf(template, "sanctions-ledger notices: events");

/** The logical id of the dead-letter queue a mapping sends its failures to. */
export function dlqOf(mapping: CfnResource): string {
  const destination = (
    propsOf(mapping).DestinationConfig as { OnFailure: { Destination: unknown } }
  ).OnFailure.Destination as { "Fn::GetAtt": [string, string] };
  return destination["Fn::GetAtt"][0];
}

/**
 * The ledger's own functions (writer, reader, projector, sequencer), told apart from CDK's
 * singleton provider of the custom resource that reads the public key at deployment.
 */
export function ledgerFunctions(template: Template): [string, CfnResource][] {
  return resources(template, "AWS::Lambda::Function").filter(([, fn]) =>
    String(fn.Properties?.Description ?? "").startsWith("sanctions-ledger "),
  );
}

/** How long a CDK test waits for the shared templates (a loaded machine synthesizes slowly). */
export const TEMPLATE_WAIT_MS = 240_000;

/**
 * The template of the ledger alone (`ledger`, as {@link synthesizeStack} makes by default) or
 * of the whole stack (`whole`): the one the test run's global setup synthesized, once for
 * every file, or one synthesized here when there is none (a file run on its own).
 */
export async function ledgerTemplate(kind: TemplateKind = "ledger"): Promise<Template> {
  const dir = process.env[TEMPLATES_DIR_ENV];
  if (dir) {
    const file = join(dir, `${kind}.json`);
    for (let waited = 0; waited < TEMPLATE_WAIT_MS - 30_000; waited += 100) {
      if (existsSync(file)) return Template.fromJSON(JSON.parse(readFileSync(file, "utf8")));
      if (existsSync(join(dir, `${kind}.error`))) break;
      await sleep(100);
    }
  }
  return synthesizeStack({ ...TEMPLATE_PROPS[kind] }).template;
}
