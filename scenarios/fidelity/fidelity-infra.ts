/**
 * What the fidelity scenarios change in the template so that a run on the real stack takes about
 * a minute: failed messages return after 10 s instead of 120 s, the carrier client gives up after
 * 2 s (so a 5 s function still has time for it), and the DLQ alarm looks at one-minute periods.
 */
export const FIDELITY_INFRA = {
  overrides: {
    "MessagingQueue.VisibilityTimeout": 10,
    "MessagingLambda.Timeout": 5,
    "MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS": "2000",
    "DLQAlarm.Period": 60,
  },
};

/**
 * What the live stack costs per record on the development machine, so the virtual engine pays the
 * same: measured once with `smsim calibrate --records 1000 --concurrency 5` (MariaDB 127.0.0.1,
 * the mock carrier over HTTP; 2 cores shared by 8 engineers, load average 13) on 2026-12-04.
 * Medians: findRecorded 1.13 ms, findPhones 1.11 ms, recordResults 12.42 ms, carrier call 3.91 ms
 * (means 4.36, 4.18, 23.66 and 7.84: the machine's stalls). Re-run it on your machine and paste
 * its output here when the fidelity scenarios drift.
 */
export const FIDELITY_STACK = { storeQueryMs: 4.89, carrierRoundTripMs: 3.91 };
