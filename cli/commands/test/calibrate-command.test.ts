import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { applySets } from "../../../sim/scenario/apply-sets";
import { loadScenario } from "../../../sim/scenario/load-scenario";
import { runVirtualScenario } from "../../../sim/virtual/virtual-engine";
import { TEST_MYSQL_SERVER } from "../../../test/support/test-database";
import { smsim } from "./run-smsim";

const SCENARIO = resolve(import.meta.dirname, "../../../scenarios/fidelity/transient-failures.ts");

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("smsim calibrate", () => {
  it("measures the real MariaDB and mock carrier and prints settings a virtual run accepts", async () => {
    // Prepare
    vi.stubEnv("MYSQL_URL", `${TEST_MYSQL_SERVER}/smsim`);

    // Act
    const result = await smsim("calibrate", "--records", "40", "--concurrency", "2");

    // Assess: every record made each query and one carrier call; loopback costs are ms, not seconds.
    expect(result.code, result.stderr).toBe(0);
    for (const call of ["findRecorded", "findPhones", "recordResults", "carrier \\(HTTP\\)"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${call}\\s+40 calls  mean\\s+\\d+\\.\\d\\d ms`, "m"));
    }
    const sets = [...result.stdout.matchAll(/--set (\S+)/g)].map((m) => m[1] as string);
    expect(sets.map((s) => s.split("=")[0])).toEqual(["stack.storeQueryMs", "stack.carrierRoundTripMs"]);
    const values = sets.map((s) => Number(s.split("=")[1]));
    for (const value of values) {
      expect(value).toBeGreaterThan(0.05);
      expect(value).toBeLessThan(500);
    }
    const yaml = result.stdout.slice(
      result.stdout.indexOf("  stack:\n"),
      result.stdout.indexOf("In a TypeScript"),
    );
    expect(parseYaml(yaml)).toEqual({ stack: { storeQueryMs: values[0], carrierRoundTripMs: values[1] } });

    // A virtual run with the printed settings.
    const scenario = applySets(await loadScenario(SCENARIO), sets);
    const { summary } = await runVirtualScenario(scenario);
    expect(scenario.stack).toEqual({ storeQueryMs: values[0], carrierRoundTripMs: values[1] });
    expect(summary.recipients.unaccounted).toBe(0);
  });

  it("names a bad --records", async () => {
    // Act
    const result = await smsim("calibrate", "--records", "0");

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/records.*0/);
  });
});
