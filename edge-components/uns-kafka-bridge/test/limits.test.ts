/**
 * Payload and topic limits against a real Kafka and Mosquitto: any bytes within
 * `kafka.maxRecordBytes` reach Kafka unchanged; a message over it reaches the dead letter without
 * its payload, counted, and is not lost when the bridge dies before that dead letter is durable; a
 * record Kafka refuses as too large although within the limit holds up nothing. Each test
 * publishes a numbered QoS 1 stream around the hostile messages: every message the broker
 * acknowledged must arrive.
 */
import { randomBytes } from 'node:crypto';
import { type ComponentProcess, waitUntil } from '@uns-mlops/test-services';
import { HEADERS, RECORD_TOO_LARGE } from '../src/bridge/intake';
import type { BridgeConfig } from '../src/config/config';
import type { BridgeService } from '../src/service/bridge-service';
import {
  ASSET,
  bridgeConfig,
  type ConsumedRecord,
  get,
  metric,
  portOf,
  readTopics,
  runBridgeProcess,
  startBridge,
  testClient,
  usePlant,
} from './harness';
import { StreamPublisher, deliveryReport } from './stream';

const plant = usePlant();
const DEAD_LETTER = 'uns.dead-letter';
const TOPICS = ['uns.state', 'uns.telemetry', DEAD_LETTER];
/** A topic of the MQTT maximum, 65,535 bytes, that starts as `prefix`. */
const longTopic = (prefix: string) => prefix + 'x'.repeat(65_535 - prefix.length);

/** Dead letters of `reason`. */
const letters = (records: readonly ConsumedRecord[], reason: string) =>
  records.filter((r) => r.topic === DEAD_LETTER && r.headers[HEADERS.deadLetterReason] === reason);

/**
 * Starts a bridge and a stream of 200 messages a second, runs `hostile` (which publishes and awaits
 * its PUBACKs) and stops the stream; then waits until every acknowledged stream message and what
 * `arrived` expects are in Kafka, and checks the bridge is healthy with nothing left in its spool.
 */
async function aroundStream(
  name: string,
  config: BridgeConfig,
  hostile: (publish: (topic: string, payload: Buffer) => Promise<void>) => Promise<void>,
  arrived: (records: readonly ConsumedRecord[]) => boolean,
): Promise<{ bridge: BridgeService; records: readonly ConsumedRecord[] }> {
  const reader = await readTopics(plant.kafka.bootstrap, TOPICS);
  const bridge = await startBridge(config);
  const publisher = await testClient(plant.mqtt.url);
  const stream = new StreamPublisher(publisher, name);
  try {
    stream.start(200);
    await waitUntil(() => stream.acknowledged.size >= 100);
    await hostile(async (topic, payload) => {
      await publisher.publishAsync(topic, payload, { qos: 1 });
    });
    await waitUntil(() => stream.acknowledged.size >= 400);
    await stream.stop();
    await reader.waitFor(
      (records) =>
        deliveryReport(stream.acknowledged, records).missing.length === 0 && arrived(records),
      60_000,
    );
    await waitUntil(async () => (await metric(bridge.httpPort, 'uns_bridge_spool_records')) === 0);
    expect((await get(bridge.httpPort, '/health')).status).toBe(200);
    expect(await metric(bridge.httpPort, 'uns_bridge_dead_letter_rejected')).toBe(0);
    return { bridge, records: [...reader.records] };
  } catch (error) {
    await bridge.stop();
    throw error;
  } finally {
    await publisher.endAsync();
    await reader.stop();
  }
}

it('forwards empty, random, broken-UTF-8 payloads, one just within kafka.maxRecordBytes and 65,535-byte topics byte for byte', async () => {
  const config = bridgeConfig(plant);
  const messages: [string, Buffer][] = [
    [`${ASSET}/state`, Buffer.alloc(0)],
    [`${ASSET}/state`, randomBytes(4096)],
    [`${ASSET}/state`, Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x7d])],
    [`${ASSET}/state`, randomBytes(config.kafka.maxRecordBytes - 1024)],
    [longTopic(`${ASSET}/telemetry/`), Buffer.from('{"long":"telemetry"}')],
    [longTopic('plant/notes/'), Buffer.from('{"long":"unmapped"}')],
  ];
  const arrivedAsSent = (records: readonly ConsumedRecord[]) =>
    messages.every(([topic, payload]) =>
      records.some((r) => r.headers[HEADERS.topic] === topic && r.value.equals(payload)),
    );
  const { bridge } = await aroundStream(
    'within-limits',
    config,
    async (publish) => {
      for (const [topic, payload] of messages) await publish(topic, payload);
    },
    arrivedAsSent,
  );
  await bridge.stop();
});

it('dead-letters 2 MB and 16 MB messages at intake without their payload, with the reason, their size and topic, counted, holding up none of the stream', async () => {
  const config = bridgeConfig(plant);
  const oversized: [string, number][] = [
    [`${ASSET}/state`, 2_000_000],
    [`${ASSET}/telemetry/arc_current`, 16 * 1024 ** 2],
    ['plant/notes/oversized', 2_000_000],
  ];
  const { bridge, records } = await aroundStream(
    'oversized',
    config,
    async (publish) => {
      for (const [topic, bytes] of oversized) await publish(topic, randomBytes(bytes));
    },
    (all) => letters(all, RECORD_TOO_LARGE).length >= oversized.length,
  );
  try {
    const tooLarge = letters(records, RECORD_TOO_LARGE);
    expect(
      tooLarge.map((r) => ({
        topic: r.headers[HEADERS.topic],
        bytes: r.headers[HEADERS.originalBytes],
        intended: r.headers[HEADERS.intendedTopic],
        value: r.value.length,
      })),
    ).toEqual(
      expect.arrayContaining([
        { topic: `${ASSET}/state`, bytes: '2000000', intended: 'uns.state', value: 0 },
        {
          topic: `${ASSET}/telemetry/arc_current`,
          bytes: String(16 * 1024 ** 2),
          intended: 'uns.telemetry',
          value: 0,
        },
        { topic: 'plant/notes/oversized', bytes: '2000000', intended: undefined, value: 0 },
      ]),
    );
    expect(tooLarge).toHaveLength(oversized.length);
    expect(
      await metric(bridge.httpPort, `uns_bridge_dead_lettered_total{reason="${RECORD_TOO_LARGE}"}`),
    ).toBe(oversized.length);
  } finally {
    await bridge.stop();
  }
});

it('sends a record within kafka.maxRecordBytes that Kafka refuses as too large, on the dead letter too, to the dead letter without its value, holding up nothing', async () => {
  const defaults = bridgeConfig(plant);
  const config = { ...defaults, kafka: { ...defaults.kafka, maxRecordBytes: 4_000_000 } };
  const { bridge, records } = await aroundStream(
    'refused-by-kafka',
    config,
    async (publish) => {
      await publish(`${ASSET}/state`, randomBytes(1_500_000));
    },
    (all) => letters(all, 'message_too_large').length >= 1,
  );
  try {
    expect(
      letters(records, 'message_too_large').map((r) => ({
        topic: r.headers[HEADERS.topic],
        bytes: r.headers[HEADERS.originalBytes],
        intended: r.headers[HEADERS.intendedTopic],
        value: r.value.length,
      })),
    ).toEqual([{ topic: `${ASSET}/state`, bytes: '1500000', intended: 'uns.state', value: 0 }]);
    expect(
      await metric(bridge.httpPort, 'uns_bridge_dead_lettered_total{reason="message_too_large"}'),
    ).toBe(1);
  } finally {
    await bridge.stop();
  }
});

it('loses no oversized message the broker acknowledged when the bridge is SIGKILLed while Kafka is away: each reaches the dead letter once both are back', async () => {
  const config = bridgeConfig(plant);
  const publisher = await testClient(plant.mqtt.url);
  const stream = new StreamPublisher(publisher, 'oversized-sigkill');
  /** Payload sizes of the oversized messages the broker acknowledged. */
  const acknowledged: string[] = [];
  const publishOversized = async (count: number) => {
    for (let n = 0; n < count; n += 1) {
      const bytes = 2_000_000 + acknowledged.length;
      await publisher.publishAsync(`${ASSET}/state`, randomBytes(bytes), { qos: 1 });
      acknowledged.push(String(bytes));
    }
  };
  const spooledLetters = (bridge: ComponentProcess) =>
    metric(portOf(bridge), `uns_bridge_records_spooled_total{kafka_topic="${DEAD_LETTER}"}`);
  let bridge: ComponentProcess | undefined;
  try {
    bridge = await runBridgeProcess(config);
    await plant.kafka.halt();
    stream.start(200);
    await publishOversized(3);
    await waitUntil(async () => (await spooledLetters(bridge!)) >= 1, 30_000);
    await publishOversized(3);
    await bridge.stop('SIGKILL'); // some dead letters spooled, the last ones maybe not yet
    await publishOversized(3);
    bridge = await runBridgeProcess(config);
    await plant.kafka.start();
    await waitUntil(() => stream.acknowledged.size >= 1000, 60_000);
    await stream.stop();

    const reader = await readTopics(plant.kafka.bootstrap, TOPICS);
    try {
      const arrived = (records: readonly ConsumedRecord[]) =>
        new Set(
          letters(records, RECORD_TOO_LARGE)
            .filter((r) => r.value.length === 0)
            .map((r) => r.headers[HEADERS.originalBytes]),
        );
      await reader.waitFor(
        (records) =>
          deliveryReport(stream.acknowledged, records).missing.length === 0 &&
          acknowledged.every((bytes) => arrived(records).has(bytes)),
        90_000,
      );
      expect(deliveryReport(stream.acknowledged, reader.records).missing).toEqual([]);
      expect(acknowledged.filter((bytes) => !arrived(reader.records).has(bytes))).toEqual([]);
    } finally {
      await reader.stop();
    }
  } finally {
    await publisher.endAsync();
    await bridge?.stop();
  }
});
