#!/usr/bin/env node
// The CLI is TypeScript, and scenario files may be too: tsx compiles both on the fly.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv);
