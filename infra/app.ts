// `cdk synth` and `cdk deploy` ship the web app: build it first when it is missing or stale.
import "../app/build/ensure.js";
import { createLedgerApp } from "./ledger-app.js";

createLedgerApp().app.synth();
