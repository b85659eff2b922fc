import type { CampaignWindow } from "../../reports/summary";
import type { SendRequest } from "../scenario/expand-traffic";

/** How many campaigns get a section of their own in report.html. */
export const CAMPAIGN_SECTIONS = 3;
/** Smaller sends are not campaigns worth a section (an order notification is one recipient). */
export const MIN_SECTION_RECIPIENTS = 1000;
/** Sampling step: a second shows a drain's ramp, its 429 bursts and its tail. */
export const WINDOW_STEP_MS = 1000;

/** The pipeline at one instant, as cumulative counters and current levels. */
export interface PipelineReading {
  queueVisible: number;
  queueInFlight: number;
  dlqDepth: number;
  /** Cumulative, since the run started. */
  carrierAccepted: number;
  carrierRateLimited: number;
  lambdaThrottles: number;
  /** Most concurrent invocations since the previous reading. */
  lambdaConcurrencyMax: number;
}

/**
 * The `count` largest sends of at least `minRecipients` (earliest first among equals), as their
 * ordinal in the traffic's time order: the run then knows, as each send is made, whether to follow it.
 */
export function largestSends(sends: Iterable<SendRequest>, count = CAMPAIGN_SECTIONS): Set<number> {
  const top: { ordinal: number; recipients: number }[] = [];
  let ordinal = 0;
  for (const send of sends) {
    if (send.recipients >= MIN_SECTION_RECIPIENTS) {
      top.push({ ordinal, recipients: send.recipients });
      top.sort((a, b) => b.recipients - a.recipients || a.ordinal - b.ordinal);
      if (top.length > count) top.pop();
    }
    ordinal++;
  }
  return new Set(top.map((t) => t.ordinal));
}

export interface CampaignWindowsOptions {
  /** Ordinals of the sends to follow (largestSends). */
  follow: ReadonlySet<number>;
  startMs: number;
  endMs: number;
  now(): number;
  after(ms: number, fn: () => void): void;
  read(): PipelineReading;
  /** Whether a recipient of this send is still in the pipeline. */
  isOpen(logId: number): boolean;
  carrierLimitPerSecond: number | null;
}

/**
 * Follows the chosen sends second by second from their enqueue until their last recipient leaves
 * the pipeline (or the run ends): the shape of a drain that the per-minute timeline squeezes into
 * a spike. Reading is pure, so following a send does not change the run.
 */
export function createCampaignWindows(options: CampaignWindowsOptions) {
  const windows: CampaignWindow[] = [];
  const follow = (window: CampaignWindow, logId: number, previous: PipelineReading) => {
    options.after(WINDOW_STEP_MS, () => {
      const now = options.read();
      const seconds = WINDOW_STEP_MS / 1000;
      window.queueVisible.push(now.queueVisible);
      window.queueInFlight.push(now.queueInFlight);
      window.dlqDepth.push(now.dlqDepth);
      window.carrierRequestsPerSecond.push((now.carrierAccepted - previous.carrierAccepted) / seconds);
      window.carrierRateLimited.push(now.carrierRateLimited - previous.carrierRateLimited);
      window.lambdaThrottles.push(now.lambdaThrottles - previous.lambdaThrottles);
      window.lambdaConcurrencyMax.push(now.lambdaConcurrencyMax);
      if (options.isOpen(logId) && options.now() + WINDOW_STEP_MS <= options.endMs)
        follow(window, logId, now);
    });
  };
  return {
    /** A send was made: its ordinal in the traffic, and the logId its recipients carry. */
    sent(ordinal: number, logId: number, send: SendRequest) {
      if (!options.follow.has(ordinal)) return;
      const window: CampaignWindow = {
        campaign: send.trafficName,
        recipients: send.recipients,
        startSeconds: (options.now() - options.startMs) / 1000,
        stepSeconds: WINDOW_STEP_MS / 1000,
        carrierLimitPerSecond: options.carrierLimitPerSecond,
        queueVisible: [],
        queueInFlight: [],
        dlqDepth: [],
        carrierRequestsPerSecond: [],
        carrierRateLimited: [],
        lambdaConcurrencyMax: [],
        lambdaThrottles: [],
      };
      windows.push(window);
      follow(window, logId, options.read());
    },
    windows: () => windows,
  };
}
