/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same hostile
 * stream on every machine, so a message that breaks a component can be produced again by its index.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next unsigned 32-bit integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 2 ** 32;
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** `length` pseudo-random bytes (fast enough for 16 MB: four bytes per step). */
  bytes(length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) buffer.writeUInt32LE(this.uint32(), i);
    for (; i < length; i++) buffer[i] = this.uint32() & 0xff;
    return buffer;
  }
}
