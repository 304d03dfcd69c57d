/** Clocks, counters and quantiles of the validator benchmark. */

/** A phase that receives nothing for this long is over (what has not arrived is lost). */
const QUIET_MS = 2000;
const POLL_MS = 20;

/** Wall-clock time in microseconds, comparable across processes on one machine. */
function nowMicros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** Publish time from a benchmark payload's `t0` (ISO 8601 with microseconds at offset 7). */
function publishedAtMicros(payload: Buffer): number {
  const iso = payload.toString('latin1', 7, 34);
  return Date.parse(`${iso.slice(0, 23)}Z`) * 1000 + Number(iso.slice(23, 26));
}

/** CPU time of this process so far, every thread (the validator's workers too), µs. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Counts arrivals and the time between the first and the last. */
export class RateMeter {
  count = 0;
  private first = 0;
  private last = 0;

  hit(): void {
    const now = performance.now();
    if (this.count === 0) this.first = now;
    this.last = now;
    this.count += 1;
  }

  perSecond(): number {
    return this.count < 2 ? 0 : ((this.count - 1) * 1000) / (this.last - this.first);
  }
}

/** Publish and arrival times of messages, for latency quantiles over all or a time window. */
export class Arrivals {
  private publishedAt: Float64Array<ArrayBuffer>;
  private latencyMs: Float64Array<ArrayBuffer>;
  count = 0;

  /** Room for `expected` messages is allocated at once (more grows the arrays). */
  constructor(expected: number) {
    this.publishedAt = new Float64Array(Math.max(1024, expected));
    this.latencyMs = new Float64Array(Math.max(1024, expected));
  }

  /** Records a benchmark message arrived now. */
  add(payload: Buffer): void {
    if (this.count === this.publishedAt.length) {
      this.publishedAt = grown(this.publishedAt);
      this.latencyMs = grown(this.latencyMs);
    }
    const publishedAt = publishedAtMicros(payload);
    this.publishedAt[this.count] = publishedAt;
    this.latencyMs[this.count] = (nowMicros() - publishedAt) / 1000;
    this.count += 1;
  }

  /**
   * Latencies of the messages published from `from` to before `to` (wall-clock µs; all by
   * default).
   */
  window(from = -Infinity, to = Infinity): Latencies {
    const latencies: number[] = [];
    for (let i = 0; i < this.count; i += 1) {
      const publishedAt = this.publishedAt[i]!;
      if (publishedAt >= from && publishedAt < to) latencies.push(this.latencyMs[i]!);
    }
    return new Latencies(Float64Array.from(latencies).sort());
  }
}

/** `values`, in an array twice as long. */
function grown(values: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const longer = new Float64Array(values.length * 2);
  longer.set(values);
  return longer;
}

/** Sorted latencies, ms. */
export class Latencies {
  constructor(private readonly sorted: Float64Array) {}

  get count(): number {
    return this.sorted.length;
  }

  /** The `q` quantile (0-1), ms, rounded to µs; NaN without samples. */
  quantile(q: number): number {
    const value = this.sorted[Math.min(this.sorted.length - 1, Math.floor(q * this.sorted.length))];
    return value === undefined ? Number.NaN : Number(value.toFixed(3));
  }
}

/** How a phase ended: the messages arrived, and the process's CPU time when the last one did. */
export interface Settled {
  readonly arrived: number;
  readonly cpuMicros: number;
}

/**
 * Waits until `arrived()` reaches `expected`, or has not grown for two seconds (the rest is lost);
 * the CPU time returned is the one polled when the count last grew, so the quiet wait is not in it.
 */
export async function settle(arrived: () => number, expected: number): Promise<Settled> {
  let last = { arrived: arrived(), cpuMicros: cpuMicros() };
  let lastGrowth = performance.now();
  while (last.arrived < expected && performance.now() - lastGrowth < QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const count = arrived();
    if (count !== last.arrived) {
      last = { arrived: count, cpuMicros: cpuMicros() };
      lastGrowth = performance.now();
    }
  }
  return last;
}
