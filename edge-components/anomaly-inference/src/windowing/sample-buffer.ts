/** The samples of one channel on the model's grid: a contiguous run from index `start`. */
export class SampleBuffer {
  private data = new Float64Array(1024);
  private head = 0;
  private size = 0;
  /** Grid index of the first held sample (meaningless while empty). */
  start = 0;
  /** Last finite sample dropped from the front (for forward-fill at a window's start). */
  lastDropped = Number.NaN;

  get length(): number {
    return this.size;
  }
  /** Grid index after the last held sample. */
  get end(): number {
    return this.start + this.size;
  }

  /**
   * Appends samples that start at grid index `index`.
   * @returns false when `index` is not the buffer's end: the buffer restarted at `index`.
   */
  append(index: number, values: Float64Array): boolean {
    let contiguous = true;
    if (this.size === 0) this.start = index;
    else if (index !== this.end) {
      contiguous = false;
      this.clear();
      this.start = index;
    }
    if (this.head + this.size + values.length > this.data.length) {
      const capacity = Math.max(this.data.length, 2 * (this.size + values.length));
      const grown = capacity > this.data.length ? new Float64Array(capacity) : this.data;
      grown.set(this.data.subarray(this.head, this.head + this.size), 0);
      this.data = grown;
      this.head = 0;
    }
    this.data.set(values, this.head + this.size);
    this.size += values.length;
    return contiguous;
  }

  /** Drops the samples before grid index `index`. */
  dropBefore(index: number): void {
    if (this.size === 0 || index <= this.start) return;
    const count = Math.min(index - this.start, this.size);
    for (let k = this.head + count - 1; k >= this.head; k--) {
      const value = this.data[k] ?? Number.NaN;
      if (!Number.isNaN(value)) {
        this.lastDropped = value;
        break;
      }
    }
    this.head += count;
    this.size -= count;
    this.start += count;
    if (this.size === 0) this.head = 0;
  }

  /** Copies `length` samples from grid index `index` (which must be held) into `target`. */
  copy(index: number, length: number, target: Float32Array, offset: number): void {
    const from = this.head + index - this.start;
    for (let k = 0; k < length; k++) target[offset + k] = this.data[from + k] ?? Number.NaN;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.lastDropped = Number.NaN;
  }
}
