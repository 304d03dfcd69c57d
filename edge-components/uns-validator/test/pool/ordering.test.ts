import { KeyedWorkerPool } from '../../src/pool';
import type { OrderedResult, OrderedTask } from './fixtures/ordered-worker';
import { seededRandom } from '@uns-mlops/test-services';
import { accepted, fixture } from './helpers';

describe('KeyedWorkerPool ordering and routing', () => {
  let pool: KeyedWorkerPool<OrderedTask, OrderedResult>;

  beforeEach(() => {
    pool = new KeyedWorkerPool({
      workerModule: fixture('ordered-worker'),
      size: 3,
      queueCapacity: 64,
      overload: 'reject',
      maxBatchSize: 16,
    });
  });

  afterEach(() => pool.close());

  it('keeps per-key order, routes a key to one worker and answers each task', async () => {
    const random = seededRandom(42);
    const keys = Array.from({ length: 60 }, (_, i) => `plant/line-${i}/metric`);
    const perKey = 40;
    const nextSeq = new Map(keys.map((key) => [key, 0]));
    const settledOrder = new Map<string, number[]>(keys.map((key) => [key, []]));
    const results: Promise<OrderedResult>[] = [];

    for (let remaining = keys.length * perKey; remaining > 0;) {
      const key = keys[Math.floor(random() * keys.length)] ?? '';
      const seq = nextSeq.get(key) ?? 0;
      if (seq === perKey) {
        continue;
      }
      if (!pool.canAccept(key)) {
        await pool.whenWritable();
      }
      nextSeq.set(key, seq + 1);
      remaining--;
      const delayMs = random() < 0.1 ? Math.floor(random() * 3) : 0;
      const result = accepted(pool.submit(key, { key, seq, delayMs }));
      results.push(
        result.then((answer) => {
          settledOrder.get(key)?.push(answer.seq);
          return answer;
        }),
      );
    }
    const answers = await Promise.all(results);

    const expectedSeqs = Array.from({ length: perKey }, (_, i) => i);
    const threadByKey = new Map<string, number>();
    const threadByWorker = new Map<number, number>();
    for (const answer of answers) {
      expect(answer.previousSeq).toBe(answer.seq === 0 ? undefined : answer.seq - 1);
      const thread = threadByKey.get(answer.key) ?? answer.threadId;
      expect(answer.threadId).toBe(thread);
      threadByKey.set(answer.key, thread);
      const worker = pool.workerIndexOf(answer.key);
      expect(threadByWorker.get(worker) ?? thread).toBe(thread);
      threadByWorker.set(worker, thread);
    }
    for (const key of keys) {
      expect(settledOrder.get(key)).toEqual(expectedSeqs);
    }
    expect(new Set(threadByWorker.values()).size).toBe(3);
    expect(pool.stats()).toMatchObject({
      submitted: keys.length * perKey,
      completed: keys.length * perKey,
      inFlight: 0,
      refused: { 'queue-full': 0, closed: 0 },
    });
  });

  it('returns the result of each task across several batches', async () => {
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, seq) =>
        accepted(pool.submit('k', { key: 'k', seq, delayMs: 0 })),
      ),
    );
    expect(answers.map((answer) => answer.seq)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });
});
