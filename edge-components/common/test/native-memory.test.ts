import { collectGarbage, releaseFreedNativeMemory } from '../src/index';

const residentMb = (): number => process.memoryUsage().rss / 1e6;

describe('releaseFreedNativeMemory', () => {
  it('gives back to the system the free malloc pages a garbage collection leaves in the process', () => {
    // A burst of 3,000 Buffers of 32 KiB (malloc'd from the heap, below any mmap threshold), then
    // one small allocation that outlives them above them in the heap: glibc cannot shrink the
    // heap from the top, so the collection frees the burst without the process getting smaller.
    const burst = (): number =>
      Array.from({ length: 3000 }, () => Buffer.allocUnsafeSlow(32 * 1024).fill(1)).length;
    const burstLength = burst();
    const survivor = Buffer.allocUnsafeSlow(1024).fill(2);
    expect(burstLength).toBe(3000);
    collectGarbage();
    const afterCollection = residentMb();

    expect(releaseFreedNativeMemory()).toBe('released');

    expect(afterCollection - residentMb()).toBeGreaterThan(60);
    expect(survivor.every((byte) => byte === 2)).toBe(true);
  });
});
