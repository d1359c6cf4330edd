import { createLedgerApp } from "./ledger-app.js";

createLedgerApp().app.synth();
