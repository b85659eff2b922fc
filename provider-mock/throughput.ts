export interface SecondCount {
  /** Whole second of the model's clock: floor(ms / 1000). */
  second: number;
  requests: number;
  recipients: number;
}

/**
 * Counts accepted work over time: the busiest 1-second sliding window (any window (t - 1000, t]
 * in ms, not only whole seconds) and a per-second series for charts. Recording is O(1) amortised;
 * memory is one entry per distinct millisecond inside the window plus 24 bytes per busy second.
 */
export interface ThroughputMeter {
  record(nowMs: number, requests: number, recipients: number): void;
  maxRequestsPerSecond(): number;
  maxRecipientsPerSecond(): number;
  perSecond(): SecondCount[];
}

const WINDOW_MS = 1000;

export function createThroughputMeter(): ThroughputMeter {
  // The window is a ring of (time, requests, recipients) with events at the same ms merged.
  let times = new Float64Array(1024);
  let requests = new Float64Array(1024);
  let recipients = new Float64Array(1024);
  let head = 0;
  let size = 0;
  let windowRequests = 0;
  let windowRecipients = 0;
  let maxRequests = 0;
  let maxRecipients = 0;
  let lastMs = Number.NEGATIVE_INFINITY;
  // Busy seconds in typed columns: a month holds millions of them, too many for one object each.
  let seconds = new Float64Array(1024);
  let secondRequests = new Float64Array(1024);
  let secondRecipients = new Float64Array(1024);
  let secondCount = 0;

  const growSeconds = (): void => {
    const wider = (from: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const to = new Float64Array(from.length * 2);
      to.set(from);
      return to;
    };
    seconds = wider(seconds);
    secondRequests = wider(secondRequests);
    secondRecipients = wider(secondRecipients);
  };

  const grow = (): void => {
    const capacity = times.length * 2;
    const unwrap = (from: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const to = new Float64Array(capacity);
      for (let i = 0; i < size; i++) to[i] = from[(head + i) & (from.length - 1)] as number;
      return to;
    };
    times = unwrap(times);
    requests = unwrap(requests);
    recipients = unwrap(recipients);
    head = 0;
  };

  const addToWindow = (at: number, req: number, rec: number): void => {
    const mask = times.length - 1;
    const last = (head + size - 1) & mask;
    if (size > 0 && times[last] === at) {
      requests[last] = (requests[last] as number) + req;
      recipients[last] = (recipients[last] as number) + rec;
    } else {
      if (size === times.length) grow();
      const slot = (head + size) & (times.length - 1);
      times[slot] = at;
      requests[slot] = req;
      recipients[slot] = rec;
      size++;
    }
    windowRequests += req;
    windowRecipients += rec;
    while (size > 0 && (times[head] as number) <= at - WINDOW_MS) {
      windowRequests -= requests[head] as number;
      windowRecipients -= recipients[head] as number;
      head = (head + 1) & (times.length - 1);
      size--;
    }
    maxRequests = Math.max(maxRequests, windowRequests);
    maxRecipients = Math.max(maxRecipients, windowRecipients);
  };

  return {
    record(nowMs, req, rec) {
      // A clock that steps back (wall-clock adjustment) counts as standing still.
      const at = Math.max(nowMs, lastMs);
      lastMs = at;
      addToWindow(at, req, rec);
      const second = Math.floor(at / 1000);
      const last = secondCount - 1;
      if (secondCount > 0 && seconds[last] === second) {
        secondRequests[last] = (secondRequests[last] as number) + req;
        secondRecipients[last] = (secondRecipients[last] as number) + rec;
      } else {
        if (secondCount === seconds.length) growSeconds();
        seconds[secondCount] = second;
        secondRequests[secondCount] = req;
        secondRecipients[secondCount] = rec;
        secondCount++;
      }
    },
    maxRequestsPerSecond: () => maxRequests,
    maxRecipientsPerSecond: () => maxRecipients,
    perSecond: () =>
      Array.from({ length: secondCount }, (_, i) => ({
        second: seconds[i] as number,
        requests: secondRequests[i] as number,
        recipients: secondRecipients[i] as number,
      })),
  };
}
