import { collectGarbage, reclaimMemoryWhenQuiet } from '../src/memory-reclaimer';

describe('reclaimMemoryWhenQuiet', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('collects once after start-up, then once after each burst, never while busy or idle', () => {
    let messages = 0;
    const collect = jest.fn();
    const reclaimer = reclaimMemoryWhenQuiet(() => messages, { intervalMs: 1000, collect });

    jest.advanceTimersByTime(1000); // quiet after start-up
    expect(collect).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(5000); // still quiet: nothing more to give back
    expect(collect).toHaveBeenCalledTimes(1);

    for (let second = 0; second < 5; second++) {
      messages += 1000; // a burst: no collection while it lasts
      jest.advanceTimersByTime(1000);
    }
    expect(collect).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1000); // the first quiet interval after it
    expect(collect).toHaveBeenCalledTimes(2);
    expect(reclaimer.collections).toBe(2);

    reclaimer.stop();
    messages += 1;
    jest.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(2);
  });
});

describe('collectGarbage', () => {
  it('frees the memory of dead Buffers without any node flag', () => {
    const burst = (): number =>
      Array.from({ length: 100 }, () => Buffer.alloc(1_000_000, 1)).length;
    expect(burst()).toBe(100);
    const held = process.memoryUsage().arrayBuffers;
    collectGarbage();
    expect(process.memoryUsage().arrayBuffers).toBeLessThan(held - 90_000_000);
  });
});
