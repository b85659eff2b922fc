import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { ValidationError } from "../../domain/errors";
import { REHEARSAL_TIME_SCALE, rehearseDlqIncident } from "../../sim/rehearsal/dlq-incident";
import { interruptOnSignals } from "../interrupt-on-signals";

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
      const interruption = interruptOnSignals((line) => process.stderr.write(`smsim: ${line}\n`));
      try {
        const result = await rehearseDlqIncident({
          recipients,
          prompt: interactive ? askOperator : undefined,
          log: (line) => process.stdout.write(`${line}\n`),
          keep: flags.keep ?? false,
          signal: interruption.signal,
        });
        process.exitCode = result.passed ? 0 : 1;
      } catch (error) {
        // The steps printed so far are the partial record.
        if (!interruption.signal.aborted) throw error;
        process.stdout.write(`INTERRUPTED: ${(error as Error).message}\n`);
        process.exitCode = interruption.exitCode();
      } finally {
        interruption.dispose();
      }
    });
}

async function askOperator(question: string, signal?: AbortSignal): Promise<void> {
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  // On a terminal readline takes Ctrl-C for itself: pass it on, so the rehearsal stops cleanly.
  readline.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
  try {
    await readline.question(`   >> ${question} `, { signal });
  } finally {
    readline.close();
  }
}
