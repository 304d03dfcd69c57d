import { setImmediate as nextTick } from 'node:timers/promises';
import { KeyedWorkerPool, PoolOverloadedError } from '../../src/pool';
import { accepted, createGate, fixture } from './helpers';

describe('KeyedWorkerPool overload and backpressure', () => {
  it('drops the newest tasks when full, counts them and never exceeds size * capacity', async () => {
    const size = 2;
    const queueCapacity = 100;
    const pool = new KeyedWorkerPool<number, number>({
      workerModule: fixture('busy-worker'),
      workerData: { spinMicros: 20 },
      size,
      queueCapacity,
      overload: 'drop-newest',
    });
    const total = 1_000_000;
    const accepted: Promise<number>[] = [];
    let maxInFlight = 0;
    let dropped = 0;
    for (let i = 0; i < total; i++) {
      const result = pool.submit(`key-${i % 16}`, i);
      if (result === undefined) {
        dropped++;
      } else {
        accepted.push(result);
      }
      if (i % 10_000 === 0) {
        maxInFlight = Math.max(maxInFlight, pool.stats().inFlight);
        await nextTick();
      }
    }
    await Promise.all(accepted);
    const stats = pool.stats();
    await pool.close();

    expect(maxInFlight).toBeLessThanOrEqual(size * queueCapacity);
    for (const worker of stats.workers) {
      expect(worker.inFlight).toBe(0);
    }
    expect(dropped).toBeGreaterThan(0);
    expect(stats.refused['queue-full']).toBe(dropped);
    expect(stats.submitted).toBe(accepted.length);
    expect(stats.submitted + dropped).toBe(total);
    expect(stats.completed).toBe(stats.submitted);
  });

  it('signals backpressure, rejects under the reject policy, then drains', async () => {
    const { gate, open } = createGate();
    const pool = new KeyedWorkerPool<string, string>({
      workerModule: fixture('gated-worker'),
      workerData: { gate },
      size: 1,
      queueCapacity: 3,
      overload: 'reject',
    });
    const drains = jest.fn();
    pool.on('drain', drains);

    const results = ['a', 'b', 'c'].map((task) => accepted(pool.submit('k', task)));
    expect(pool.writable).toBe(false);
    expect(pool.canAccept('k')).toBe(false);
    await expect(pool.submit('k', 'd')).rejects.toBeInstanceOf(PoolOverloadedError);
    const writable = pool.whenWritable();
    open();

    await writable;
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(pool.writable).toBe(true);
    expect(drains).toHaveBeenCalledTimes(1);
    expect(pool.stats()).toMatchObject({
      submitted: 3,
      completed: 3,
      refused: { 'queue-full': 1 },
    });
    await pool.close();
  });

  it('lets a producer that awaits whenWritable() lose nothing', async () => {
    const pool = new KeyedWorkerPool<number, number>({
      workerModule: fixture('busy-worker'),
      workerData: { spinMicros: 5 },
      size: 2,
      queueCapacity: 10,
      overload: 'drop-newest',
    });
    const results: Promise<number>[] = [];
    for (let i = 0; i < 2_000; i++) {
      if (!pool.writable) {
        await pool.whenWritable();
      }
      results.push(accepted(pool.submit(`key-${i % 7}`, i)));
    }
    expect(await Promise.all(results)).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    expect(pool.stats().refused['queue-full']).toBe(0);
    await pool.close();
  });
});
