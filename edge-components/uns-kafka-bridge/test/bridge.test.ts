import { waitUntil } from '@uns-mlops/test-services';
import type { MqttClient } from 'mqtt';
import { HEADERS } from '../src/bridge/intake';
import type { BridgeConfig } from '../src/config/config';
import type { BridgeService } from '../src/service/bridge-service';
import {
  ASSET,
  CONTRACT_VERSION,
  bridgeConfig,
  get,
  readTopics,
  startBridge,
  testClient,
  usePlant,
  type TopicReader,
} from './harness';
import { StreamPublisher, deliveryReport, recordId } from './stream';

const plant = usePlant();
const DATA_TOPICS = [
  'uns.telemetry',
  'uns.state',
  'uns.alarm',
  'uns.inspection',
  'uns.ml',
  'uns.validation',
  'uns.sparkplug',
  'uns.dead-letter',
];

describe('the bridge against Kafka and Mosquitto', () => {
  let config: BridgeConfig;
  let bridge: BridgeService;
  let publisher: MqttClient;
  let reader: TopicReader;

  beforeAll(async () => {
    const defaults = bridgeConfig(plant);
    config = { ...defaults, heartbeat: { ...defaults.heartbeat, site: 'zwickau' } };
    reader = await readTopics(plant.kafka.bootstrap, [...DATA_TOPICS, config.heartbeat.topic]);
    bridge = await startBridge(config);
    publisher = await testClient(plant.mqtt.url);
  });

  afterAll(async () => {
    await publisher.endAsync();
    await bridge.stop();
    await reader.stop();
  });

  it('maps each data class of the contract to its Kafka topic, keyed by the asset path, and the rest to the dead letter', async () => {
    const sparkplug = Buffer.from([0x08, 0x96, 0x01, 0x12, 0x00, 0xff, 0x00, 0x80]);
    const messages: [string, Buffer | string, string, string][] = [
      [`${ASSET}/telemetry/arc_current`, '{"case":"telemetry"}', 'uns.telemetry', ASSET],
      [`${ASSET}/state`, '{"case":"state"}', 'uns.state', ASSET],
      [`${ASSET}/alarm`, '{"case":"alarm"}', 'uns.alarm', ASSET],
      [`${ASSET}/inspection`, '{"case":"inspection"}', 'uns.inspection', ASSET],
      [`${ASSET}/_ml/weld-anomaly`, '{"case":"ml"}', 'uns.ml', ASSET],
      ['acme/zwickau/_validation', '{"case":"validation"}', 'uns.validation', 'acme/zwickau'],
      [
        'acme/zwickau/_validation/violations',
        '{"case":"violation"}',
        'uns.validation',
        'acme/zwickau',
      ],
      [
        'acme/zwickau/_validation/contracts',
        '{"case":"contracts"}',
        'uns.validation',
        'acme/zwickau',
      ],
      ['acme/zwickau/_ml/weld-anomaly/status', '{"case":"status"}', 'uns.ml', 'acme/zwickau'],
      [`_quarantine/${ASSET}/state`, '{"case":"quarantine"}', 'uns.validation', 'acme/zwickau'],
      ['spBv1.0/welding/DDATA/edge-1/welder-1', sparkplug, 'uns.sparkplug', 'welding/edge-1'],
      ['spBv1.0/welding/NBIRTH/edge-1', sparkplug, 'uns.sparkplug', 'welding/edge-1'],
      ['spBv1.0/STATE/scada-1', '{"online":true}', 'uns.sparkplug', 'STATE/scada-1'],
      ['plant/notes/free-form', '{"case":"other"}', 'uns.dead-letter', 'plant/notes/free-form'],
    ];
    for (const [topic, payload] of messages)
      await publisher.publishAsync(topic, payload, { qos: 1 });

    await reader.waitFor((records) =>
      messages.every(([topic]) => records.some((r) => r.headers[HEADERS.topic] === topic)),
    );
    for (const [topic, payload, kafkaTopic, key] of messages) {
      const record = reader.records.find((r) => r.headers[HEADERS.topic] === topic)!;
      expect({ topic: record.topic, key: record.key }).toEqual({ topic: kafkaTopic, key });
      expect(record.value.equals(Buffer.from(payload))).toBe(true);
      expect(record.headers[HEADERS.deadLetterReason]).toBe(
        kafkaTopic === 'uns.dead-letter' ? 'unmapped' : undefined,
      );
    }
  });

  it('acknowledges the validator’s mirror of valid messages without forwarding it, counted as excluded', async () => {
    await publisher.publishAsync(`_validated/${ASSET}/state`, '{"case":"mirror"}', { qos: 1 });
    await waitUntil(async () =>
      (await get(bridge.httpPort, '/metrics')).body.includes(
        'uns_bridge_messages_dropped_total{reason="excluded"} 1',
      ),
    );
    expect(reader.records.some((r) => r.value.toString() === '{"case":"mirror"}')).toBe(false);
  });

  it('puts the original topic, receive time, contract version and a message id in the headers', async () => {
    const before = Date.now();
    const topic = `${ASSET}/state`;
    await publisher.publishAsync(topic, '{"case":"headers"}', { qos: 1 });
    await reader.waitFor((records) =>
      records.some((r) => r.value.toString() === '{"case":"headers"}'),
    );
    const record = reader.records.find((r) => r.value.toString() === '{"case":"headers"}')!;

    expect(record.headers[HEADERS.topic]).toBe(topic);
    expect(record.headers[HEADERS.contractVersion]).toBe(CONTRACT_VERSION);
    const receivedAt = Date.parse(record.headers[HEADERS.receivedAt]!);
    expect(receivedAt).toBeGreaterThanOrEqual(before - 1);
    expect(receivedAt).toBeLessThanOrEqual(Date.now());
    expect(record.headers[HEADERS.messageId]).toMatch(/^[0-9a-f]{12}-\d+$/);
    const ids = reader.records.map((r) => r.headers[HEADERS.messageId]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the order of each asset: a key’s records come in publish order', async () => {
    const stream = new StreamPublisher(publisher, 'order', 8);
    stream.burst(4000);
    await stream.stop();
    await reader.waitFor(
      (records) => deliveryReport(stream.acknowledged, records).missing.length === 0,
    );

    const lastSeqByKey = new Map<string, number>();
    const outOfOrder: string[] = [];
    for (const record of reader.records) {
      const id = recordId(record);
      if (id?.startsWith('order:') !== true) continue;
      const seq = Number(id.slice('order:'.length));
      if (seq < (lastSeqByKey.get(record.key) ?? -1)) outOfOrder.push(`${record.key}: ${seq}`);
      lastSeqByKey.set(record.key, seq);
    }
    expect(lastSeqByKey.size).toBe(8);
    expect(outOfOrder).toEqual([]);
    expect(deliveryReport(stream.acknowledged, reader.records)).toMatchObject({
      missing: [],
      duplicates: 0,
    });
  });

  it('sends heartbeat records with the configured site and the delivery counts per topic', async () => {
    await reader.waitFor((records) =>
      records.some(
        (r) =>
          r.topic === config.heartbeat.topic &&
          (JSON.parse(r.value.toString()) as { counts: Record<string, unknown> }).counts[
            'uns.telemetry'
          ] !== undefined,
      ),
    );
    const heartbeat = reader.records.filter((r) => r.topic === config.heartbeat.topic).at(-1)!;
    expect(heartbeat.key).toBe(config.mqtt.clientId);
    expect(JSON.parse(heartbeat.value.toString())).toMatchObject({
      bridge: config.mqtt.clientId,
      site: 'zwickau',
      spooling: false,
      contractVersion: CONTRACT_VERSION,
      counts: { 'uns.telemetry': { received: expect.any(Number), produced: expect.any(Number) } },
    });
  });

  it('counts received and produced records per Kafka topic in its metrics', async () => {
    const { status, body } = await get(bridge.httpPort, '/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/uns_bridge_records_received_total\{kafka_topic="uns.state"\} [1-9]/);
    expect(body).toMatch(/uns_bridge_records_produced_total\{kafka_topic="uns.state"\} [1-9]/);
    expect(body).toContain('uns_bridge_spooling 0');
  });

  it('reports healthy and ready while Kafka takes every message', async () => {
    expect((await get(bridge.httpPort, '/health')).status).toBe(200);
    expect((await get(bridge.httpPort, '/ready')).status).toBe(200);
    expect((await get(bridge.httpPort, '/nothing')).status).toBe(404);
  });
});
