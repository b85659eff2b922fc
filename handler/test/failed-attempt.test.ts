import { describe, expect, it } from "vitest";
import {
  CarrierRateLimitedError,
  CarrierRejectedRequestError,
  CarrierTransientError,
  DeliveryStoreError,
} from "../errors";
import { describeFailure, MAX_DETAIL_LENGTH } from "../failed-attempt";

describe("describeFailure", () => {
  it.each([
    [
      "a 503 answer by its status",
      new CarrierTransientError("SERVER_ERROR", "HTTP 503: down", 503),
      "CARRIER_HTTP_503",
    ],
    [
      "a 409 answer by its status",
      new CarrierTransientError("CONFLICT", "HTTP 409: in progress", 409),
      "CARRIER_HTTP_409",
    ],
    ["a timeout by what happened", new CarrierTransientError("TIMEOUT", "no answer"), "CARRIER_TIMEOUT"],
    [
      "a reset connection by what happened",
      new CarrierTransientError("CONNECTION", "reset"),
      "CARRIER_CONNECTION",
    ],
    [
      "an unreadable 200 by what happened, not its status",
      new CarrierTransientError("BAD_RESPONSE", "HTTP 200 body is not JSON", 200),
      "CARRIER_BAD_RESPONSE",
    ],
    ["a 429", new CarrierRateLimitedError(3), "CARRIER_RATE_LIMITED"],
    ["a refused request", new CarrierRejectedRequestError(400, "too long"), "CARRIER_REJECTED_REQUEST"],
    [
      "a database failure",
      new DeliveryStoreError("findPhones", { cause: new Error("gone") }),
      "DELIVERY_STORE_FAILED",
    ],
    ["an error of no kind we know", new TypeError("x is undefined"), "UNEXPECTED"],
    ["a thrown string", "boom", "UNEXPECTED"],
  ])("names %s", (_, error, code) => {
    // Prepare: the error above.
    // Act
    const failure = describeFailure(error);
    // Assess
    expect(failure.code).toBe(code);
    expect(failure.detail).toBe(error instanceof Error ? error.message : String(error));
  });

  it("cuts the detail to the column's 500 characters, keeping the start", () => {
    // Prepare
    const error = new CarrierTransientError("SERVER_ERROR", `HTTP 500: ${"x".repeat(600)}`, 500);
    // Act
    const { detail } = describeFailure(error);
    // Assess
    expect(detail).toHaveLength(MAX_DETAIL_LENGTH);
    expect(detail.startsWith("carrier SERVER_ERROR: HTTP 500: x")).toBe(true);
  });
});
