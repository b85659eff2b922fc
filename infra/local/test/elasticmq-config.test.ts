import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPipelineConfig, type TemplateOverrides } from "../../pipeline-config";
import {
  COMPOSE_ELASTICMQ_CONF,
  ELASTICMQ_ACCOUNT_ID,
  renderComposeElasticMqConfig,
  renderElasticMqConfig,
} from "../elasticmq";

/** `key = value` settings inside the block that opens with `"<name>" {` (nested blocks flattened). */
function block(hocon: string, name: string): Record<string, string> {
  const start = hocon.indexOf(`${name} {`);
  expect(start, `block ${name}`).toBeGreaterThanOrEqual(0);
  const settings: Record<string, string> = {};
  let depth = 0;
  for (const line of hocon.slice(start).split("\n")) {
    if (line.trim().endsWith("{")) depth++;
    else if (line.trim() === "}") depth--;
    else {
      const match = /^\s*([\w-]+) = (.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined && settings[match[1]] === undefined)
        settings[match[1]] = match[2];
    }
    if (depth === 0) break;
  }
  return settings;
}

function render(overrides: TemplateOverrides = {}, port = 0, host = "127.0.0.1") {
  return renderElasticMqConfig(loadPipelineConfig({ overrides }), { port, host });
}

describe("renderElasticMqConfig", () => {
  it("carries the template's queue settings, names and redrive policy", () => {
    // Prepare
    const config = loadPipelineConfig();
    // Act
    const hocon = render();
    // Assess
    expect(block(hocon, `"${config.queue.name}"`)).toEqual({
      defaultVisibilityTimeout: `${config.queue.visibilityTimeoutSeconds} seconds`,
      delay: `${config.queue.delaySeconds} seconds`,
      receiveMessageWait: `${config.queue.receiveWaitSeconds} seconds`,
      name: `"${config.dlq.name}"`,
      maxReceiveCount: String(config.queue.maxReceiveCount),
    });
    expect(block(hocon, `"${config.dlq.name}"`)).toEqual({
      defaultVisibilityTimeout: `${config.dlq.visibilityTimeoutSeconds} seconds`,
      delay: `${config.dlq.delaySeconds} seconds`,
      receiveMessageWait: `${config.dlq.receiveWaitSeconds} seconds`,
    });
    expect(config.queue).toMatchObject({
      name: "messaging-queue",
      visibilityTimeoutSeconds: 120,
      maxReceiveCount: 3,
    });
  });

  it("follows overrides of names, timings and maxReceiveCount", () => {
    // Prepare
    const overrides = {
      "MessagingQueue.QueueName": "orders-queue",
      "MessagingQueue.VisibilityTimeout": 45,
      "MessagingQueue.DelaySeconds": 3,
      "MessagingQueue.ReceiveMessageWaitTimeSeconds": 7,
      "MessagingQueue.RedrivePolicy.maxReceiveCount": 6,
      "MessagingDLQ.QueueName": "orders-dlq",
      "MessagingDLQ.VisibilityTimeout": 9,
    };
    // Act
    const hocon = render(overrides);
    // Assess
    expect(block(hocon, '"orders-queue"')).toEqual({
      defaultVisibilityTimeout: "45 seconds",
      delay: "3 seconds",
      receiveMessageWait: "7 seconds",
      name: '"orders-dlq"',
      maxReceiveCount: "6",
    });
    expect(block(hocon, '"orders-dlq"')).toMatchObject({ defaultVisibilityTimeout: "9 seconds" });
    expect(hocon).not.toContain("messaging-queue");
  });

  it("binds the given port and host, in ElasticMQ's region and account, with no stats server", () => {
    // Prepare, Act
    const hocon = render({}, 9555, "0.0.0.0");
    // Assess
    expect(block(hocon, "rest-sqs")).toMatchObject({ "bind-port": "9555", "bind-hostname": '"0.0.0.0"' });
    expect(block(hocon, "aws")).toEqual({ region: '"elasticmq"', accountId: `"${ELASTICMQ_ACCOUNT_ID}"` });
    expect(hocon).not.toContain("rest-stats");
  });

  it("matches the committed infra/local/elasticmq.conf that docker-compose.yml mounts", () => {
    // Prepare
    const committed = readFileSync(COMPOSE_ELASTICMQ_CONF, "utf8");
    // Act
    const current = renderComposeElasticMqConfig(loadPipelineConfig());
    // Assess: on a difference, run `smsim services config` and commit the file.
    expect(committed).toBe(current);
  });

  it("keeps messages in an H2 file only when given a data folder, flushing every commit", () => {
    // Prepare
    const config = loadPipelineConfig();
    // Act
    const durable = renderElasticMqConfig(config, { port: 0, host: "127.0.0.1", dataDir: "/var/smsim" });
    // Assess
    expect(block(durable, "messages-storage")).toEqual({
      enabled: "true",
      "driver-class": '"org.h2.Driver"',
      uri: '"jdbc:h2:file:/var/smsim/elasticmq;WRITE_DELAY=0"',
      username: '""',
      password: '""',
      "prune-data-on-init": "false",
    });
    expect(render()).not.toContain("messages-storage");
  });
});
