import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { ValidationError } from "../../domain/errors";
import { REHEARSAL_TIME_SCALE, rehearseDlqIncident } from "../../sim/rehearsal/dlq-incident";

interface DlqIncidentFlags {
  recipients: string;
  yes?: boolean;
  keep?: boolean;
}

export function registerRehearseCommand(program: Command): void {
  const rehearse = program
    .command("rehearse")
    .description("Rehearse an operational incident on the live stack");
  rehearse
    .command("dlq-incident")
    .description(
      "A campaign meets a carrier outage and reaches the DLQ; the alarm posts to Slack (SLACK_WEBHOOK_URL); " +
        "then inspect, bring the carrier back, redrive, and verify every recipient was delivered exactly once. " +
        `Alarm minutes are compressed ${REHEARSAL_TIME_SCALE}x. Exits 0 on PASS, 1 on FAIL`,
    )
    .option("--recipients <n>", "recipients in the campaign", "2000")
    .option("--yes", "do not pause for the operator")
    .option("--keep", "keep the rehearsal's database and queues")
    .action(async (flags: DlqIncidentFlags) => {
      const recipients = Number(flags.recipients);
      if (flags.recipients.trim() === "" || !Number.isInteger(recipients)) {
        throw new ValidationError("--recipients", flags.recipients, "expected an integer");
      }
      const interactive = process.stdin.isTTY === true && !flags.yes;
      const result = await rehearseDlqIncident({
        recipients,
        prompt: interactive ? askOperator : undefined,
        log: (line) => process.stdout.write(`${line}\n`),
        keep: flags.keep ?? false,
      });
      process.exitCode = result.passed ? 0 : 1;
    });
}

async function askOperator(question: string): Promise<void> {
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  try {
    await readline.question(`   >> ${question} `);
  } finally {
    readline.close();
  }
}
