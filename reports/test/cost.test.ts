import { describe, expect, it } from "vitest";
import {
  BILLING_MONTH_SECONDS,
  type CostUsage,
  estimateCost,
  type PriceList,
  sqsBilledRequests,
} from "../cost";

function usage(patch: Partial<CostUsage> = {}): CostUsage {
  return {
    sqsRequests: 0,
    lambdaInvocations: 0,
    lambdaGbSeconds: 0,
    architecture: "arm64",
    alarms: 0,
    scenarioSeconds: BILLING_MONTH_SECONDS,
    ...patch,
  };
}

describe("estimateCost", () => {
  it("charges SQS $0.40 a million requests, without the free tier unless asked", () => {
    // Prepare
    const month = usage({ sqsRequests: 3_000_000 });
    // Act
    const plain = estimateCost(month);
    const withFreeTier = estimateCost(month, { sqsFreeTier: true });
    // Assess
    expect(plain.sqs).toBeCloseTo(1.2, 10);
    expect(withFreeTier.sqs).toBeCloseTo(0.8, 10);
    expect(plain.notes.join(" ")).toContain("free tier (first 1,000,000 requests a month) not applied");
    expect(withFreeTier.notes.join(" ")).toContain("SQS free tier applied: 1,000,000 free requests");
  });

  it("prorates the free tier to the run's length and never goes below zero", () => {
    // Prepare: a tenth of a month with fewer requests than its share of the free tier
    const tenth = usage({ sqsRequests: 50_000, scenarioSeconds: BILLING_MONTH_SECONDS / 10 });
    const busyTenth = usage({ sqsRequests: 1_100_000, scenarioSeconds: BILLING_MONTH_SECONDS / 10 });
    // Act
    const quiet = estimateCost(tenth, { sqsFreeTier: true });
    const busy = estimateCost(busyTenth, { sqsFreeTier: true });
    // Assess
    expect(quiet.sqs).toBe(0);
    expect(busy.sqs).toBeCloseTo((1_000_000 / 1e6) * 0.4, 10);
  });

  it("charges Lambda per request plus GB-seconds at the architecture's price", () => {
    // Prepare
    const arm = usage({ lambdaInvocations: 1_000_000, lambdaGbSeconds: 100_000, architecture: "arm64" });
    const x86 = usage({ lambdaInvocations: 1_000_000, lambdaGbSeconds: 100_000, architecture: "x86_64" });
    // Act
    const armCost = estimateCost(arm);
    const x86Cost = estimateCost(x86);
    // Assess
    expect(armCost.lambda).toBeCloseTo(0.2 + 100_000 * 0.0000133334, 10);
    expect(x86Cost.lambda).toBeCloseTo(0.2 + 100_000 * 0.0000166667, 10);
  });

  it("prorates alarms to the run by default, or bills whole months", () => {
    // Prepare: 73 hours is a tenth of AWS's 730-hour month
    const run = usage({ alarms: 2, scenarioSeconds: 73 * 3600 });
    // Act
    const prorated = estimateCost(run);
    const whole = estimateCost(run, { prorateAlarms: false });
    // Assess
    expect(prorated.cloudwatch).toBeCloseTo(2 * 0.1 * 0.1, 10);
    expect(whole.cloudwatch).toBeCloseTo(2 * 0.1, 10);
  });

  it("totals the three services", () => {
    // Prepare
    const run = usage({
      sqsRequests: 2_000_000,
      lambdaInvocations: 500_000,
      lambdaGbSeconds: 1000,
      alarms: 1,
    });
    // Act
    const cost = estimateCost(run);
    // Assess
    expect(cost.total).toBeCloseTo(cost.sqs + cost.lambda + cost.cloudwatch, 12);
    expect(cost.total).toBeCloseTo(0.8 + 0.1 + 1000 * 0.0000133334 + 0.1, 10);
  });
});

describe("estimateCost for the region the template deploys to", () => {
  const busy = usage({
    sqsRequests: 5_000_000,
    lambdaInvocations: 1_000_000,
    lambdaGbSeconds: 10_000,
    alarms: 1,
  });

  it("prices us-east-1 from its list, and says which region it priced", () => {
    // Prepare / Act
    const cost = estimateCost(busy, { region: "us-east-1" });
    // Assess
    expect(cost.pricedRegion).toBe("us-east-1");
    expect(cost.total).toBeCloseTo(5 * 0.4 + 0.2 + 10_000 * 0.0000133334 + 0.1, 10);
    expect(cost.notes.join(" ")).not.toContain("no prices for");
  });

  it("says plainly when the deploy region has no price list, and which regions are priced", () => {
    // Prepare / Act
    const cost = estimateCost(busy, { region: "ap-northeast-2" });
    // Assess: the figures are us-east-1's, labelled so
    expect(cost.pricedRegion).toBe("us-east-1");
    expect(cost.total).toBeCloseTo(estimateCost(busy).total, 12);
    expect(cost.notes[0]).toBe(
      "The template deploys to ap-northeast-2, which smsim has no prices for (regions priced: us-east-1): these are us-east-1's. Give ap-northeast-2's in the scenario's prices block.",
    );
  });

  it("uses the scenario's own prices for its region", () => {
    // Prepare: made-up prices, double us-east-1's, so every line shows it used them
    const prices: PriceList = {
      region: "ap-northeast-2",
      source: "our March bill",
      sqsPerMillionRequests: 0.8,
      lambdaPerMillionRequests: 0.4,
      lambdaPerGbSecond: { x86_64: 0.0000333334, arm64: 0.0000266668 },
      alarmPerMonth: 0.2,
    };
    // Act
    const cost = estimateCost(busy, { region: "ap-northeast-2", prices });
    const reference = estimateCost(busy, { region: "us-east-1" });
    // Assess
    expect(cost.pricedRegion).toBe("ap-northeast-2");
    expect(cost.sqs).toBeCloseTo(2 * reference.sqs, 10);
    expect(cost.lambda).toBeCloseTo(2 * reference.lambda, 10);
    expect(cost.cloudwatch).toBeCloseTo(2 * reference.cloudwatch, 10);
    expect(cost.notes[0]).toMatch(/^our March bill: SQS standard \$0\.8 per million requests/);
  });
});

describe("sqsBilledRequests", () => {
  it("counts each started 64 KiB chunk of a payload as one request", () => {
    // Prepare
    const sizes = [0, 1, 65_536, 65_537, 10 * 1024, 256 * 1024, 1024 * 1024];
    // Act
    const billed = sizes.map(sqsBilledRequests);
    // Assess
    expect(billed).toEqual([1, 1, 1, 2, 1, 4, 16]);
  });
});
