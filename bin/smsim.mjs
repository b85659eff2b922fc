#!/usr/bin/env node
// The CLI is TypeScript, and scenario files may be too: tsx compiles both on the fly.
import { register } from "tsx/esm/api";

// The SDK warns on every client that releases after January 2027 will need Node 22; our versions
// are pinned, and the warning drowned the CLI's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv);
