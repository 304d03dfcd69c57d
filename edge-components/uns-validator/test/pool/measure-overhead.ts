/**
 * Measures the pool's per-task overhead with the echo worker (not a test: nothing is asserted).
 * Run: `npx tsx test/pool/measure-overhead.ts [tasks]` from edge-components/uns-validator.
 */
import { KeyedWorkerPool } from '../../src/pool';
import { accepted, fixture } from './helpers';

interface Message {
  readonly topic: string;
  readonly payload: Uint8Array;
}

const TOPICS = Array.from({ length: 500 }, (_, i) => `plant/zwickau/line-${i % 20}/cell-${i}/temp`);
const PAYLOAD = new TextEncoder().encode(JSON.stringify({ value: 21.5, unit: 'C', ts: 1 }));

async function measure(tasks: number, size: number, maxBatchSize: number): Promise<void> {
  const pool = new KeyedWorkerPool<Message, Message>({
    workerModule: fixture('echo-worker'),
    size,
    queueCapacity: 4_096,
    overload: 'reject',
    maxBatchSize,
  });
  await Promise.all(
    Array.from({ length: size * 8 }, (_, i) => accepted(pool.submit(`warm-${i}`, message(i)))),
  );

  let settled = 0;
  const onSettled = (): void => {
    settled++;
  };
  const start = process.hrtime.bigint();
  for (let i = 0; i < tasks; i++) {
    if (!pool.writable) {
      await pool.whenWritable();
    }
    void pool.submit(TOPICS[i % TOPICS.length] ?? '', message(i))?.then(onSettled);
  }
  await pool.close();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perTaskMicros = (seconds * 1e6) / tasks;
  console.log(
    `size=${size} batch<=${String(maxBatchSize).padStart(3)}: ${Math.round(tasks / seconds)
      .toLocaleString('en')
      .padStart(9)} tasks/s, ${perTaskMicros.toFixed(2)} µs/task (settled ${settled})`,
  );
}

function message(i: number): Message {
  const payload = new Uint8Array(PAYLOAD.byteLength);
  payload.set(PAYLOAD);
  payload[0] = i & 0xff;
  return { topic: TOPICS[i % TOPICS.length] ?? '', payload };
}

async function main(): Promise<void> {
  const tasks = Number(process.argv[2] ?? 300_000);
  for (const size of [1, 2]) {
    for (const maxBatchSize of [1, 16, 64, 256]) {
      await measure(tasks, size, maxBatchSize);
    }
  }
}

void main();
