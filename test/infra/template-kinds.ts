import type { LedgerStackProps } from "../../infra/ledger-stack.js";

/** The stacks the CDK tests share: the ledger alone, and the whole stack with its web app. */
export const TEMPLATE_PROPS = {
  ledger: { webApp: false },
  whole: {},
} as const satisfies Record<string, LedgerStackProps>;

export type TemplateKind = keyof typeof TEMPLATE_PROPS;

/** The environment variable naming the folder the shared templates are written to. */
export const TEMPLATES_DIR_ENV = "LEDGER_TEST_TEMPLATES";
