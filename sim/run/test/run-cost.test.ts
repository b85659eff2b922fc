import { describe, expect, it } from "vitest";
import { runScenario } from "../../virtual/test/engine-fixtures";

const SEOUL_PRICES = {
  region: "ap-northeast-2",
  source: "a test's price list",
  sqsPerMillionRequests: 0.8,
  lambdaPerMillionRequests: 0.4,
  lambdaPerGbSecond: { x86_64: 0.0000333334, arm64: 0.0000266668 },
  alarmPerMonth: 0.2,
};

describe("a run's cost, for the region the template deploys to", () => {
  it("is labelled as us-east-1's when the template's region (ap-northeast-2) has no price list", async () => {
    // Prepare / Act
    const { summary } = await runScenario({ recipients: 100 });
    // Assess
    expect(summary.costUsd.pricedRegion).toBe("us-east-1");
    expect(summary.costUsd.notes[0]).toContain(
      "The template deploys to ap-northeast-2, which smsim has no prices for",
    );
  });

  it("takes the scenario's prices block for that region, and doubles with doubled prices", async () => {
    // Prepare
    const reference = await runScenario({ recipients: 100 });
    // Act
    const { summary } = await runScenario({ recipients: 100, prices: SEOUL_PRICES });
    // Assess
    expect(summary.costUsd.pricedRegion).toBe("ap-northeast-2");
    expect(summary.costUsd.total).toBeCloseTo(2 * reference.summary.costUsd.total, 9);
    expect(summary.costUsd.notes[0]).toMatch(/^a test's price list: /);
  });
});
