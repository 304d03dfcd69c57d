/**
 * Batching of the direct path: a record waits at most `kafka.lingerMs` for others to join its
 * produce request, and a full batch goes at once. The sink records the batches it is given.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Forwarder, type ForwarderOptions, type RecordSink } from '../../src/bridge/forwarder';
import type { BridgeRecord } from '../../src/bridge/record';
import { BridgeMetrics } from '../../src/service/metrics';
import { Spool } from '../../src/spool/spool';

/** Keeps the keys of every batch it is asked to produce, and acknowledges it. */
class RecordingSink implements RecordSink {
  readonly batches: string[][] = [];

  send(records: readonly BridgeRecord[]): Promise<readonly BridgeRecord[]> {
    this.batches.push(records.map((record) => record.key));
    return Promise.resolve(records);
  }
}

const record = (key: string): BridgeRecord => ({
  topic: 'uns.telemetry',
  key,
  value: Buffer.from('{}'),
  timestamp: Date.now(),
  headers: {},
});

let sink: RecordingSink;
let forwarder: Forwarder;
let durable: number;

async function start(options: Partial<ForwarderOptions>): Promise<void> {
  const spool = await Spool.open({
    dir: mkdtempSync(join(tmpdir(), 'linger-spool-')),
    maxBytes: 1024 * 1024,
    segmentBytes: 64 * 1024,
  });
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  sink = new RecordingSink();
  durable = 0;
  forwarder = new Forwarder(
    spool,
    sink,
    new BridgeMetrics(),
    {
      lingerMs: 5,
      batchMaxMessages: 100,
      batchMaxBytes: 1_000_000,
      retryBackoffMs: 1000,
      whenFull: 'backpressure',
      deadLetterTopic: 'uns.dead-letter',
      onSpoolFailure: () => undefined,
      ...options,
    },
    pino({ level: 'silent' }),
  );
}

function accept(...keys: string[]): void {
  for (const key of keys) {
    forwarder.accept({
      record: record(key),
      receivedAt: performance.now(),
      durable: () => (durable += 1),
      fromUns: true,
    });
  }
}

afterEach(async () => {
  await forwarder.close();
  jest.useRealTimers();
});

it('lets a record wait up to lingerMs for others to join its produce request', async () => {
  await start({ lingerMs: 5 });
  accept('a', 'b');
  await jest.advanceTimersByTimeAsync(4);
  expect(sink.batches).toEqual([]);
  accept('c');
  await jest.advanceTimersByTimeAsync(0);
  expect(sink.batches).toEqual([]);
  await jest.advanceTimersByTimeAsync(1);
  expect(sink.batches).toEqual([['a', 'b', 'c']]);
  expect(durable).toBe(3);
});

it('sends a full batch at once, without lingering', async () => {
  await start({ lingerMs: 1000, batchMaxMessages: 3 });
  accept('a', 'b', 'c', 'd');
  await jest.advanceTimersByTimeAsync(0);
  expect(sink.batches).toEqual([['a', 'b', 'c']]);
  await jest.advanceTimersByTimeAsync(1000);
  expect(sink.batches).toEqual([['a', 'b', 'c'], ['d']]);
});

it('sends each record as it comes when lingerMs is 0', async () => {
  await start({ lingerMs: 0 });
  accept('a');
  await jest.advanceTimersByTimeAsync(0);
  accept('b');
  await jest.advanceTimersByTimeAsync(0);
  expect(sink.batches).toEqual([['a'], ['b']]);
});

it('sends what is waiting when closed, without lingering', async () => {
  await start({ lingerMs: 1000 });
  accept('a');
  await forwarder.close();
  expect(sink.batches).toEqual([['a']]);
});
