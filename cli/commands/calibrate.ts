import type { Command } from "commander";
import { readEnv } from "../../domain/env";
import { calibrateStack, formatCalibration } from "../../sim/calibrate/stack-calibration";

interface CalibrateFlags {
  records: string;
  concurrency: string;
  json?: boolean;
}

export function registerCalibrateCommand(program: Command): void {
  program
    .command("calibrate")
    .description(
      "Measure the local stack's per-record costs (MySQL queries on MYSQL_URL, the mock carrier over HTTP) " +
        "and print the stack.* settings that make a virtual run match it",
    )
    .option("--records <n>", "SQS records to process, 10 recipients each", "500")
    .option("--concurrency <n>", "records in flight at once", "5")
    .option("--json", "print the measurement as JSON")
    .action(async (flags: CalibrateFlags) => {
      process.stderr.write("calibrate: seeding a throwaway database and starting the mock carrier...\n");
      const calibration = await calibrateStack({
        mysqlUrl: readEnv().mysqlUrl,
        records: Number(flags.records),
        concurrency: Number(flags.concurrency),
      });
      process.stdout.write(
        `${flags.json ? JSON.stringify(calibration, null, 2) : formatCalibration(calibration)}\n`,
      );
    });
}
