import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { OverrideError, TemplateError } from "../errors";
import { loadPipelineConfig, overridesFromFlags, pipelineConfigFromYaml } from "../pipeline-config";

describe("loadPipelineConfig", () => {
  it("reads the seed's settings from infra/template.yaml, following !GetAtt and !Ref", () => {
    // Prepare / Act
    const config = loadPipelineConfig();
    // Assess
    expect(config.queue).toMatchObject({
      name: "messaging-queue",
      visibilityTimeoutSeconds: 120,
      maxReceiveCount: 3,
    });
    expect(config.dlq).toMatchObject({ name: "messaging-dlq", retentionSeconds: 1_209_600 });
    expect(config.esm).toMatchObject({ batchSize: 10, maximumConcurrency: 5, reportBatchItemFailures: true });
    expect(config.lambda).toMatchObject({ runtime: "nodejs24.x", timeoutSeconds: 20, recordParallelism: 1 });
    expect(config.region).toBe("ap-northeast-2");
    expect(config.alarms).toEqual([
      expect.objectContaining({
        name: "messaging-dlq-alarm",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: [{ name: "QueueName", value: "messaging-dlq" }],
        statistic: "Sum",
        periodSeconds: 300,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "missing",
        alarmActions: ["SlackNotificationTopic"],
      }),
    ]);
  });

  it("applies LogicalId.Property.Path overrides, and warns where AWS advises against a setting", () => {
    // Prepare
    const overrides = {
      "MessagingQueue.RedrivePolicy.maxReceiveCount": 5,
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": "8",
      "MessagingLambda.ReservedConcurrentExecutions": 3,
    };
    // Act
    const config = loadPipelineConfig({ overrides });
    // Assess
    expect(config.queue.maxReceiveCount).toBe(5);
    expect(config.esm.maximumConcurrency).toBe(8);
    expect(config.warnings).toEqual([
      expect.stringContaining(
        "ReservedConcurrentExecutions 3 is below LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency 8",
      ),
    ]);
  });

  it("rejects what AWS rejects, naming the setting", () => {
    // Prepare / Act / Assess
    expect(() => loadPipelineConfig({ overrides: { "MessagingQueue.VisibilityTimeout": 10 } })).toThrow(
      /MessagingLambda\.Timeout: must not exceed MessagingQueue\.VisibilityTimeout \(10\)/,
    );
    expect(() => loadPipelineConfig({ overrides: { "LambdaEventSourceMapping.BatchSize": 50 } })).toThrow(
      /MaximumBatchingWindowInSeconds: must be >= 1 when BatchSize > 10/,
    );
    expect(() => loadPipelineConfig({ overrides: { "DLQAlarm.Period": 90 } })).toThrow(TemplateError);
  });

  it.each([
    [1, "Too small: expected number to be >=2 (got 1)"],
    [1001, "Too big: expected number to be <=1000 (got 1001)"],
  ])(
    "rejects ScalingConfig.MaximumConcurrency %i: AWS takes 2 to 1,000 (Lambda API reference, ScalingConfig)",
    (value, message) => {
      // Prepare
      const overrides = { "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": value };
      // Act / Assess
      expect(() => loadPipelineConfig({ overrides })).toThrow(
        `LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency: ${message}`,
      );
    },
  );

  it("names the field and value of a bad override", () => {
    // Prepare / Act / Assess
    expect(() => loadPipelineConfig({ overrides: { "MessagingQueue.VisibiltyTimeout": 30 } })).toThrow(
      'MessagingQueue.VisibiltyTimeout: Unrecognized key: "VisibiltyTimeout" (got 30)',
    );
    expect(() => loadPipelineConfig({ overrides: { "MessagingQueue.VisibilityTimeout": "soon" } })).toThrow(
      /MessagingQueue\.VisibilityTimeout: .*\(got "soon"\)/,
    );
    expect(() => loadPipelineConfig({ overrides: { "Nope.Timeout": 1 } })).toThrow(OverrideError);
  });
});

describe("overridesFromFlags", () => {
  it("reads values as JSON when they parse, else as text", () => {
    // Prepare / Act
    const overrides = overridesFromFlags([
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency=20",
      'MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS="800"',
      "MessagingQueue.QueueName=other-queue",
    ]);
    // Assess
    expect(overrides).toEqual({
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 20,
      "MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS": "800",
      "MessagingQueue.QueueName": "other-queue",
    });
    expect(() => overridesFromFlags(["MaximumConcurrency"])).toThrow(OverrideError);
  });
});

describe("the template's region (Metadata.smsim.Region)", () => {
  const templateWith = (metadata: string) =>
    readFileSync(resolve(import.meta.dirname, "../template.yaml"), "utf8").replace(
      /^Metadata:\n(?: .*\n)+/m,
      metadata,
    );

  it("is null when the template names none", () => {
    // Prepare
    const yaml = templateWith("");
    // Act
    const config = pipelineConfigFromYaml(yaml);
    // Assess
    expect(config.region).toBeNull();
  });

  it("refuses what is not a region code, naming the field and the value", () => {
    // Prepare
    const yaml = templateWith("Metadata:\n  smsim:\n    Region: Seoul\n");
    // Act / Assess
    expect(() => pipelineConfigFromYaml(yaml, "t.yaml")).toThrow(
      'Metadata.smsim.Region: expected a region code such as ap-northeast-2, got "Seoul"',
    );
  });
});
