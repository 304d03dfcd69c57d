/**
 * Orders the blocks of one channel of one asset by `seq` and places their samples on the model's
 * sample grid (index = time / sample period), deciding explicitly what a duplicate, a late block,
 * a gap and a publisher restart are. Every decision is counted.
 */
import type { TelemetryBlock } from './block';

/** What happened to a block or a stretch of samples (each a counter). */
export type StreamOutcome =
  /** Block placed in sequence. */
  | 'accepted'
  /** Block placed after waiting in the reorder buffer for an earlier `seq`. */
  | 'reordered'
  /** A `seq` seen before: dropped. */
  | 'duplicate'
  /** Older than what the stream already gave up waiting for: dropped. */
  | 'late'
  /** `dtMs` is not the model's sample period: dropped (the runtime does not resample). */
  | 'rate_mismatch'
  /** Missing samples (lost blocks or a time gap) filled as missing values (counts samples). */
  | 'gap_filled'
  /** Gap longer than the missing-values policy fills: the channel restarts at the new block. */
  | 'reset_gap'
  /** A block overlapping samples already placed: the channel restarts at the new block. */
  | 'reset_overlap'
  /** `seq` went back while time went on (publisher restarted): the channel restarts. */
  | 'reset_restart';

/** How far gaps may be filled, read from the serving model's manifest at each gap. */
export interface GapPolicy {
  readonly fill: boolean;
  readonly maxGapSamples: number;
}

/** Options of one {@link ChannelStream}. */
export interface ChannelStreamOptions {
  /** Model sample period, ms. */
  readonly periodMs: number;
  /** Blocks held while waiting for a missing `seq`; beyond that, the missing ones count as lost. */
  readonly reorderBlocks: number;
  readonly gapPolicy: () => GapPolicy;
  /** Receives samples at grid indices; an index other than the previous end is a restart. */
  readonly place: (index: number, values: Float64Array) => void;
  readonly count: (outcome: StreamOutcome, amount: number) => void;
}

const SEEN_MEMORY = 256;

/** The blocks of one channel of one asset. */
export class ChannelStream {
  private nextSeq: number | undefined;
  private expectedIndex = 0;
  private readonly held = new Map<number, TelemetryBlock>();
  private readonly seen = new Set<number>();
  private readonly seenOrder: number[] = [];

  constructor(private readonly options: ChannelStreamOptions) {}

  /** Takes one block in arrival order. */
  accept(block: TelemetryBlock): void {
    const { periodMs, reorderBlocks } = this.options;
    if (Math.abs(block.dtMs - periodMs) > periodMs * 1e-6) {
      this.options.count('rate_mismatch', 1);
      return;
    }
    const next = this.nextSeq;
    if (next === undefined || block.seq === next) {
      this.apply(block, 'accepted');
      this.drain();
      return;
    }
    if (block.seq < next && this.indexOf(block) >= this.expectedIndex) {
      // seq went back but time went on: the publisher restarted its numbering.
      this.held.clear();
      this.options.count('reset_restart', 1);
      this.apply(block, 'accepted');
      this.drain();
      return;
    }
    if (this.seen.has(block.seq) || this.held.has(block.seq)) {
      this.options.count('duplicate', 1);
      return;
    }
    if (block.seq < next) {
      this.options.count('late', 1);
      return;
    }
    this.held.set(block.seq, block);
    if (this.held.size > reorderBlocks) {
      const oldest = Math.min(...this.held.keys());
      const first = this.held.get(oldest);
      this.held.delete(oldest);
      if (first !== undefined) this.apply(first, 'reordered');
      this.drain();
    }
  }

  private drain(): void {
    for (;;) {
      const next = this.nextSeq === undefined ? undefined : this.held.get(this.nextSeq);
      if (next === undefined) return;
      this.held.delete(next.seq);
      this.apply(next, 'reordered');
    }
  }

  private indexOf(block: TelemetryBlock): number {
    return Math.round(block.t0Ms / this.options.periodMs);
  }

  private apply(block: TelemetryBlock, outcome: 'accepted' | 'reordered'): void {
    const { place, count } = this.options;
    const index = this.indexOf(block);
    if (this.nextSeq !== undefined) {
      const missing = index - this.expectedIndex;
      if (missing > 0) {
        const policy = this.options.gapPolicy();
        if (policy.fill && missing <= policy.maxGapSamples) {
          place(this.expectedIndex, new Float64Array(missing).fill(Number.NaN));
          count('gap_filled', missing);
        } else {
          count('reset_gap', 1);
        }
      } else if (missing < 0) {
        count('reset_overlap', 1);
      }
    }
    place(index, block.values);
    count(outcome, 1);
    this.nextSeq = block.seq + 1;
    this.expectedIndex = index + block.values.length;
    this.remember(block.seq);
  }

  private remember(seq: number): void {
    this.seen.add(seq);
    this.seenOrder.push(seq);
    if (this.seenOrder.length > SEEN_MEMORY) this.seen.delete(this.seenOrder.shift() ?? -1);
  }
}
