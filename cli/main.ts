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

/** Runs the smsim CLI; resolves with the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("smsim")
    .description("Production code and local-first simulator for an SQS + Lambda bulk SMS pipeline")
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
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof SmsimError) {
      process.stderr.write(`smsim: ${error.message} [${error.code}]\n`);
      return 2;
    }
    throw error;
  }
}
