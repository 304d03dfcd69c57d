import { randomBytes } from 'node:crypto';
import { waitUntil } from '@uns-mlops/test-services';
import { type ITopicConfig, Kafka, logLevel } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { HEADERS } from '../src/bridge/intake';
import { DEFAULT_CONFIG } from '../src/config/config';
import {
  ASSET,
  bridgeConfig,
  type ConsumedRecord,
  get,
  metric,
  readTopics,
  startBridge,
  testClient,
  usePlant,
} from './harness';
import { StreamPublisher, deliveryReport, recordId } from './stream';

/**
 * The dead letter against a real Kafka that, like MSK, creates no topic on first use: each test
 * publishes what Kafka refuses among what it takes, then checks every acknowledged message (where
 * it arrived, in what order, with which headers) and what the bridge counted and logged.
 */
const plant = usePlant({}, { autoCreateTopics: false });
const DEAD_LETTER = DEFAULT_CONFIG.mapping.fallbackTopic;

function admin() {
  return new Kafka({ brokers: [plant.kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
}

async function createTopics(topics: ITopicConfig[]): Promise<void> {
  const client = admin();
  await client.connect();
  try {
    await client.createTopics({ topics, waitForLeaders: true });
  } finally {
    await client.disconnect();
  }
}

async function topicNames(): Promise<string[]> {
  const client = admin();
  await client.connect();
  try {
    return await client.listTopics();
  } finally {
    await client.disconnect();
  }
}

interface LogLine {
  level: number;
  msg: string;
  kafkaTopic?: string;
  reason?: string;
}

/** A logger keeping its lines (warn and above, and the bridge's info about topics). */
function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

/** Records of `topic` whose dead-letter reason is `reason` (any, when not given). */
function on(records: readonly ConsumedRecord[], topic: string, reason?: string): ConsumedRecord[] {
  return records.filter(
    (r) =>
      r.topic === topic && (reason === undefined || r.headers[HEADERS.deadLetterReason] === reason),
  );
}

/** The stream's sequence numbers per key, first copies only, in the order Kafka holds them. */
function firstCopiesOutOfOrder(records: readonly ConsumedRecord[], stream: string): string[] {
  const seen = new Set<string>();
  const lastByKey = new Map<string, number>();
  const outOfOrder: string[] = [];
  for (const record of records) {
    const id = recordId(record);
    if (id?.startsWith(`${stream}:`) !== true || seen.has(id)) continue;
    seen.add(id);
    const seq = Number(id.slice(stream.length + 1));
    if (seq < (lastByKey.get(record.key) ?? -1)) outOfOrder.push(`${record.key}: ${seq}`);
    lastByKey.set(record.key, seq);
  }
  return outOfOrder;
}

it('sends unmapped messages and the records of a topic Kafka lacks to the dead letter, counted and logged once, while every acknowledged message of the other topics arrives in order', async () => {
  const config = bridgeConfig(plant);
  const reader = await readTopics(plant.kafka.bootstrap, [
    'uns.telemetry',
    DEAD_LETTER,
    config.heartbeat.topic,
  ]);
  const { logger, lines } = capturedLogger();
  const bridge = await startBridge(config, logger);
  const publisher = await testClient(plant.mqtt.url);
  const stream = new StreamPublisher(publisher, 'beside-dead-letters');
  try {
    stream.start(300);
    for (let n = 0; n < 20; n += 1) {
      await publisher.publishAsync(`${ASSET}/alarm`, JSON.stringify({ alarm: n }), { qos: 1 });
      await publisher.publishAsync(`plant/notes/${n}`, JSON.stringify({ note: n }), { qos: 1 });
    }
    await waitUntil(() => stream.published >= 600);
    await stream.stop();

    await reader.waitFor(
      (records) =>
        deliveryReport(stream.acknowledged, records).missing.length === 0 &&
        on(records, DEAD_LETTER).length >= 40,
    );
    expect(firstCopiesOutOfOrder(reader.records, 'beside-dead-letters')).toEqual([]);

    const alarms = on(reader.records, DEAD_LETTER, 'unknown_topic_or_partition');
    expect(alarms.map((r) => JSON.parse(r.value.toString()))).toEqual(
      [...Array(20).keys()].map((alarm) => ({ alarm })),
    );
    expect(alarms[0]).toMatchObject({
      key: ASSET,
      headers: { [HEADERS.topic]: `${ASSET}/alarm`, [HEADERS.intendedTopic]: 'uns.alarm' },
    });
    const notes = on(reader.records, DEAD_LETTER, 'unmapped');
    expect(notes.map((r) => r.key).sort()).toEqual(
      [...Array(20).keys()].map((n) => `plant/notes/${n}`).sort(),
    );
    expect(notes.every((r) => r.headers[HEADERS.intendedTopic] === undefined)).toBe(true);

    const counted = (reason: string) =>
      metric(bridge.httpPort, `uns_bridge_dead_lettered_total{reason="${reason}"}`);
    expect(await counted('unknown_topic_or_partition')).toBe(20);
    expect(await counted('unmapped')).toBe(20);
    expect(lines.filter((line) => line.level >= 40)).toEqual([
      expect.objectContaining({ kafkaTopic: 'uns.alarm', reason: 'unknown_topic_or_partition' }),
    ]);
    expect(await topicNames()).not.toContain('uns.alarm');
    expect((await get(bridge.httpPort, '/health')).status).toBe(200);
  } finally {
    await publisher.endAsync();
    await bridge.stop();
    await reader.stop();
  }
});

it('sends only the record over its topic’s size limit to the dead letter, and its neighbours to the topic in order', async () => {
  await createTopics([
    { topic: 'uns.state', configEntries: [{ name: 'max.message.bytes', value: '4096' }] },
  ]);
  const config = bridgeConfig(plant);
  const reader = await readTopics(plant.kafka.bootstrap, [
    'uns.state',
    DEAD_LETTER,
    config.heartbeat.topic,
  ]);
  const bridge = await startBridge(config);
  const publisher = await testClient(plant.mqtt.url);
  const large = randomBytes(6000);
  try {
    const payloads = [...Array(10).keys()].map((n) =>
      n === 4 ? large : JSON.stringify({ state: n }),
    );
    await Promise.all(
      payloads.map((payload) => publisher.publishAsync(`${ASSET}/state`, payload, { qos: 1 })),
    );

    await reader.waitFor(
      (records) =>
        on(records, 'uns.state').length >= 9 &&
        on(records, DEAD_LETTER, 'message_too_large').length >= 1,
    );
    expect(on(reader.records, 'uns.state').map((r) => r.value.toString())).toEqual(
      [0, 1, 2, 3, 5, 6, 7, 8, 9].map((state) => JSON.stringify({ state })),
    );
    const [letter] = on(reader.records, DEAD_LETTER, 'message_too_large');
    expect(letter?.value.equals(large)).toBe(true);
    expect(letter?.headers[HEADERS.intendedTopic]).toBe('uns.state');
    expect(
      await metric(bridge.httpPort, 'uns_bridge_dead_lettered_total{reason="message_too_large"}'),
    ).toBe(1);
  } finally {
    await publisher.endAsync();
    await bridge.stop();
    await reader.stop();
  }
});

it('keeps every acknowledged message while Kafka refuses the dead-letter topic, says so, and delivers all of them once the topic exists', async () => {
  const lateDeadLetter = 'uns.dead-letter-late';
  const config = bridgeConfig(plant, {
    mapping: { ...DEFAULT_CONFIG.mapping, fallbackTopic: lateDeadLetter },
  });
  await createTopics([{ topic: 'uns.telemetry' }, { topic: config.heartbeat.topic }]);
  const { logger, lines } = capturedLogger();
  const bridge = await startBridge(config, logger);
  const publisher = await testClient(plant.mqtt.url);
  const stream = new StreamPublisher(publisher, 'dead-letter-refused');
  try {
    stream.start(200);
    for (let n = 0; n < 10; n += 1)
      await publisher.publishAsync(`plant/notes/${n}`, JSON.stringify({ note: n }), { qos: 1 });
    await waitUntil(async () => (await get(bridge.httpPort, '/health')).status === 503, 30_000);
    const health = JSON.parse((await get(bridge.httpPort, '/health')).body) as {
      checks: Record<string, unknown>;
    };
    expect(health.checks).toMatchObject({ deadLetterRejected: true, spooling: true });
    expect(await metric(bridge.httpPort, 'uns_bridge_dead_letter_rejected')).toBe(1);
    await waitUntil(() => stream.published >= 1000, 30_000);

    await createTopics([{ topic: lateDeadLetter }]);
    await stream.stop();
    const reader = await readTopics(plant.kafka.bootstrap, ['uns.telemetry', lateDeadLetter]);
    try {
      await reader.waitFor(
        (records) =>
          deliveryReport(stream.acknowledged, records).missing.length === 0 &&
          on(records, lateDeadLetter, 'unmapped').length >= 10,
        90_000,
      );
    } finally {
      await reader.stop();
    }
    expect(stream.acknowledged.size).toBeGreaterThanOrEqual(1000);
    await waitUntil(async () => (await get(bridge.httpPort, '/health')).status === 200, 30_000);
    expect(await metric(bridge.httpPort, 'uns_bridge_dead_letter_rejected')).toBe(0);
    expect(lines.filter((line) => line.level >= 50)).toEqual([
      expect.objectContaining({ kafkaTopic: lateDeadLetter, reason: 'unknown_topic_or_partition' }),
    ]);
  } finally {
    await publisher.endAsync();
    await bridge.stop();
  }
});
