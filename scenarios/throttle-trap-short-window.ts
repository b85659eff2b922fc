import { defineScenario } from "../sim/scenario/define-scenario";
import throttleTrap from "./throttle-trap";

/**
 * The real throttle trap: throttle-trap's reserved concurrency 1 under MaximumConcurrency 5, but
 * with a visibility timeout of 30 s, near the 20 s function timeout (AWS advises at least six times
 * it, services-sqs-configure), and about a second a message, so a batch takes ~10 s. A throttled
 * batch is retried only until its visibility timeout passes (services-sqs-errorhandling); the
 * poller holding the one slot retakes it the moment its batch ends, so a held batch can starve for
 * its whole window and be dropped, its receive spent. Messages dropped three times reach the DLQ
 * unprocessed. How many depends on settings AWS does not publish (the retry schedule and how far
 * concurrency backs off: the scenario's `esm` block), and the run's summary says so.
 */
export default defineScenario({
  ...throttleTrap,
  name: "throttle-trap-short-window",
  description: "Reserved concurrency 1, visibility near the function timeout: starved batches reach the DLQ",
  infra: { overrides: { ...throttleTrap.infra?.overrides, "MessagingQueue.VisibilityTimeout": 30 } },
  carrier: { latencyMs: { dist: "lognormal", p50: 1000, p99: 2000 } },
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    lambda_throttles: ["count > 0"],
    recipients_in_dlq: ["count > 0"],
    "alarm_transitions{alarm:messaging-dlq-alarm,to:ALARM}": ["count >= 1"],
  },
});
