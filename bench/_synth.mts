import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { writeFileSync } from "node:fs";
import { LedgerStack } from "../infra/ledger-stack.ts";
const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
const stack = new LedgerStack(app, "S");
writeFileSync(process.argv[2]!, JSON.stringify(Template.fromStack(stack).toJSON(), null, 1));
