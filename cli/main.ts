import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { SmsimError } from "../domain/errors";
import { registerCalibrateCommand } from "./commands/calibrate";
import { registerCarrierCommand } from "./commands/carrier";
import { registerCompareCommand } from "./commands/compare";
import { registerConsoleCommand } from "./commands/console";
import { registerConsumeCommand } from "./commands/consume";
import { registerDbCommand } from "./commands/db";
import { registerDlqCommand } from "./commands/dlq";
import { registerLambdaCommand } from "./commands/lambda";
import { registerRehearseCommand } from "./commands/rehearse";
import { registerRunCommand } from "./commands/run";
import { registerSeedUsersCommand } from "./commands/seed-users";
import { registerSendCommand } from "./commands/send";
import { registerServicesCommand } from "./commands/services";
import { registerSweepCommand } from "./commands/sweep";
import { explainFailure } from "./explain-failure";

/** Exit code of a usage error (unknown option, missing or bad argument), as for a bad scenario. */
export const USAGE_EXIT_CODE = 2;

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Runs the smsim CLI; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("smsim")
    .description("Production code and local-first simulator for an SQS + Lambda bulk SMS pipeline")
    .version(VERSION, "-V, --version", "print smsim's version")
    .exitOverride()
    .showHelpAfterError();
  const commands: ((program: Command) => void)[] = [
    registerRunCommand,
    registerSweepCommand,
    registerCarrierCommand,
    registerConsoleCommand,
    registerDlqCommand,
    registerDbCommand,
    registerSeedUsersCommand,
    registerServicesCommand,
    registerSendCommand,
    registerConsumeCommand,
    registerLambdaCommand,
    registerCompareCommand,
    registerRehearseCommand,
    registerCalibrateCommand,
  ];
  for (const register of commands) register(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    // Help and --version exit 0; every other commander error is a usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    // A typed error is the program's own account of what went wrong; anything else may be the environment's.
    const known = error instanceof SmsimError ? error : explainFailure(error);
    if (known === null) throw error;
    process.stderr.write(`smsim: ${known.message} [${known.code}]\n`);
    return 2;
  }
}
