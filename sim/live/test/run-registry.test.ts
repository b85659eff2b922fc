import { describe, expect, it } from "vitest";
import { activeRunIds, newRunId, registerRun, runStartedAt } from "../run-registry";

describe("run ids and the registry of runs in progress", () => {
  it("reads a run's start time back from its id, a rehearsal's too", () => {
    // Prepare
    const before = Date.now();
    const ids = [newRunId(), newRunId("rh")];
    // Act
    const started = ids.map(runStartedAt);
    // Assess
    for (const at of started) expect(at).toBeGreaterThanOrEqual(before);
    for (const at of started) expect(at).toBeLessThanOrEqual(Date.now());
  });

  it("does not mistake the first letters of a run's time for a rehearsal's prefix", () => {
    // Prepare: base-36 times start with letters ("mx..." in 2026).
    const at = Date.UTC(2026, 11, 4, 16, 58);
    const id = `${at.toString(36)}3d4e5f`;
    // Act
    const started = runStartedAt(id);
    // Assess
    expect(id).toMatch(/^mx/);
    expect(started).toBe(at);
    expect(runStartedAt(`rh${at.toString(36)}3d4e`)).toBe(at);
    expect(runStartedAt("messaging-queue")).toBeNull();
  });

  it("counts a registered run as in progress until it is forgotten", () => {
    // Prepare
    const runId = newRunId();
    // Act
    const forget = registerRun(runId);
    const during = activeRunIds().has(runId);
    forget();
    // Assess
    expect(during).toBe(true);
    expect(activeRunIds().has(runId)).toBe(false);
  });
});
