import { describe, expect, it } from "vitest";
import { parseVary } from "../parse-vary";

describe("parseVary", () => {
  it("reads a list, keeping numbers as numbers and other items as strings", () => {
    // Prepare + Act
    const numbers = parseVary("LambdaEventSourceMapping.BatchSize=1,2,5,10");
    const words = parseVary("carrier.latencyMs.dist=fixed, lognormal");
    // Assess
    expect(numbers).toEqual({ key: "LambdaEventSourceMapping.BatchSize", values: [1, 2, 5, 10] });
    expect(words.values).toEqual(["fixed", "lognormal"]);
  });

  it("expands inclusive ranges with an optional step, without float drift", () => {
    // Prepare + Act
    const plain = parseVary("k=2..6").values;
    const stepped = parseVary("MessagingQueue.VisibilityTimeout=10..120:10").values;
    const fractional = parseVary("carrier.transientFailureRate=0..0.3:0.1").values;
    const uneven = parseVary("k=1..10:4").values;
    // Assess
    expect(plain).toEqual([2, 3, 4, 5, 6]);
    expect(stepped).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
    expect(fractional).toEqual([0, 0.1, 0.2, 0.3]);
    expect(uneven).toEqual([1, 5, 9]);
  });

  it.each([
    ["MaximumConcurrency", "expected KEY=VALUES"],
    ["k=", "no values"],
    ["k=5..1", "runs backwards"],
    ["k=1..5:0", "step must be above 0"],
    ["k=1,,2", "empty item"],
    ["k=1,2,1", "listed twice"],
    ["k=1..100000", "at most 10000"],
  ])("refuses %s naming the flag", (text, reason) => {
    // Prepare + Act + Assess
    expect(() => parseVary(text)).toThrow(expect.objectContaining({ code: "SWEEP_VARY_INVALID" }));
    expect(() => parseVary(text)).toThrow(
      new RegExp(`--vary ${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: .*${reason}`),
    );
  });
});
