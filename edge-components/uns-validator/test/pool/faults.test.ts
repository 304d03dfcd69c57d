import {
  KeyedWorkerPool,
  PoolClosedError,
  TaskError,
  TaskPostError,
  WorkerCrashedError,
} from '../../src/pool';
import type { FaultyTask } from './fixtures/faulty-worker';
import { accepted, fixture } from './helpers';

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

  it('fails only the task a crashed worker was running and gives the others to its successor', async () => {
    const outcomes = await Promise.allSettled([
      accepted(pool.submit('k', { kind: 'ok', value: 1 })),
      accepted(pool.submit('k', { kind: 'crash' })),
      accepted(pool.submit('k', { kind: 'ok', value: 2 })),
    ]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 2 });
    const crashed = (outcomes[1] as PromiseRejectedResult).reason as WorkerCrashedError;
    expect(crashed).toBeInstanceOf(WorkerCrashedError);
    expect(crashed).toMatchObject({
      workerIndex: 0,
      message: 'worker 0 stopped before answering the task: boom',
    });

    await expect(pool.submit('k', { kind: 'ok', value: 3 })).resolves.toBe(3);
    expect(workerErrors).toHaveBeenCalledTimes(1);
    expect(pool.stats()).toMatchObject({
      submitted: 4,
      completed: 3,
      failed: { 'worker-crash': 1 },
      workerErrors: 1,
      restarts: 1,
      retried: 2,
      inFlight: 0,
    });
  });

  it('keeps per-key order across a crash: the tasks behind the culprit settle in order', async () => {
    const settled: unknown[] = [];
    const record = (promise: Promise<number>) =>
      promise.then(
        (value) => settled.push(value),
        () => settled.push('crash'),
      );
    const tasks: FaultyTask[] = [
      { kind: 'ok', value: 1 },
      { kind: 'ok', value: 2 },
      { kind: 'exit' },
      { kind: 'ok', value: 3 },
      { kind: 'ok', value: 4 },
    ];
    await Promise.all(tasks.map((task) => record(accepted(pool.submit('k', task)))));
    expect(settled).toEqual([1, 2, 'crash', 3, 4]);
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

  it('stops a worker stuck in one task, fails that task alone and runs the rest', async () => {
    const watched = new KeyedWorkerPool<FaultyTask, number>({
      workerModule: fixture('faulty-worker'),
      size: 1,
      queueCapacity: 10,
      overload: 'reject',
      taskTimeoutMs: 200,
    });
    const outcomes = await Promise.allSettled([
      accepted(watched.submit('k', { kind: 'spin' })),
      accepted(watched.submit('k', { kind: 'ok', value: 6 })),
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({
      name: 'WorkerCrashedError',
      message: 'worker 0 stopped before answering the task: it ran one task for longer than 200 ms',
    });
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: 6 });
    expect(watched.stats()).toMatchObject({
      failed: { 'task-timeout': 1, 'worker-crash': 0 },
      restarts: 1,
    });
    await watched.close();
  });

  it('keeps the keys of other workers flowing while one worker is stuck in a task', async () => {
    const pair = new KeyedWorkerPool<FaultyTask, number>({
      workerModule: fixture('faulty-worker'),
      size: 2,
      queueCapacity: 100,
      overload: 'reject',
    });
    const stuckKey = 'stuck';
    const freeKey = ['a', 'b', 'c', 'd'].find(
      (key) => pair.workerIndexOf(key) !== pair.workerIndexOf(stuckKey),
    )!;
    let stuckSettled = false;
    const stuck = accepted(pair.submit(stuckKey, { kind: 'spin' })).finally(() => {
      stuckSettled = true;
    });
    const free = Array.from({ length: 50 }, (_, value) =>
      accepted(pair.submit(freeKey, { kind: 'ok', value })),
    );
    await expect(Promise.all(free)).resolves.toEqual(Array.from({ length: 50 }, (_, v) => v));
    expect(stuckSettled).toBe(false);
    const stuckOutcome = expect(stuck).rejects.toThrow(PoolClosedError);
    await pair.close(20);
    await stuckOutcome;
  });

  it('stops a worker at its heap limit, not the process, and fails only the greedy task', async () => {
    const limited = new KeyedWorkerPool<FaultyTask, number>({
      workerModule: fixture('faulty-worker'),
      size: 1,
      queueCapacity: 10,
      overload: 'reject',
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
    });
    const outcomes = await Promise.allSettled([
      accepted(limited.submit('k', { kind: 'hog' })),
      accepted(limited.submit('k', { kind: 'ok', value: 7 })),
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(WorkerCrashedError);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/out of memory/i);
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: 7 });
    expect(limited.stats()).toMatchObject({ failed: { 'worker-crash': 1 }, restarts: 1 });
    await limited.close();
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
