import { KeyedWorkerPool, TaskError, TaskPostError, WorkerCrashedError } from '../../src/pool';
import type { FaultyTask } from './fixtures/faulty-worker';
import { accepted, fixture, settledValues } from './helpers';

describe('KeyedWorkerPool fault handling', () => {
  let pool: KeyedWorkerPool<FaultyTask, number>;
  const workerErrors = jest.fn();

  beforeEach(() => {
    workerErrors.mockClear();
    pool = new KeyedWorkerPool({
      workerModule: fixture('faulty-worker'),
      size: 1,
      queueCapacity: 100,
      overload: 'reject',
    });
    pool.on('workerError', workerErrors);
  });

  afterEach(() => pool.close());

  it('fails only the task whose handler throws or rejects', async () => {
    const outcomes = await Promise.allSettled([
      accepted(pool.submit('k', { kind: 'ok', value: 1 })),
      accepted(pool.submit('k', { kind: 'throw' })),
      accepted(pool.submit('k', { kind: 'reject' })),
      accepted(pool.submit('k', { kind: 'ok', value: 2 })),
    ]);

    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(outcomes[3]).toEqual({ status: 'fulfilled', value: 2 });
    const thrown = (outcomes[1] as PromiseRejectedResult).reason as TaskError;
    expect(thrown).toBeInstanceOf(TaskError);
    expect(thrown).toMatchObject({ message: 'bad task', remoteName: 'RangeError' });
    expect(thrown.remoteStack).toContain('faulty-worker');
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({
      name: 'TaskError',
      message: 'bad async task',
    });
    expect(pool.stats()).toMatchObject({
      completed: 2,
      failed: { 'handler-error': 2, 'worker-crash': 0 },
      restarts: 0,
    });
  });

  it('fails the in-flight tasks of a crashed worker, counts them and restarts it', async () => {
    const outcomes = await Promise.allSettled([
      accepted(pool.submit('k', { kind: 'ok', value: 1 })),
      accepted(pool.submit('k', { kind: 'crash' })),
      accepted(pool.submit('k', { kind: 'ok', value: 2 })),
    ]);
    for (const reason of settledValues(outcomes)) {
      expect(reason).toBeInstanceOf(WorkerCrashedError);
    }
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      workerIndex: 0,
      message: 'worker 0 stopped before answering the task: boom',
    });

    await expect(pool.submit('k', { kind: 'ok', value: 3 })).resolves.toBe(3);
    expect(workerErrors).toHaveBeenCalledTimes(1);
    expect(pool.stats()).toMatchObject({
      submitted: 4,
      completed: 1,
      failed: { 'worker-crash': 3 },
      workerErrors: 1,
      restarts: 1,
      inFlight: 0,
    });
  });

  it('treats a worker that exits on its own as crashed', async () => {
    await expect(pool.submit('k', { kind: 'exit' })).rejects.toThrow('exited with code 7');
    await expect(pool.submit('k', { kind: 'ok', value: 4 })).resolves.toBe(4);
    expect(pool.stats()).toMatchObject({ restarts: 1, workerErrors: 0 });
  });

  it('fails tasks instead of hanging when the worker module cannot even load', async () => {
    const broken = new KeyedWorkerPool<number, number>({
      workerModule: fixture('broken-worker'),
      size: 1,
      queueCapacity: 10,
      overload: 'reject',
    });
    broken.on('workerError', workerErrors);
    await expect(broken.submit('k', 1)).rejects.toThrow('cannot load the contract');
    await expect(broken.submit('k', 2)).rejects.toThrow(WorkerCrashedError);
    expect(broken.stats()).toMatchObject({ failed: { 'worker-crash': 2 }, restarts: 2 });
    await broken.close();
  });

  it('fails the batch whose results cannot be cloned back, and keeps the worker', async () => {
    await expect(pool.submit('k', { kind: 'uncloneable' })).rejects.toThrow(TaskError);
    await expect(pool.submit('k', { kind: 'ok', value: 5 })).resolves.toBe(5);
    expect(pool.stats()).toMatchObject({ failed: { 'handler-error': 1 }, restarts: 0 });
  });

  it('fails a task that cannot be cloned to the worker', async () => {
    const uncloneable = { kind: 'ok', value: 1, callback: () => 1 } as unknown as FaultyTask;
    await expect(pool.submit('k', uncloneable)).rejects.toThrow(TaskPostError);
    expect(pool.stats().failed['post-error']).toBe(1);
  });

  it('starts a restarted worker with the workerData set since, not the original', async () => {
    pool.setWorkerData({ generation: 2 });
    expect(await accepted(pool.submit('k', { kind: 'data' }))).toBe(0);
    await expect(accepted(pool.submit('k', { kind: 'exit' }))).rejects.toBeInstanceOf(
      WorkerCrashedError,
    );
    expect(await accepted(pool.submit('k', { kind: 'data' }))).toBe(2);
  });
});
