import { KeyedWorkerPool, PoolClosedError } from '../../src/pool';
import type { OrderedResult, OrderedTask } from './fixtures/ordered-worker';
import { accepted, createGate, fixture, settledValues } from './helpers';

describe('KeyedWorkerPool lifecycle', () => {
  it('rejects invalid options', () => {
    const valid = {
      workerModule: fixture('echo-worker'),
      size: 1,
      queueCapacity: 1,
      overload: 'reject',
    } as const;
    expect(() => new KeyedWorkerPool({ ...valid, size: 0 })).toThrow(RangeError);
    expect(() => new KeyedWorkerPool({ ...valid, queueCapacity: 1.5 })).toThrow(RangeError);
    expect(() => new KeyedWorkerPool({ ...valid, workerModule: 'echo-worker.ts' })).toThrow(
      TypeError,
    );
  });

  it('drains outstanding tasks on close, then refuses new ones', async () => {
    const pool = new KeyedWorkerPool<OrderedTask, OrderedResult>({
      workerModule: fixture('ordered-worker'),
      size: 2,
      queueCapacity: 50,
      overload: 'drop-newest',
    });
    const results = Array.from({ length: 50 }, (_, seq) =>
      accepted(pool.submit(`k${seq % 5}`, { key: `k${seq % 5}`, seq, delayMs: 1 })),
    );
    await pool.close();

    const settled = await Promise.allSettled(results);
    expect(settled.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(pool.submit('k0', { key: 'k0', seq: 99, delayMs: 0 })).toBeUndefined();
    await expect(pool.whenWritable()).rejects.toThrow(PoolClosedError);
    expect(pool.stats()).toMatchObject({ completed: 50, inFlight: 0, refused: { closed: 1 } });
  });

  it('fails the tasks still outstanding when close times out', async () => {
    const { gate, open } = createGate();
    const pool = new KeyedWorkerPool<string, string>({
      workerModule: fixture('gated-worker'),
      workerData: { gate },
      size: 1,
      queueCapacity: 10,
      overload: 'reject',
    });
    const outcomes = Promise.allSettled(['a', 'b'].map((task) => accepted(pool.submit('k', task))));
    await pool.close(20);
    open();

    for (const reason of settledValues(await outcomes)) {
      expect(reason).toBeInstanceOf(PoolClosedError);
    }
    await expect(pool.submit('k', 'c')).rejects.toThrow(PoolClosedError);
    expect(pool.stats()).toMatchObject({
      failed: { 'close-timeout': 2 },
      refused: { closed: 1 },
      inFlight: 0,
    });
  });
});
