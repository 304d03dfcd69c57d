import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ComponentProcess,
  runComponent,
  startKafka,
  startMosquitto,
  type KafkaBroker,
  type KafkaOptions,
  type MosquittoBroker,
  type MosquittoOptions,
  waitUntil,
} from '@uns-mlops/test-services';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { connectAsync, type MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG, type BridgeConfig } from '../src/config/config';
import { BridgeService } from '../src/service/bridge-service';

export const COMPONENT = join(__dirname, '..');
export const CONTRACT = join(COMPONENT, '..', '..', 'asyncapi', 'uns-welding.asyncapi.yaml');
export const ASSET = 'acme/zwickau/body-shop/body-weld-1/cell-1/welder-1';
/** `info.version` of the contract, read the way any consumer would. */
export const CONTRACT_VERSION = (
  parseYaml(readFileSync(CONTRACT, 'utf8')) as { info: { version: string } }
).info.version;

/** The real services of a test file: a Kafka broker and a Mosquitto broker. */
export interface Plant {
  kafka: KafkaBroker;
  mqtt: MosquittoBroker;
}

/** What a failed start left running. */
type PartialPlant = Partial<Plant>;

/** Starts Kafka and Mosquitto before the file's tests and stops them after. */
export function usePlant(mosquitto: MosquittoOptions = {}, kafkaOptions: KafkaOptions = {}): Plant {
  const plant: PartialPlant = {};
  beforeAll(async () => {
    const [kafka, mqtt] = await Promise.allSettled([
      startKafka(kafkaOptions),
      startMosquitto(mosquitto),
    ]);
    if (kafka.status === 'fulfilled') plant.kafka = kafka.value;
    if (mqtt.status === 'fulfilled') plant.mqtt = mqtt.value;
    if (kafka.status === 'rejected') throw kafka.reason;
    if (mqtt.status === 'rejected') throw mqtt.reason;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([plant.kafka?.stop(), plant.mqtt?.stop()]);
  });
  return plant as Plant;
}

let clients = 0;

/** A bridge configuration against the plant: own client id and spool, quick timeouts. */
export function bridgeConfig(plant: Plant, overrides: Partial<BridgeConfig> = {}): BridgeConfig {
  clients += 1;
  const id = `bridge-${process.pid}-${clients}`;
  return {
    ...DEFAULT_CONFIG,
    mqtt: { ...DEFAULT_CONFIG.mqtt, url: plant.mqtt.url, clientId: id, reconnectPeriodMs: 200 },
    kafka: {
      ...DEFAULT_CONFIG.kafka,
      brokers: [plant.kafka.bootstrap],
      clientId: id,
      ackTimeoutMs: 3000,
      retryBackoffMs: 250,
    },
    contract: CONTRACT,
    spool: { ...DEFAULT_CONFIG.spool, dir: mkdtempSync(join(tmpdir(), 'spool-')) },
    heartbeat: { topic: `heartbeat-${id}`, intervalMs: 1000 },
    health: { stallAfterMs: 3000 },
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    ...overrides,
  };
}

/** Starts a bridge in this process and waits until it is subscribed. */
export async function startBridge(
  config: BridgeConfig,
  logger: Logger = pino({ level: process.env.BRIDGE_TEST_LOG ?? 'silent' }),
): Promise<BridgeService> {
  const service = await BridgeService.start(config, logger);
  await waitUntil(() => service.readiness().ok, 20_000);
  return service;
}

/**
 * Runs the bridge as `node --import tsx src/main.ts` (one process, so SIGKILL hits the bridge
 * itself), configured through UNS_BRIDGE_CONFIG_JSON; resolves once it is ready.
 */
export function runBridgeProcess(config: BridgeConfig): Promise<ComponentProcess> {
  return runComponent({
    name: 'uns-kafka-bridge',
    command: process.execPath,
    args: ['--import', 'tsx', join(COMPONENT, 'src', 'main.ts')],
    cwd: COMPONENT,
    env: {
      ...process.env,
      UNS_BRIDGE_CONFIG_JSON: JSON.stringify({ ...config, logLevel: 'info' }),
    },
  });
}

/** The port of the HTTP server of a bridge run by {@link runBridgeProcess}. */
export const portOf = (bridge: ComponentProcess) => Number(new URL(bridge.http).port);

/** GETs an endpoint of a bridge's HTTP server. */
export async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** Reads one sample of a metric (name with its labels, if any) from a bridge's /metrics; 0 if absent. */
export async function metric(port: number, name: string): Promise<number> {
  const { body } = await get(port, '/metrics');
  const line = body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** An MQTT client for the test to publish with. */
export async function testClient(url: string): Promise<MqttClient> {
  return connectAsync(url, {
    clientId: `test-${Math.random().toString(16).slice(2)}`,
    protocolVersion: 5,
    reconnectPeriod: 200,
  });
}

/** One record as a consumer read it. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reads topics from their beginning into `records`, in partition order. */
export interface TopicReader {
  readonly records: ConsumedRecord[];
  /** Resolves once `condition` holds for the records read, or rejects after the timeout. */
  waitFor(condition: (records: ConsumedRecord[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a consumer (own group) of the topics, from the beginning. */
export async function readTopics(bootstrap: string, topics: string[]): Promise<TopicReader> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({
    groupId: `reader-${Math.random().toString(16).slice(2)}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const records: ConsumedRecord[] = [];
  await consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: headerStrings(message.headers),
      });
      return Promise.resolve();
    },
  });
  return {
    records,
    waitFor: (condition, timeoutMs = 30_000) => waitUntil(() => condition(records), timeoutMs),
    stop: () => consumer.disconnect(),
  };
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
