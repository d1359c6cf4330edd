import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "node_modules/.bin");

/** The packed tarball installed into a new CDK app, as a team adopting the ledger would. */
let work: string;
let app: string;

async function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  try {
    return await run(command, args, {
      cwd,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true", ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

const version = async (name: string): Promise<string> =>
  JSON.parse(await readFile(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;

/** A CloudFormation template of the app's cloud assembly, by stack name. */
async function template(outdir: string, stackName: string) {
  const manifest = JSON.parse(await readFile(join(outdir, "manifest.json"), "utf8"));
  const [, artifact] = Object.entries(
    manifest.artifacts as Record<
      string,
      { type: string; properties?: { templateFile: string; stackName?: string } }
    >,
  ).find(
    ([id, a]) =>
      a.type === "aws:cloudformation:stack" && (a.properties?.stackName ?? id) === stackName,
  ) ?? [undefined, undefined];
  expect(artifact, `stack ${stackName} in ${outdir}`).toBeDefined();
  const file = join(outdir, artifact?.properties?.templateFile as string);
  return JSON.parse(await readFile(file, "utf8")) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
}

const ofType = (t: Awaited<ReturnType<typeof template>>, type: string) =>
  Object.values(t.Resources).filter((r) => r.Type === type);

/**
 * Every ledger function's code is a bundle the synthesis built into the assembly (CDK's own
 * functions, the web app's deployment and the custom resource that reads the checkpoint
 * key, are not the ledger's).
 */
async function expectBundled(outdir: string, t: Awaited<ReturnType<typeof template>>, n: number) {
  const functions = ofType(t, "AWS::Lambda::Function").filter((fn) =>
    String(fn.Properties.Description ?? "").startsWith("sanctions-ledger "),
  );
  expect(functions).toHaveLength(n);
  for (const fn of functions) {
    const key = (fn.Properties.Code as { S3Key: string }).S3Key;
    const bundle = join(outdir, `asset.${key.replace(/\.zip$/, "")}`, "index.mjs");
    expect(existsSync(bundle), bundle).toBe(true);
    expect(await readFile(bundle, "utf8")).toMatch(/export\s*\{[^}]*\bhandler\b/);
  }
}

const WHOLE_STACK = `import { App } from "aws-cdk-lib";
import { LedgerStack } from "sanctions-ledger";

const app = new App();
const stage: string = app.node.tryGetContext("stage") ?? "v1";
const stackName: string = app.node.tryGetContext("stackName") ?? "SanctionsLedger";
new LedgerStack(app, "Ledger", { stackName, api: { stageName: stage } });
app.synth();
`;

const OWN_STACK = `import { App, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { EventStore, LedgerApi, type LedgerApiProps } from "sanctions-ledger";

/** A team's own stack holding the ledger's tables and API beside its other resources. */
class ComplianceStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { stage: string }) {
    super(scope, id, props);
    const eventStore = new EventStore(this, "Store");
    const api: LedgerApiProps = { eventStore, stageName: props.stage, projectOnAppend: true };
    new LedgerApi(this, "Api", api);
  }
}

const app = new App();
new ComplianceStack(app, "Compliance", {
  stackName: app.node.tryGetContext("stackName"),
  stage: app.node.tryGetContext("stage") ?? "v1",
});
app.synth();
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ledger-package-"));
  app = join(work, "app");
  await mkdir(join(app, "src"), { recursive: true });
  // npm pack runs prepack: the build of the constructs (and of the CLI where it has one).
  const { stdout } = await sh("npm", ["pack", "--json", "--pack-destination", work], ROOT);
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string }[];
  const tarball = join(work, packed?.filename as string);
  await writeFile(
    join(app, "package.json"),
    JSON.stringify({ name: "compliance-app", private: true, type: "module" }, null, 2),
  );
  await writeFile(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: true,
        types: [],
        outDir: "build",
      },
      include: ["src"],
    }),
  );
  // The app's own CDK and esbuild (NodejsFunction bundles with the app's esbuild), at the
  // versions this repository is tested with.
  await sh(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      tarball,
      `aws-cdk-lib@${await version("aws-cdk-lib")}`,
      `constructs@${await version("constructs")}`,
      `esbuild@${await version("esbuild")}`,
    ],
    app,
  );
  await writeFile(join(app, "src/whole.ts"), WHOLE_STACK);
  await writeFile(join(app, "src/own.ts"), OWN_STACK);
  // The constructs' types resolve through the package's exports.
  await sh(join(BIN, "tsc"), ["-p", "."], app);
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const synth = (entry: string, outdir: string, context: Record<string, string>) =>
  sh(
    join(BIN, "cdk"),
    [
      "synth",
      "--quiet",
      "--no-notices",
      "--no-version-reporting",
      "--app",
      `node build/${entry}.js`,
      "--output",
      outdir,
      ...Object.entries(context).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    ],
    app,
  );

describe("the packed package in a new CDK app", () => {
  it("exports the constructs, the CLI and the handlers' sources, and no tests", async () => {
    const pkg = JSON.parse(
      await readFile(join(app, "node_modules/sanctions-ledger/package.json"), "utf8"),
    );
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe("Apache-2.0");
    const installed = join(app, "node_modules/sanctions-ledger");
    for (const file of [
      "dist/infra/index.js",
      "dist/infra/index.d.ts",
      "functions/handlers/writer.ts",
      "functions/handlers/reader.ts",
      "functions/handlers/projector.ts",
    ]) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(existsSync(join(installed, "test"))).toBe(false);
    const { stdout } = await sh(join(app, "node_modules/.bin/sanctions-ledger"), ["--help"], app);
    expect(stdout).toContain("sanctions-ledger");
  }, 120_000);

  it("synthesizes LedgerStack, with the stack name and stage from context", async () => {
    const outdir = join(work, "out-whole");
    await synth("whole", outdir, { stage: "prod", stackName: "TeamLedger" });
    const t = await template(outdir, "TeamLedger");
    await expectBundled(outdir, t, 9);
    expect(ofType(t, "AWS::DynamoDB::Table")).toHaveLength(2);
    // The web app ships in the package (app/dist) and with the stack.
    expect(ofType(t, "AWS::CloudFront::Distribution")).toHaveLength(1);
    expect(ofType(t, "Custom::CDKBucketDeployment")).toHaveLength(1);
    expect(ofType(t, "AWS::ApiGateway::Stage").map((s) => s.Properties.StageName)).toEqual([
      "prod",
    ]);
  }, 600_000);

  it("synthesizes EventStore and LedgerApi in the app's own stack", async () => {
    const outdir = join(work, "out-own");
    await synth("own", outdir, { stage: "test", stackName: "ComplianceTools" });
    const t = await template(outdir, "ComplianceTools");
    // The five functions behind the API.
    await expectBundled(outdir, t, 5);
    expect(ofType(t, "AWS::DynamoDB::Table")).toHaveLength(2);
    expect(ofType(t, "AWS::ApiGateway::Stage").map((s) => s.Properties.StageName)).toEqual([
      "test",
    ]);
  }, 600_000);
});
