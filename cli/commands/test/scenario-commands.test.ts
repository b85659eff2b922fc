import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smsim } from "./run-smsim";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smsim-scenario-cli-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A small scenario file (YAML) with `thresholds` and `extra` top-level lines. */
async function scenarioFile(name: string, thresholds: string, extra = ""): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    [
      `name: ${name.replace(/\.\w+$/, "")}`,
      "duration: 1h",
      "traffic:",
      "  - { name: flash-sale, start: 1m, recipients: 100 }",
      `thresholds: ${thresholds}`,
      extra,
    ].join("\n"),
  );
  return path;
}

describe("smsim validate and run: every mistake before the run", () => {
  it("validate lists every threshold mistake with a did-you-mean and exits 2", async () => {
    // Prepare
    const path = await scenarioFile(
      "typos.yaml",
      `{ dlq_mesages: "count < 1", "recipients_in_dlq{campaign:flash-sael}": "count == 0", "alarm_transitions{to:ALRAM}": "count == 0" }`,
    );
    // Act
    const result = await smsim("validate", path);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`smsim: ${path}: 3 problems`);
    expect(lines[1]).toMatch(
      /^ {2}thresholds\.dlq_mesages: no metric named "dlq_mesages" \(did you mean "dlq_messages"\?\); metrics: alarm_transitions, /,
    );
    expect(lines.slice(2)).toEqual([
      `  thresholds["recipients_in_dlq{campaign:flash-sael}"]: campaign "flash-sael" matches nothing in this run (did you mean "flash-sale"?); the scenario's traffic names are flash-sale`,
      `  thresholds["alarm_transitions{to:ALRAM}"]: to "ALRAM" matches nothing in this run (did you mean "ALARM"?); the alarm states are INSUFFICIENT_DATA, OK, ALARM [SCENARIO_INVALID]`,
    ]);
  });

  it("run refuses the same file before simulating: exit 2 and no report", async () => {
    // Prepare
    const path = await scenarioFile("misspelt.yaml", `{ dlq_mesages: "count < 1" }`);
    const out = join(dir, "misspelt-report");
    // Act
    const result = await smsim("run", path, "--out", out);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no metric named "dlq_mesages" (did you mean "dlq_messages"?)');
    expect(existsSync(out)).toBe(false);
  });

  it("names carrier.transientFailureRate=2 in a file or a --set, without a stack trace", async () => {
    // Prepare
    const path = await scenarioFile("rate.yaml", "{}", "carrier: { transientFailureRate: 2 }");
    const fine = await scenarioFile("fine.yaml", "{}");
    // Act
    const inFile = await smsim("validate", path);
    const inSet = await smsim("validate", fine, "--set", "carrier.transientFailureRate=2");
    // Assess
    expect([inFile.code, inFile.stderr]).toEqual([
      2,
      `smsim: ${path}: carrier.transientFailureRate: must be <= 1 (got 2) [SCENARIO_INVALID]\n`,
    ]);
    expect([inSet.code, inSet.stderr]).toEqual([
      2,
      "smsim: --set carrier.transientFailureRate=2: carrier.transientFailureRate: must be <= 1 (got 2) [SCENARIO_SET_INVALID]\n",
    ]);
  });

  it("a --set is applied before validation, and a partial object merges with the defaults", async () => {
    // Prepare: a file with a typo that --set replaces; no seed and no carrier latency in the file
    const path = await scenarioFile("mend.yaml", `{ dlq_mesages: "count < 1" }`);
    // Act
    const result = await smsim(
      "validate",
      path,
      "--set",
      'thresholds={"dlq_messages":"count < 1"}',
      "--set",
      "carrier.latencyMs.p50=100",
    );
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("duration 1h, seed 1, 1 traffic entries, 1 thresholds");
    expect(result.stdout).toContain("latency lognormal, p50 100 ms, p99 300 ms");
  });

  it("validate prints the resolved carrier, handler and pipeline settings, and the template's advice", async () => {
    // Prepare
    const path = await scenarioFile("settings.yaml", "{}");
    // Act
    const result = await smsim("validate", path);
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "settings: valid",
      "  duration 1h, seed 1, 1 traffic entries, 0 thresholds",
      "  users: 100, invalidRate 0",
      "  carrier: rate limit unlimited requests, unlimited recipients; latency lognormal, p50 50 ms, p99 300 ms",
      "           transientFailureRate 0, timeoutRate 0, connectionResetRate 0, invalidRecipientRate 0, rejectRate 0; outages none",
      expect.stringMatching(
        /^ {2}handler: recordParallelism \d+, carrier retries \d+, carrier timeout \d+ ms$/,
      ),
      expect.stringMatching(
        /^ {2}queue messaging-queue: VisibilityTimeout \d+s, maxReceiveCount \d+, retention \w+$/,
      ),
      expect.stringMatching(/^ {2}mapping: BatchSize 10, MaximumConcurrency \d+; function Timeout \d+s, /),
      "  alarms: messaging-dlq-alarm",
      expect.stringMatching(
        /^ {2}advice: MessagingQueue\.RedrivePolicy\.maxReceiveCount 3 is below AWS's advice of 5: .*\(AWS Lambda guide, services-sqs-configure\)$/,
      ),
      "",
    ]);
  });

  it("run prints the template's advice once, in the summary's ADVICE section and report.html, not as warnings", async () => {
    // Prepare
    const path = await scenarioFile("advice.yaml", `{ recipients_unaccounted: "count == 0" }`);
    const out = join(dir, "advice-report");
    // Act
    const result = await smsim("run", path, "--out", out);
    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("warning");
    expect(result.stdout).toContain(
      "  ADVICE (the template against AWS's guidance)\n    - MessagingQueue.RedrivePolicy",
    );
    expect(result.stdout.match(/maxReceiveCount 3 is below/g)).toHaveLength(1);
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toContain("<h2>Advice</h2>");
  });

  it.each([
    [["--version"], 0, /^0\.1\.0\n$/],
    [["validate"], 2, /missing required argument 'scenario'/],
    [["run", "x.yaml", "--no-such-flag"], 2, /unknown option '--no-such-flag'/],
    [["run", "x.yaml", "--seed", "abc"], 2, /--seed: expected a whole number/],
    [["no-such-command"], 2, /unknown command 'no-such-command'/],
  ])("smsim %j exits %d", async (args, code, output) => {
    // Act
    const result = await smsim(...args);
    // Assess
    expect(result.code).toBe(code);
    expect(result.stdout + result.stderr).toMatch(output);
  });
});
