import { carrierErrorForStatus } from "../../handler/carrier/carrier-status";
import { CarrierTransientError } from "../../handler/errors";
import type { CarrierPort } from "../../handler/ports";
import type { CarrierModel } from "../../provider-mock/model";
import type { VirtualClock } from "./scheduler";

/**
 * The carrier model as the handler's CarrierPort, in virtual time: the answer arrives after the
 * model's latency (the carrier's own time) plus `roundTripMs` (the network between the function and
 * the carrier: the scenario's stack.carrierRoundTripMs), unless the client's timeout comes first;
 * non-200 answers become the same errors the HTTP client raises for them.
 */
export function createVirtualCarrier(
  model: CarrierModel,
  clock: VirtualClock,
  timeoutMs: number,
  roundTripMs = 0,
): CarrierPort {
  const timeout = () => new CarrierTransientError("TIMEOUT", `no answer within ${timeoutMs} ms`);
  return {
    sendBulk(request, idempotencyKey) {
      const decision = model.handle({ idempotencyKey, body: request });
      return new Promise((resolve, reject) => {
        if (decision.kind === "timeout") {
          clock.after(timeoutMs, () => reject(timeout()));
          return;
        }
        const delayMs = decision.delayMs + roundTripMs;
        if (delayMs >= timeoutMs) {
          clock.after(timeoutMs, () => reject(timeout()));
          return;
        }
        clock.after(delayMs, () => {
          switch (decision.kind) {
            case "response":
              return resolve(decision.body);
            case "reset":
              return reject(new CarrierTransientError("CONNECTION", "ECONNRESET: socket hang up"));
            case "rate-limited":
              return reject(
                carrierErrorForStatus(429, decision.message, String(decision.retryAfterSeconds), clock.now()),
              );
            case "error":
              return reject(
                carrierErrorForStatus(
                  decision.status,
                  `${decision.code}: ${decision.message}`,
                  undefined,
                  clock.now(),
                ),
              );
          }
        });
      });
    },
  };
}
