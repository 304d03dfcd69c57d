import { collectGarbage, releaseFreedNativeMemory } from '../src/index';

const residentMb = (): number => process.memoryUsage().rss / 1e6;

describe('releaseFreedNativeMemory', () => {
  it('gives back to the system the free malloc pages a garbage collection leaves in the process', () => {
    // A burst of 3,000 Buffers of 32 KiB (malloc'd one after the other from the heap, below any
    // mmap threshold) of which every 30th outlives the burst: the freed ones end up between live
    // ones, so glibc cannot shrink the heap from its top, and the collection frees 97 % of the
    // burst without the process getting smaller.
    const survivors: Buffer[] = [];
    const burst = (): number =>
      Array.from({ length: 3000 }, (_, index) => {
        const buffer = Buffer.allocUnsafeSlow(32 * 1024).fill(index % 30 === 0 ? 2 : 1);
        if (index % 30 === 0) survivors.push(buffer);
        return buffer;
      }).length;
    expect(burst()).toBe(3000);
    collectGarbage();
    const afterCollection = residentMb();

    expect(releaseFreedNativeMemory()).toBe('released');

    expect(afterCollection - residentMb()).toBeGreaterThan(60);
    expect(survivors.every((survivor) => survivor.every((byte) => byte === 2))).toBe(true);
  });
});
