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
