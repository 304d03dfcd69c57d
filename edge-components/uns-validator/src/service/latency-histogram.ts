/** A Prometheus histogram cheap enough to observe every message. */
import type { Metric, Registry } from 'prom-client';

/** One line of the exposition: a bucket, the sum or the count. */
interface HistogramValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName: string;
}

/** Options of {@link LatencyHistogram}. */
export interface LatencyHistogramOptions {
  readonly name: string;
  readonly help: string;
  /** Upper bounds of the buckets, ascending (the `+Inf` bucket is added). */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

/**
 * A label-less histogram whose `observe` only adds to a typed array (about 20 ns), exposed to the
 * registry in prom-client's histogram format (`_bucket{le}` cumulative, `_sum`, `_count`).
 * prom-client's own `Histogram.observe` hashes labels and keys buckets by strings, about 0.5 µs a
 * call: a tenth of what judging a telemetry message costs, on every message.
 */
export class LatencyHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly counts: Float64Array;
  private sum = 0;

  constructor(options: LatencyHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.bounds = Float64Array.from(options.buckets);
    this.counts = new Float64Array(options.buckets.length + 1);
    // The registry reads any object with prom-client's `get()`; its type lists only its classes.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** Counts one observation, in seconds. */
  observe(value: number): void {
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.sum += value;
  }

  /** The values as prom-client's registry formats them. */
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: HistogramValue[];
  }> {
    let cumulative = 0;
    const values = [...this.counts].map((count, index): HistogramValue => {
      cumulative += count;
      const bound = this.bounds[index];
      return {
        value: cumulative,
        labels: { le: bound === undefined ? '+Inf' : bound },
        metricName: `${this.name}_bucket`,
      };
    });
    values.push(
      { value: this.sum, labels: {}, metricName: `${this.name}_sum` },
      { value: cumulative, labels: {}, metricName: `${this.name}_count` },
    );
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values });
  }

  /** Forgets every observation. */
  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
  }
}
