import { type ComponentProcess, waitUntil } from '@uns-mlops/test-services';
import type { BridgeConfig } from '../src/config/config';
import {
  bridgeConfig,
  get,
  metric,
  portOf,
  readTopics,
  runBridgeProcess,
  sleep,
  startBridge,
  testClient,
  usePlant,
} from './harness';
import { StreamPublisher, deliveryReport, type DeliveryReport } from './stream';

/**
 * Every test publishes a numbered QoS 1 stream while something fails, then reads Kafka from the
 * beginning with a fresh consumer: every message the broker acknowledged to the publisher must be
 * there at least once; duplicates are counted and reported, not failed.
 */
const plant = usePlant({ persistence: true });

/**
 * Waits until every acknowledged message of the stream but `expectedMissing` is in Kafka (at most
 * 90 s), and reports.
 */
async function delivered(
  stream: StreamPublisher,
  name: string,
  expectedMissing = 0,
): Promise<DeliveryReport> {
  const reader = await readTopics(plant.kafka.bootstrap, ['uns.telemetry']);
  try {
    await reader
      .waitFor(
        (records) => deliveryReport(stream.acknowledged, records).missing.length <= expectedMissing,
        90_000,
      )
      .catch(() => undefined);
    const report = deliveryReport(stream.acknowledged, reader.records);
    process.stdout.write(
      `${name}: ${stream.acknowledged.size} acknowledged, ${report.delivered} delivered, ` +
        `${report.missing.length} missing, ${report.duplicates} duplicates\n`,
    );
    return report;
  } finally {
    await reader.stop();
  }
}

const PRODUCED = 'uns_bridge_records_produced_total{kafka_topic="uns.telemetry"}';
const SPOOLED = 'uns_bridge_records_spooled_total{kafka_topic="uns.telemetry"}';

/** Waits until the bridge on `port` has counted `count` telemetry records at `sample`. */
async function counted(port: number, sample: string, count: number): Promise<void> {
  await waitUntil(
    async () => (await metric(port, sample)) >= count,
    60_000,
    `${sample} >= ${count}`,
  );
}

/** Waits until the broker has acknowledged `count` more messages of the stream. */
async function streamed(stream: StreamPublisher, count: number): Promise<void> {
  const target = stream.acknowledged.size + count;
  await waitUntil(
    () => stream.acknowledged.size >= target,
    60_000,
    `${count} more messages acknowledged`,
  );
}

describe('Kafka unreachable', () => {
  it('spools while Kafka is stopped for 30 s, turns unhealthy, then drains everything', async () => {
    const bridge = await startBridge(bridgeConfig(plant));
    const publisher = await testClient(plant.mqtt.url);
    const stream = new StreamPublisher(publisher, 'kafka-outage');
    try {
      stream.start(200);
      await counted(bridge.httpPort, PRODUCED, 200); // forwarding directly before the outage
      await plant.kafka.halt();
      const haltedAt = Date.now();
      await waitUntil(async () => (await get(bridge.httpPort, '/health')).status === 503, 20_000);
      expect(await metric(bridge.httpPort, 'uns_bridge_spooling')).toBe(1);
      await sleep(30_000 - (Date.now() - haltedAt)); // the outage under test lasts 30 s
      await plant.kafka.start();
      await streamed(stream, 400); // and the stream goes on after it
      await stream.stop();

      const report = await delivered(stream, 'Kafka stopped for 30 s');
      expect(report.missing).toEqual([]);
      expect(stream.acknowledged.size).toBeGreaterThan(6000);
      expect(
        await metric(
          bridge.httpPort,
          'uns_bridge_records_spooled_total{kafka_topic="uns.telemetry"}',
        ),
      ).toBeGreaterThan(4000);
      await waitUntil(async () => (await get(bridge.httpPort, '/health')).status === 200);
      expect(await metric(bridge.httpPort, 'uns_bridge_spooling')).toBe(0);
    } finally {
      await publisher.endAsync();
      await bridge.stop();
    }
  });
});

describe('bridge process killed', () => {
  it('loses nothing acknowledged when SIGKILLed mid-stream, forwarding or spooling', async () => {
    const config = bridgeConfig(plant);
    const publisher = await testClient(plant.mqtt.url);
    const stream = new StreamPublisher(publisher, 'sigkill');
    let bridge: ComponentProcess | undefined;
    try {
      bridge = await runBridgeProcess(config);
      stream.start(300);
      await counted(portOf(bridge), PRODUCED, 300);
      await bridge.stop('SIGKILL'); // while forwarding directly
      bridge = await runBridgeProcess(config);
      await counted(portOf(bridge), PRODUCED, 300);

      await plant.kafka.halt();
      await waitUntil(
        async () => (await metric(portOf(bridge!), 'uns_bridge_spool_records')) > 300,
        30_000,
      );
      await bridge.stop('SIGKILL'); // while spooling, Kafka down
      bridge = await runBridgeProcess(config);
      await counted(portOf(bridge), SPOOLED, 300);
      await plant.kafka.start();
      await streamed(stream, 600);
      await waitUntil(() => stream.acknowledged.size > 3000, 60_000, '3,000 messages streamed');
      await stream.stop();

      const report = await delivered(stream, 'bridge SIGKILLed twice');
      expect(report.missing).toEqual([]);
      expect(stream.acknowledged.size).toBeGreaterThan(3000);
    } finally {
      await publisher.endAsync();
      await bridge?.stop();
    }
  });
});

describe('MQTT broker restarted', () => {
  it('reconnects to its persistent session and forwards everything published around the restart', async () => {
    const bridge = await startBridge(bridgeConfig(plant));
    const publisher = await testClient(plant.mqtt.url);
    const stream = new StreamPublisher(publisher, 'broker-restart');
    try {
      stream.start(300);
      await counted(bridge.httpPort, PRODUCED, 300);
      await plant.mqtt.restart();
      await waitUntil(() => bridge.readiness().ok, 20_000);
      await streamed(stream, 600); // published around and after the restart
      await waitUntil(() => stream.acknowledged.size > 1000, 60_000, '1,000 messages streamed');
      await stream.stop();

      const report = await delivered(stream, 'MQTT broker restarted');
      expect(report.missing).toEqual([]);
      expect(stream.acknowledged.size).toBeGreaterThan(1000);
    } finally {
      await publisher.endAsync();
      await bridge.stop();
    }
  });
});

describe('spool full', () => {
  /**
   * A spool that holds a few hundred stream records, and a small MQTT receive window. No
   * heartbeats: the dropped counter counts every record of a dropped segment, and a heartbeat
   * among them would not be a missing stream message.
   */
  function smallSpool(policy: 'backpressure' | 'drop-oldest'): BridgeConfig {
    const config = bridgeConfig(plant);
    return {
      ...config,
      mqtt: { ...config.mqtt, receiveMaximum: 100 },
      kafka: { ...config.kafka, maxRecordBytes: 8192 },
      spool: { ...config.spool, maxBytes: 65_536, segmentBytes: 16_384, whenFull: policy },
      heartbeat: { ...config.heartbeat, intervalMs: 3_600_000 },
    };
  }

  async function fillWhileKafkaIsDown(config: BridgeConfig, name: string) {
    const bridge = await startBridge(config);
    const publisher = await testClient(plant.mqtt.url);
    const stream = new StreamPublisher(publisher, name);
    try {
      await plant.kafka.halt();
      stream.burst(2000);
      await waitUntil(async () => {
        const metrics = (await get(bridge.httpPort, '/metrics')).body;
        return (
          /uns_bridge_spool_full_held_total [1-9]/.test(metrics) ||
          /uns_bridge_messages_dropped_total\{reason="spool_full_dropped"\} [1-9]/.test(metrics)
        );
      }, 30_000);
      const spoolBytes = await metric(bridge.httpPort, 'uns_bridge_spool_bytes');
      expect(spoolBytes).toBeLessThanOrEqual(65_536);
      await plant.kafka.start();
      await stream.stop(60_000);
      await waitUntil(
        async () => (await metric(bridge.httpPort, 'uns_bridge_spooling')) === 0,
        60_000,
      );
      const dropped = await metric(
        bridge.httpPort,
        'uns_bridge_messages_dropped_total{reason="spool_full_dropped"}',
      );
      return {
        report: await delivered(stream, `spool full, ${config.spool.whenFull}`, dropped),
        acknowledged: stream.acknowledged.size,
        held: await metric(bridge.httpPort, 'uns_bridge_spool_full_held_total'),
        dropped,
      };
    } finally {
      await publisher.endAsync();
      await bridge.stop();
    }
  }

  it('holds messages unacknowledged (backpressure) and loses none', async () => {
    const outcome = await fillWhileKafkaIsDown(smallSpool('backpressure'), 'full-backpressure');
    expect(outcome.held).toBeGreaterThan(0);
    expect(outcome.dropped).toBe(0);
    expect(outcome.acknowledged).toBe(2000);
    expect(outcome.report.missing).toEqual([]);
  });

  it('drops its oldest segment (drop-oldest) and counts exactly the messages it lost', async () => {
    const outcome = await fillWhileKafkaIsDown(smallSpool('drop-oldest'), 'full-drop-oldest');
    expect(outcome.dropped).toBeGreaterThan(0);
    expect(outcome.acknowledged).toBe(2000);
    expect(outcome.report.missing).toHaveLength(outcome.dropped);
  });
});
