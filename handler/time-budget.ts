/** The part of Lambda's context object the handler uses; the simulator supplies its own. */
export interface InvocationContext {
  getRemainingTimeInMillis?(): number;
}

export interface TimeBudget {
  /** Whether a carrier call started `afterMs` from now would finish before the function times out. */
  allowsCarrierCall(afterMs?: number): boolean;
}

/**
 * A carrier call needs its own timeout plus a margin to record the results; started any later, it
 * could be killed mid-call, leaving the record to the visibility timeout with nothing recorded.
 */
export function createTimeBudget(
  context: InvocationContext | undefined,
  carrierTimeoutMs: number,
  marginMs: number,
): TimeBudget {
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  return {
    allowsCarrierCall: (afterMs = 0) =>
      remaining === undefined || remaining() - afterMs >= carrierTimeoutMs + marginMs,
  };
}
