import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_AFTER_SECONDS, parseRetryAfter } from "../carrier/retry-after";

const NOW = Date.UTC(2026, 2, 1, 9, 0, 0);

describe("parseRetryAfter", () => {
  it.each([
    ["delay seconds", "30", 30],
    ["a date 2 s ahead", new Date(NOW + 2_000).toUTCString(), 2],
    ["a date in the past", new Date(NOW - 60_000).toUTCString(), 0],
    ["the first of repeated headers", ["4", "9"], 4],
    ["nothing", undefined, DEFAULT_RETRY_AFTER_SECONDS],
    ["a negative number", "-5", DEFAULT_RETRY_AFTER_SECONDS],
    ["a bare date without a day name", "2026-03-01", DEFAULT_RETRY_AFTER_SECONDS],
  ])("reads %s", (_, header, seconds) => {
    // Prepare: the header above.
    // Act
    const parsed = parseRetryAfter(header, NOW);
    // Assess
    expect(parsed).toBe(seconds);
  });
});
