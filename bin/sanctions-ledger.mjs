#!/usr/bin/env node
// The `sanctions-ledger` command: runs the TypeScript CLI through tsx, from any directory.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
await main();
