import { describe, expect, it } from "vitest";
import { CarrierTransientError } from "../../handler/errors";
import { manualClock } from "../../handler/test/fakes";
import { createJsonLogger, type LogLevel } from "../logger";

function capture(level: LogLevel) {
  const lines: string[] = [];
  const logger = createJsonLogger({
    level,
    clock: manualClock(Date.UTC(2026, 2, 1)),
    write: (line) => lines.push(line),
  });
  return { logger, lines };
}

describe("createJsonLogger", () => {
  it("writes one JSON object per line with the time from its clock and the fields given", () => {
    // Prepare
    const { logger, lines } = capture("info");
    // Act
    logger.info("batch processed", { records: 10, error: new CarrierTransientError("TIMEOUT", "no answer") });
    // Assess
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        level: "info",
        time: "2026-03-01T00:00:00.000Z",
        msg: "batch processed",
        records: 10,
        error: {
          name: "CarrierTransientError",
          message: "carrier TIMEOUT: no answer",
          code: "CARRIER_TRANSIENT",
        },
      },
    ]);
  });

  it.each([
    ["info", ["info", "warn", "error"]],
    ["error", ["error"]],
    ["silent", []],
  ] as const)("at level %s writes only %o", (level, written) => {
    // Prepare
    const { logger, lines } = capture(level);
    // Act
    for (const method of ["debug", "info", "warn", "error"] as const) logger[method]("x");
    // Assess
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(written);
  });
});
