import { ValidationError } from "../../domain/errors";

/** How far two runs of one scenario may differ and still agree (see compareSummaries). */
export interface Tolerances {
  /** Recipient counts: this many binomial standard deviations... */
  sigmas: number;
  /** ...plus this many recipients. */
  floor: number;
  /** Recipients decided together (a message's chunk), which widens the binomial spread. */
  chunk: number;
  /** Absolute bounds that replace the statistical one for a count. */
  sent: number | null;
  failed: number | null;
  inDlq: number | null;
  /** Campaign drain times: this fraction of the larger one... */
  drain: number;
  /** ...plus this many seconds. */
  drainFloorSeconds: number;
  /** Alarm transitions: how far apart in time the same transition may be (one evaluation period). */
  alarmSeconds: number;
}

export const DEFAULT_TOLERANCES: Tolerances = {
  sigmas: 4,
  floor: 10,
  chunk: 10,
  sent: null,
  failed: null,
  inDlq: null,
  drain: 0.15,
  drainFloorSeconds: 1,
  alarmSeconds: 60,
};

const KEYS: Record<string, keyof Tolerances> = {
  sigmas: "sigmas",
  floor: "floor",
  chunk: "chunk",
  sent: "sent",
  failed: "failed",
  inDlq: "inDlq",
  drain: "drain",
  drainFloor: "drainFloorSeconds",
  alarm: "alarmSeconds",
};

/** Keys `--tolerance` accepts, for help texts. */
export const TOLERANCE_KEYS = Object.keys(KEYS);

/**
 * `key=value` pairs on top of the defaults: `drain=0.2` or `drain=20%`, `alarm=300`, `inDlq=50`.
 * A bad pair is a ValidationError naming it.
 */
export function parseTolerances(pairs: readonly string[], base: Tolerances = DEFAULT_TOLERANCES): Tolerances {
  const tolerances = { ...base };
  for (const pair of pairs) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(pair.trim());
    const key = match ? KEYS[match[1] as string] : undefined;
    if (!match || key === undefined) {
      throw new ValidationError(
        "--tolerance",
        pair,
        `expected key=value with key one of ${TOLERANCE_KEYS.join(", ")}`,
      );
    }
    const text = match[2] as string;
    const percent = text.endsWith("%");
    const value = Number(percent ? text.slice(0, -1) : text) / (percent ? 100 : 1);
    if (!Number.isFinite(value) || value < 0) {
      throw new ValidationError(`--tolerance ${match[1]}`, text, "expected a number >= 0");
    }
    tolerances[key] = value as never;
  }
  return tolerances;
}
