import { App, type AppProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { LedgerStack, type LedgerStackProps } from "./ledger-stack.js";

/** The app and its one stack. */
export interface LedgerApp {
  readonly app: App;
  readonly stack: LedgerStack;
}

/**
 * Builds the CDK app: the `SanctionsLedger` stack, checked by cdk-nag's AwsSolutions rules
 * as a policy-validation plugin, so that any unacknowledged finding fails the synthesis.
 */
export function createLedgerApp(appProps?: AppProps, stackProps?: LedgerStackProps): LedgerApp {
  const app = new App(appProps);
  // `cdk deploy -c projectOnAppend=false`: the writer leaves the views to the projector.
  const projectOnAppend = String(app.node.tryGetContext("projectOnAppend") ?? "true") !== "false";
  const stack = new LedgerStack(app, "SanctionsLedger", {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    ...stackProps,
    api: { projectOnAppend, ...stackProps?.api },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
