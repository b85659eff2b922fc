import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import mysql from "mysql2/promise";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { dropDatabase, ensureDatabase } from "../../../domain/db/mysql";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { TEST_MYSQL_SERVER } from "../../../test/support/test-database";
import { smsim } from "./run-smsim";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const DAY_MS = 86_400_000;

async function databasesLike(pattern: string): Promise<string[]> {
  const connection = await mysql.createConnection(TEST_MYSQL_SERVER);
  try {
    const [rows] = await connection.query("SHOW DATABASES LIKE ?", [pattern]);
    return (rows as Record<string, string>[]).map((row) => Object.values(row)[0] as string);
  } finally {
    await connection.end();
  }
}

describe("a live run stopped by Ctrl-C, and what crashed runs leave behind", () => {
  let mq: TestElasticMq;
  let dir: string;
  const queueUrls = async () => (await mq.client.send(new ListQueuesCommand({}))).QueueUrls ?? [];
  beforeAll(async () => {
    [mq, dir] = await Promise.all([startTestElasticMq(), mkdtemp(join(tmpdir(), "smsim-interrupt-"))]);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await mq?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes a partial summary marked interrupted on SIGINT and removes the run's database and queues", async () => {
    // Prepare: a campaign that keeps the stack busy for tens of seconds (300 ms per carrier call).
    const scenarioPath = join(dir, "busy.json");
    await writeFile(
      scenarioPath,
      JSON.stringify({
        name: "busy",
        seed: 5,
        duration: "10m",
        users: { count: 3000 },
        carrier: { latencyMs: { dist: "fixed", value: 300 } },
        traffic: [{ name: "big", start: "1s", recipients: 3000 }],
        thresholds: { recipients_unaccounted: ["count == 0"] },
      }),
    );
    const queuesBefore = await queueUrls();
    const out = join(dir, "out");
    const child = spawn(
      process.execPath,
      [join(REPO, "bin/smsim.mjs"), "run", scenarioPath, "--engine", "live", "--out", out, "--no-progress"],
      {
        cwd: REPO,
        env: {
          ...process.env,
          SQS_ENDPOINT: mq.endpoint,
          AWS_REGION: "elasticmq",
          MYSQL_URL: `${TEST_MYSQL_SERVER}/smsim`,
          CARRIER_BASE_URL: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const database = await vi.waitFor(
        () => {
          const match = /database \S+\/(smsim_live_\w+),/.exec(stderr);
          if (!match?.[1]) throw new Error(`not started yet: ${stderr}`);
          return match[1];
        },
        { timeout: 60_000, interval: 100 },
      );
      // Some messages delivered, most still on the queue.
      await vi.waitFor(
        async () => {
          const pool = mysql.createPool(`${TEST_MYSQL_SERVER}/${database}`);
          try {
            const [rows] = await pool.query("SELECT COUNT(*) AS n FROM messaging_result");
            expect(Number((rows as { n: number }[])[0]?.n)).toBeGreaterThan(0);
          } finally {
            await pool.end();
          }
        },
        { timeout: 30_000, interval: 200 },
      );
      // Act
      child.kill("SIGINT");
      const code = await exited;
      // Assess
      expect(code).toBe(130);
      expect(stderr).toContain("SIGINT: stopping");
      expect(stdout).toContain("INTERRUPTED");
      const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
      expect(summary.interrupted).toBe(true);
      expect(summary.scenarioSeconds).toBeLessThan(600);
      expect(summary.recipients.requested).toBe(3000);
      expect(summary.recipients.sent).toBeGreaterThan(0);
      expect(summary.recipients.pending).toBeGreaterThan(0);
      expect(summary.recipients.unaccounted).toBe(0);
      expect(await databasesLike(database)).toEqual([]);
      expect(await queueUrls()).toEqual(queuesBefore);
      const runId = database.slice("smsim_live_".length);
      expect(existsSync(join(tmpdir(), "smsim-live-runs", runId))).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("lists, then removes, the databases and queues of runs that died, sparing recent ones", async () => {
    // Prepare: what runs killed in 2000 left, and one started two days later. The server is shared
    // with other work, so the prune only reaches back beyond any real run (--older-than).
    const oldRun = `${Date.UTC(2000, 0, 1).toString(36)}0a1b2c`;
    const newRun = `${Date.UTC(2000, 0, 3).toString(36)}3d4e5f`;
    const olderThan = `${Math.floor((Date.now() - Date.UTC(2000, 0, 1, 12)) / DAY_MS)}d`;
    for (const runId of [oldRun, newRun]) {
      await ensureDatabase(`${TEST_MYSQL_SERVER}/smsim_live_${runId}`);
      for (const name of [mq.config.queue.name, mq.config.dlq.name]) {
        await mq.client.send(new CreateQueueCommand({ QueueName: `${name}-${runId}` }));
      }
    }
    vi.stubEnv("SQS_ENDPOINT", mq.endpoint);
    vi.stubEnv("AWS_REGION", "elasticmq");
    vi.stubEnv("MYSQL_URL", `${TEST_MYSQL_SERVER}/smsim`);
    try {
      // Act
      const listed = await smsim("services", "prune", "--older-than", olderThan, "--dry-run");
      const pruned = await smsim("services", "prune", "--older-than", olderThan);
      // Assess
      const oldLines = [
        `database smsim_live_${oldRun}  (run ${oldRun})`,
        `queue    ${mq.endpoint}/000000000000/${mq.config.queue.name}-${oldRun}  (run ${oldRun})`,
        `queue    ${mq.endpoint}/000000000000/${mq.config.dlq.name}-${oldRun}  (run ${oldRun})`,
      ];
      for (const line of oldLines) {
        expect(listed.stdout).toContain(line);
        expect(pruned.stdout).toContain(line);
      }
      expect(listed.stdout).not.toContain(newRun);
      expect(listed.stdout).toContain("would remove 3");
      expect(pruned.stdout).toContain("removed 3");
      expect(await databasesLike(`smsim\\_live\\_${oldRun}`)).toEqual([]);
      expect(await databasesLike(`smsim\\_live\\_${newRun}`)).toEqual([`smsim_live_${newRun}`]);
      const left = (await queueUrls()).filter((url) => url.includes(oldRun) || url.includes(newRun));
      expect(left.every((url) => url.endsWith(newRun))).toBe(true);
      expect(left).toHaveLength(2);
    } finally {
      await dropDatabase(`${TEST_MYSQL_SERVER}/smsim_live_${newRun}`);
    }
  });
});
