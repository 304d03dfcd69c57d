/**
 * The dead-letter path against a Kafka stand-in that refuses what each test says: which records
 * reach which topic, in what order, what is logged and counted. The same path against a real
 * Kafka: test/dead-letter.test.ts.
 */
import { KafkaJSConnectionError } from 'kafkajs';
import pino from 'pino';
import { HEADERS } from '../../src/bridge/intake';
import type { BridgeRecord } from '../../src/bridge/record';
import {
  DeadLetterRejectedError,
  DeadLetterSink,
  type KafkaProducer,
} from '../../src/kafka/dead-letter';
import { BridgeMetrics } from '../../src/service/metrics';
import { brokerError, retriesExceeded } from './kafka-errors';

const DEAD_LETTER = 'uns.dead-letter';
const RECHECK_MS = 60_000;

/** A Kafka that refuses a batch when `refuse` returns an error, and keeps what it takes. */
class FakeKafka implements KafkaProducer {
  readonly taken: BridgeRecord[] = [];
  readonly attempts: number[] = [];
  readonly topics = new Set(['uns.telemetry', 'uns.state', 'uns.alarm', DEAD_LETTER]);
  refuse: (record: BridgeRecord) => Error | undefined = () => undefined;

  send(records: readonly BridgeRecord[]): Promise<void> {
    this.attempts.push(records.length);
    const error = records.map((record) => this.refuse(record)).find((e) => e !== undefined);
    if (error !== undefined) return Promise.reject(error);
    this.taken.push(...records);
    return Promise.resolve();
  }

  topicExists(topic: string): Promise<boolean> {
    return Promise.resolve(this.topics.has(topic));
  }

  /** What reached `topic`, as `key:value`. */
  on(topic: string): string[] {
    return this.taken.filter((r) => r.topic === topic).map((r) => `${r.key}:${r.value.toString()}`);
  }
}

const record = (topic: string, key: string, value = key): BridgeRecord => ({
  topic,
  key,
  value: Buffer.from(value),
  timestamp: 0,
  headers: { [HEADERS.topic]: `mqtt/${key}` },
});

let kafka: FakeKafka;
let metrics: BridgeMetrics;
let sink: DeadLetterSink;
let logs: { level: number; msg: string; kafkaTopic?: string; reason?: string }[];
let now: number;

beforeEach(() => {
  kafka = new FakeKafka();
  metrics = new BridgeMetrics();
  logs = [];
  now = 0;
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  sink = new DeadLetterSink(
    kafka,
    { topic: DEAD_LETTER, recheckAfterMs: RECHECK_MS },
    metrics,
    logger,
    () => now,
  );
});

/** Log lines at warn (40) or above. */
const warnings = () => logs.filter((line) => line.level >= 40);

const refuseTopic = (topic: string, type: string) => {
  kafka.refuse = (r) => (r.topic === topic ? brokerError(type) : undefined);
};

async function deadLetterGauge(): Promise<number> {
  return (await metrics.deadLetterRejected.get()).values[0]?.value ?? 0;
}

it('passes a batch Kafka takes through as it is', async () => {
  const batch = [record('uns.telemetry', 'a'), record('uns.state', 'b')];
  await expect(sink.send(batch)).resolves.toBe(batch);
  expect(kafka.attempts).toEqual([2]);
});

it('sends the records of a topic Kafka refuses to the dead letter, with the reason and the intended topic, and the other topics to theirs', async () => {
  refuseTopic('uns.alarm', 'TOPIC_AUTHORIZATION_FAILED');
  const batch = [
    record('uns.telemetry', 't1'),
    record('uns.alarm', 'a1'),
    record('uns.telemetry', 't2'),
    record('uns.alarm', 'a2'),
  ];
  const produced = await sink.send(batch);

  expect(kafka.on('uns.telemetry')).toEqual(['t1:t1', 't2:t2']);
  expect(kafka.on(DEAD_LETTER)).toEqual(['a1:a1', 'a2:a2']);
  expect(produced.map((r) => r.topic)).toEqual([
    'uns.telemetry',
    DEAD_LETTER,
    'uns.telemetry',
    DEAD_LETTER,
  ]);
  expect(produced[1]?.headers).toEqual({
    [HEADERS.topic]: 'mqtt/a1',
    [HEADERS.deadLetterReason]: 'topic_authorization_failed',
    [HEADERS.intendedTopic]: 'uns.alarm',
  });
  expect(warnings()).toEqual([
    expect.objectContaining({ kafkaTopic: 'uns.alarm', reason: 'topic_authorization_failed' }),
  ]);
});

it('sends a refused topic’s next records straight to the dead letter, logging nothing more, and tries the topic again after the recheck interval', async () => {
  refuseTopic('uns.alarm', 'TOPIC_AUTHORIZATION_FAILED');
  await sink.send([record('uns.alarm', 'a1')]);
  kafka.attempts.length = 0;

  await sink.send([record('uns.alarm', 'a2'), record('uns.state', 's1')]);
  expect(kafka.attempts).toEqual([2]);
  expect(kafka.on(DEAD_LETTER)).toEqual(['a1:a1', 'a2:a2']);
  expect(warnings()).toHaveLength(1);

  kafka.refuse = () => undefined;
  now = RECHECK_MS;
  await sink.send([record('uns.alarm', 'a3')]);
  expect(kafka.on('uns.alarm')).toEqual(['a3:a3']);
  expect(logs.at(-1)).toMatchObject({
    kafkaTopic: 'uns.alarm',
    msg: 'Kafka takes the topic again',
  });
});

it('treats an unknown topic as refused only once the cluster’s metadata lacks it', async () => {
  const unknown = retriesExceeded(brokerError('UNKNOWN_TOPIC_OR_PARTITION', true));
  kafka.refuse = (r) => (r.topic === 'uns.alarm' ? unknown : undefined);

  await expect(sink.send([record('uns.alarm', 'a1')])).rejects.toBe(unknown);
  expect(kafka.on(DEAD_LETTER)).toEqual([]);

  kafka.topics.delete('uns.alarm');
  const [letter] = await sink.send([record('uns.alarm', 'a1')]);
  expect(letter?.headers[HEADERS.deadLetterReason]).toBe('unknown_topic_or_partition');
  expect(kafka.on(DEAD_LETTER)).toEqual(['a1:a1']);
});

it('halves a batch Kafka refuses as too large until only the refused record goes to the dead letter, keeping the order of the rest', async () => {
  kafka.refuse = (r) =>
    r.topic === 'uns.state' && r.value.toString() === 'big'
      ? brokerError('MESSAGE_TOO_LARGE')
      : undefined;
  const batch = ['s1', 's2', 's3', 's4', 'big', 's6', 's7'].map((v) =>
    record('uns.state', 'asset', v),
  );
  await sink.send(batch);

  expect(kafka.on('uns.state')).toEqual(
    ['s1', 's2', 's3', 's4', 's6', 's7'].map((v) => `asset:${v}`),
  );
  expect(kafka.on(DEAD_LETTER)).toEqual(['asset:big']);
  expect(kafka.taken.find((r) => r.topic === DEAD_LETTER)?.headers).toMatchObject({
    [HEADERS.deadLetterReason]: 'message_too_large',
    [HEADERS.intendedTopic]: 'uns.state',
  });

  kafka.attempts.length = 0;
  await sink.send([record('uns.state', 'asset', 's8')]);
  expect(kafka.attempts).toEqual([1]);
  expect(kafka.on('uns.state').at(-1)).toBe('asset:s8');
});

it('sends a record Kafka refuses as too large on its topic and on the dead letter to the dead letter without its value, holding up nothing', async () => {
  kafka.refuse = (r) => (r.value.length > 100 ? brokerError('MESSAGE_TOO_LARGE') : undefined);
  const big = record('uns.state', 'asset', 'x'.repeat(500));
  const unmapped = {
    ...record(DEAD_LETTER, 'plant/notes', 'y'.repeat(300)),
    headers: { [HEADERS.deadLetterReason]: 'unmapped' },
  };
  const batch = [
    record('uns.state', 'asset', 's1'),
    big,
    unmapped,
    record('uns.state', 'asset', 's3'),
  ];

  const produced = await sink.send(batch);

  expect(kafka.on('uns.state')).toEqual(['asset:s1', 'asset:s3']);
  expect(kafka.on(DEAD_LETTER).sort()).toEqual(['asset:', 'plant/notes:']);
  const letters = kafka.taken.filter((r) => r.topic === DEAD_LETTER);
  expect(letters.map((r) => r.headers)).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        [HEADERS.deadLetterReason]: 'message_too_large',
        [HEADERS.intendedTopic]: 'uns.state',
        [HEADERS.originalBytes]: '500',
      }),
      expect.objectContaining({
        [HEADERS.deadLetterReason]: 'message_too_large',
        [HEADERS.originalBytes]: '300',
      }),
    ]),
  );
  expect(produced.map((r) => `${r.topic}:${r.value.length}`)).toEqual([
    'uns.state:2',
    `${DEAD_LETTER}:0`,
    `${DEAD_LETTER}:0`,
    'uns.state:2',
  ]);
  expect(sink.deadLetterRejected).toBe(false);
  expect(warnings().filter((line) => line.kafkaTopic === DEAD_LETTER)).toHaveLength(1);
});

it('fails the batch as before when Kafka is away, dead-lettering nothing', async () => {
  const away = new KafkaJSConnectionError('Connection error: ECONNREFUSED');
  kafka.refuse = () => away;
  await expect(sink.send([record('uns.telemetry', 't1'), record('uns.alarm', 'a1')])).rejects.toBe(
    away,
  );
  expect(kafka.attempts).toEqual([2]);
});

it('fails the batch, says so and logs once while Kafka refuses the dead letter itself, until it takes it again', async () => {
  kafka.refuse = (r) =>
    r.topic === 'uns.alarm' || r.topic === DEAD_LETTER
      ? brokerError('TOPIC_AUTHORIZATION_FAILED')
      : undefined;
  const unmapped = {
    ...record(DEAD_LETTER, 'plant/notes'),
    headers: { [HEADERS.deadLetterReason]: 'unmapped' },
  };
  const batch = [record('uns.telemetry', 't1'), record('uns.alarm', 'a1'), unmapped];

  await expect(sink.send(batch)).rejects.toBeInstanceOf(DeadLetterRejectedError);
  await expect(sink.send(batch)).rejects.toThrow(
    'Kafka refuses the dead-letter topic uns.dead-letter (topic_authorization_failed)',
  );
  expect(sink.deadLetterRejected).toBe(true);
  expect(await deadLetterGauge()).toBe(1);
  expect(logs.filter((line) => line.level >= 50)).toHaveLength(1);

  kafka.refuse = (r) =>
    r.topic === 'uns.alarm' ? brokerError('TOPIC_AUTHORIZATION_FAILED') : undefined;
  await sink.send(batch);
  expect(sink.deadLetterRejected).toBe(false);
  expect(await deadLetterGauge()).toBe(0);
  expect(kafka.on(DEAD_LETTER).sort()).toEqual(['a1:a1', 'plant/notes:plant/notes']);
  expect(kafka.on('uns.telemetry')).toEqual(['t1:t1']);
});
