/** Values closer to zero than this land in the zero bucket once a sketch is a histogram. */
const ZERO_THRESHOLD = 1e-9;

export interface TrendSketchOptions {
  /** Samples kept exactly (sorted on demand) before switching to the histogram. */
  exactLimit?: number;
  /** Histogram buckets' relative error bound; 0.005 keeps percentiles within 0.5%. */
  relativeAccuracy?: number;
}

/**
 * The samples of a trend: exact while small, then a log-bucket histogram (DDSketch's mapping:
 * bucket i holds (gamma^(i-1), gamma^i], so every value read back is within `relativeAccuracy` of a
 * real sample). A million latencies from 1 µs to 3 h fit in about 2,500 buckets. count, sum, min
 * and max stay exact in both modes.
 */
export class TrendSketch {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private exact: Float64Array | null = new Float64Array(16);
  private buffered = 0;
  private sorted = true;
  private readonly exactLimit: number;
  private readonly gamma: number;
  private readonly invLogGamma: number;
  private readonly positive = new BucketStore();
  private readonly negative = new BucketStore();
  private zeros = 0;

  constructor(options: TrendSketchOptions = {}) {
    this.exactLimit = options.exactLimit ?? 4096;
    const alpha = options.relativeAccuracy ?? 0.005;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.invLogGamma = 1 / Math.log(this.gamma);
  }

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.exact !== null) {
      if (this.buffered < this.exactLimit) {
        this.buffer(this.exact, value);
        return;
      }
      this.toHistogram(this.exact);
    }
    this.addToBuckets(value, 1);
  }

  /**
   * The `pct`th percentile (0-100) the way k6 computes it: linear interpolation between the two
   * closest ranks. NaN when empty.
   */
  percentile(pct: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = (pct / 100) * (this.count - 1);
    const low = Math.floor(rank);
    const high = Math.ceil(rank);
    const below = this.valueAtRank(low);
    const above = this.valueAtRank(high);
    return below + (above - below) * (rank - low);
  }

  merge(other: TrendSketch): void {
    if (other.exact !== null) {
      for (let i = 0; i < other.buffered; i++) this.add(other.exact[i] ?? 0);
      return;
    }
    if (this.exact !== null) this.toHistogram(this.exact);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.zeros += other.zeros;
    this.positive.merge(other.positive);
    this.negative.merge(other.negative);
  }

  private valueAtRank(rank: number): number {
    const exact = this.exact;
    if (exact !== null) {
      if (!this.sorted) {
        exact.subarray(0, this.buffered).sort();
        this.sorted = true;
      }
      return exact[rank] ?? Number.NaN;
    }
    let remaining = rank;
    const negatives = this.negative.total;
    if (remaining < negatives) {
      // The most negative values come first: walk the negative store from its largest magnitude.
      const index = this.negative.indexAtRank(negatives - 1 - remaining);
      return this.clamp(-this.bucketValue(index));
    }
    remaining -= negatives;
    if (remaining < this.zeros) return this.clamp(0);
    remaining -= this.zeros;
    return this.clamp(this.bucketValue(this.positive.indexAtRank(remaining)));
  }

  private clamp(value: number): number {
    return Math.min(this.max, Math.max(this.min, value));
  }

  private bucketValue(index: number): number {
    return (2 * this.gamma ** index) / (this.gamma + 1);
  }

  private addToBuckets(value: number, n: number): void {
    if (value >= ZERO_THRESHOLD) this.positive.add(Math.ceil(Math.log(value) * this.invLogGamma), n);
    else if (value <= -ZERO_THRESHOLD) this.negative.add(Math.ceil(Math.log(-value) * this.invLogGamma), n);
    else this.zeros += n;
  }

  private buffer(exact: Float64Array, value: number): void {
    let target = exact;
    if (this.buffered === target.length) {
      target = new Float64Array(Math.min(target.length * 2, this.exactLimit));
      target.set(exact);
      this.exact = target;
    }
    target[this.buffered++] = value;
    this.sorted = false;
  }

  private toHistogram(exact: Float64Array): void {
    this.exact = null;
    for (const value of exact.subarray(0, this.buffered)) this.addToBuckets(value, 1);
    this.buffered = 0;
  }
}

/** Counts per bucket index in a dense array that grows to cover the indexes seen. */
class BucketStore {
  total = 0;
  private counts = new Float64Array(0);
  private offset = 0;

  add(index: number, n: number): void {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) {
      this.grow(index);
      i = index - this.offset;
    }
    this.counts[i] = (this.counts[i] ?? 0) + n;
    this.total += n;
  }

  /** The bucket index holding the sample of 0-based `rank` in ascending order. */
  indexAtRank(rank: number): number {
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen > rank) return i + this.offset;
    }
    return this.counts.length - 1 + this.offset;
  }

  merge(other: BucketStore): void {
    for (let i = 0; i < other.counts.length; i++) {
      this.add(i + other.offset, other.counts[i] ?? 0);
    }
  }

  private grow(index: number): void {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(128);
      this.offset = index - 64;
      return;
    }
    const low = Math.min(this.offset, index);
    const high = Math.max(this.offset + this.counts.length - 1, index);
    // Leave slack on the side that grew, so a drifting range does not reallocate every sample.
    const slack = Math.max(64, this.counts.length >> 1);
    const newOffset = index < this.offset ? low - slack : low;
    const counts = new Float64Array(high - newOffset + 1 + (index < this.offset ? 0 : slack));
    counts.set(this.counts, this.offset - newOffset);
    this.counts = counts;
    this.offset = newOffset;
  }
}
