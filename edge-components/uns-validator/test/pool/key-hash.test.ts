import { fnv1a32, workerIndexFor } from '../../src/pool';

describe('key hashing', () => {
  it('computes the reference FNV-1a 32-bit values', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('maps a key to the same worker every time, within range', () => {
    for (const key of ['spBv1.0/plant/NDATA/edge-1', 'plant/zwickau/line-3/temp', 'ü-€-ключ']) {
      const index = workerIndexFor(key, 3);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(3);
      expect(workerIndexFor(key, 3)).toBe(index);
    }
    expect(workerIndexFor('anything', 1)).toBe(0);
  });

  it('spreads many keys over all workers', () => {
    const counts = new Map<number, number>();
    for (let i = 0; i < 4_000; i++) {
      const index = workerIndexFor(`plant/area/line-${i}/metric`, 4);
      counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(800);
    }
  });
});
