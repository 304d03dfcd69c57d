import { MicroBatcher } from '../../src/inference/micro-batcher';

/** A consumer whose batches finish only when the test says so. */
function gatedConsumer() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = (batch: number[]) => {
    batches.push(batch);
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  const open = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, run, open };
}

it('collects the items of one event-loop turn into one batch', async () => {
  const { batches, run, open } = gatedConsumer();
  const batcher = new MicroBatcher({ maxBatchSize: 10, maxBatchDelayMs: 0 }, run);
  [1, 2, 3].forEach((i) => {
    batcher.push(i);
  });
  await new Promise((resolve) => setImmediate(resolve));
  expect(batches).toEqual([[1, 2, 3]]);
  await open();
});

it('starts a full batch at once and batches what arrives while one runs', async () => {
  const { batches, run, open } = gatedConsumer();
  const batcher = new MicroBatcher({ maxBatchSize: 2, maxBatchDelayMs: 1000 }, run);
  batcher.push(1);
  batcher.push(2);
  expect(batches).toEqual([[1, 2]]); // full: no waiting for the delay
  [3, 4, 5].forEach((i) => {
    batcher.push(i);
  });
  expect(batcher.pending).toBe(3);
  await open(); // the next batch starts as soon as the running one ends, at most maxBatchSize
  expect(batches).toEqual([
    [1, 2],
    [3, 4],
  ]);
  await open();
  expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  const idle = batcher.idle();
  await open();
  await idle;
});

it('waits at most maxBatchDelayMs for a batch to fill', async () => {
  // Fake timers: on a busy machine a real 20 ms timer may fire before the test looks.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  try {
    const { batches, run, open } = gatedConsumer();
    const batcher = new MicroBatcher({ maxBatchSize: 100, maxBatchDelayMs: 20 }, run);
    batcher.push(1);
    jest.advanceTimersByTime(19);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(batches).toEqual([[1]]);
    await open();
  } finally {
    jest.useRealTimers();
  }
});
