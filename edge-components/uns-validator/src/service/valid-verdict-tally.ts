import type { Verdict } from '../verdict';

/** Where folded counts go: `count` messages of `verdict`, received in the bucket from `bucketStart`. */
export type FoldValid = (verdict: Verdict, count: number, bucketStart: number) => void;

/**
 * Counts the shared valid verdicts (`isSharedVerdict`) by identity until they are folded into the
 * records that need them (the verdict metrics, the store's aggregation, the compliance summaries).
 * Nearly every message of a working UNS is valid, and a shared verdict names everything those
 * records key their counts by, so one map update per message replaces one lookup per record.
 *
 * Call {@link foldAll} before a record is read. The tally folds by itself when a message falls in
 * another time bucket of the store than the messages before it, so every count lands in the bucket
 * its messages were received in.
 */
export class ValidVerdictTally {
  /** Messages per verdict since the last fold; entries counted 0 over a whole fold go. */
  private readonly counts = new Map<Verdict, { count: number }>();
  private bucketStart = -Infinity;
  private bucketEnd = -Infinity;

  /** `bucketMs`: the store's bucket length; `fold` receives the counts. */
  constructor(
    private readonly bucketMs: number,
    private readonly fold: FoldValid,
  ) {}

  /** Counts one message judged `verdict` (a shared valid one), received at `receivedAt` (epoch ms). */
  add(verdict: Verdict, receivedAt: number): void {
    if (receivedAt >= this.bucketEnd || receivedAt < this.bucketStart) {
      this.foldAll();
      this.bucketStart = Math.floor(receivedAt / this.bucketMs) * this.bucketMs;
      this.bucketEnd = this.bucketStart + this.bucketMs;
    }
    const entry = this.counts.get(verdict);
    if (entry === undefined) this.counts.set(verdict, { count: 1 });
    else entry.count++;
  }

  /** Hands every count over to `fold`, and starts again from zero. */
  foldAll(): void {
    for (const [verdict, entry] of this.counts) {
      if (entry.count === 0) {
        // Not seen since the last fold: a verdict of contracts since replaced, or a quiet topic.
        this.counts.delete(verdict);
        continue;
      }
      const { count } = entry;
      entry.count = 0;
      this.fold(verdict, count, this.bucketStart);
    }
  }
}
