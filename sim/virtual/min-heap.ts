/**
 * A binary min-heap of values keyed by (at, seq): the scheduler's event queue and the queue model's
 * timers. Callers give each push a rising `seq`, so equal times pop in push order. Keys live in
 * typed arrays: comparisons never touch the values, which keeps 100,000s of entries cache- and
 * GC-friendly.
 */
export class MinHeap<T> {
  private ats = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private values: T[] = [];

  get size(): number {
    return this.values.length;
  }

  /** The smallest key's time; Infinity when empty. */
  peekAt(): number {
    return this.values.length > 0 ? (this.ats[0] as number) : Number.POSITIVE_INFINITY;
  }

  peek(): T | undefined {
    return this.values[0];
  }

  push(at: number, seq: number, value: T): void {
    const i = this.values.length;
    if (i === this.ats.length) this.grow();
    this.values.push(value);
    this.siftUp(i, at, seq, value);
  }

  pop(): T | undefined {
    const values = this.values;
    const top = values[0];
    const n = values.length - 1;
    if (n < 0) return undefined;
    const last = values.pop() as T;
    if (n > 0) this.siftDown(0, this.ats[n] as number, this.seqs[n] as number, last);
    return top;
  }

  /** Keeps only the values that pass `keep`, in O(n): how lazily-deleted entries are dropped. */
  retain(keep: (value: T) => boolean): void {
    const { ats, seqs, values } = this;
    let n = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as T;
      if (!keep(value)) continue;
      ats[n] = ats[i] as number;
      seqs[n] = seqs[i] as number;
      values[n++] = value;
    }
    values.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, ats[i] as number, seqs[i] as number, values[i] as T);
    }
  }

  clear(): void {
    this.values = [];
  }

  private grow(): void {
    const ats = new Float64Array(this.ats.length * 2);
    ats.set(this.ats);
    this.ats = ats;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }

  private siftUp(start: number, at: number, seq: number, value: T): void {
    const { ats, seqs, values } = this;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pAt = ats[parent] as number;
      if (pAt < at || (pAt === at && (seqs[parent] as number) < seq)) break;
      ats[i] = pAt;
      seqs[i] = seqs[parent] as number;
      values[i] = values[parent] as T;
      i = parent;
    }
    ats[i] = at;
    seqs[i] = seq;
    values[i] = value;
  }

  private siftDown(start: number, at: number, seq: number, value: T): void {
    const { ats, seqs, values } = this;
    const n = values.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cAt = ats[child] as number;
      let cSeq = seqs[child] as number;
      const right = child + 1;
      if (right < n) {
        const rAt = ats[right] as number;
        const rSeq = seqs[right] as number;
        if (rAt < cAt || (rAt === cAt && rSeq < cSeq)) {
          child = right;
          cAt = rAt;
          cSeq = rSeq;
        }
      }
      if (at < cAt || (at === cAt && seq < cSeq)) break;
      ats[i] = cAt;
      seqs[i] = cSeq;
      values[i] = values[child] as T;
      i = child;
    }
    ats[i] = at;
    seqs[i] = seq;
    values[i] = value;
  }
}
