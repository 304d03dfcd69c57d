/**
 * A small seeded pseudo-random generator (mulberry32) with a Box-Muller gaussian: everything the
 * simulator draws comes from one of these, so a run is fully determined by its seed.
 */
export class Random {
  private state: number;
  private spare: number | undefined;

  /** Creates a generator; equal seeds give equal sequences. */
  constructor(seed: number) {
    this.state = hashSeed(seed);
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A normally distributed number (Box-Muller). */
  gaussian(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** An exponentially distributed number with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty array');
    return item;
  }
}

/** Mixes a seed and optional stream ids into a 32-bit state (so per-cell streams differ). */
export function hashSeed(seed: number, ...streams: number[]): number {
  let h = 0x811c9dc5;
  for (const value of [seed, ...streams]) {
    h = Math.imul(h ^ (Math.floor(value) & 0xffffffff), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h | 0;
}
