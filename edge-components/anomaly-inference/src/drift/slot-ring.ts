/**
 * Counts per bin over a rolling time window in bounded memory: time is cut into slots (the
 * evaluation interval), the last `slots` of them each hold one row of counts (all histograms of an
 * asset side by side), and a row is reused once its slot is too old. Never the observations
 * themselves.
 */
export class SlotRing {
  /** `slots` rows of `width` counts; row r holds slot `slotOfRow[r]`. */
  readonly counts: Uint32Array;
  private readonly slotOfRow: Float64Array;
  /** Newest slot recorded; -Infinity before the first. */
  private newestSlot = -Infinity;

  constructor(
    /** Counts per row: every bin of every histogram. */
    readonly width: number,
    /** Rows, one per time slot kept. */
    readonly slots: number,
  ) {
    this.counts = new Uint32Array(width * slots);
    this.slotOfRow = new Float64Array(slots).fill(-Infinity);
  }

  /** Newest slot recorded (-Infinity before the first). */
  get newest(): number {
    return this.newestSlot;
  }

  /**
   * Offset in {@link counts} of the row of `slot` (an integer >= 0), emptied first when it still
   * held an older slot. A slot older than every slot the ring keeps means the clock was set back
   * by more than the window: the counts of the "future" are dropped and the ring starts over.
   */
  rowOf(slot: number): number {
    if (slot <= this.newestSlot - this.slots) {
      this.counts.fill(0);
      this.slotOfRow.fill(-Infinity);
      this.newestSlot = slot;
    }
    const row = slot % this.slots;
    const offset = row * this.width;
    if (this.slotOfRow[row] !== slot) {
      this.counts.fill(0, offset, offset + this.width);
      this.slotOfRow[row] = slot;
    }
    if (slot > this.newestSlot) this.newestSlot = slot;
    return offset;
  }

  /** Adds the rows of the slots in `[from, to)` into `into` (`width` long, zeroed first). */
  sum(from: number, to: number, into: Float64Array): void {
    into.fill(0);
    for (let row = 0; row < this.slots; row++) {
      const slot = this.slotOfRow[row] ?? -Infinity;
      if (slot < from || slot >= to) continue;
      const offset = row * this.width;
      for (let i = 0; i < this.width; i++)
        into[i] = (into[i] ?? 0) + (this.counts[offset + i] ?? 0);
    }
  }
}
