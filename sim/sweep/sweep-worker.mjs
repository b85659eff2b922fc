// A sweep's worker process: compiles the TypeScript on the fly, as bin/smsim.mjs does.
import { register } from "tsx/esm/api";

register();
await import("./sweep-worker.ts");
