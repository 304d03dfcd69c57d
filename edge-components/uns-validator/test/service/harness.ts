import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto, waitUntil, type MosquittoBroker } from '@uns-mlops/test-services';
import { connectAsync, type MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { DEFAULT_CONFIG, type ValidatorConfig } from '../../src/service/config';
import { isValidationTopic } from '../../src/service/validation-topics';
import { ValidatorService, type VerdictEvent } from '../../src/service/validator-service';
import { CONTRACT_DIR } from '../fixtures/paths';

/** A copy of the repository's contracts in a directory of the test's own (reload tests edit it). */
export function contractCopy(): string {
  const directory = mkdtempSync(join(tmpdir(), 'contracts-'));
  cpSync(CONTRACT_DIR, directory, { recursive: true, filter: (path) => !path.endsWith('.md') });
  return directory;
}

/** Configuration pointing at a test broker; everything else as small and fast as a test wants. */
export function testConfig(
  brokerUrl: string,
  overrides: Partial<ValidatorConfig> = {},
): ValidatorConfig {
  return {
    ...DEFAULT_CONFIG,
    broker: {
      ...DEFAULT_CONFIG.broker,
      url: brokerUrl,
      clientId: `validator-${process.pid}-${Date.now()}`,
      reconnectPeriodMs: 200,
    },
    contracts: { paths: [contractCopy()], strict: false },
    store: { ...DEFAULT_CONFIG.store, flushIntervalMs: 200 },
    summaries: { ...DEFAULT_CONFIG.summaries, intervalMs: 1000 },
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent' as ValidatorConfig['logLevel'],
    ...overrides,
  };
}

/** A started validator and the verdicts it has reached, in arrival order. */
export interface RunningValidator {
  readonly service: ValidatorService;
  /**
   * Verdicts on what the test published, in arrival order. The validator judges its own
   * publications too (summaries once a second here, whenever it judged something; violation
   * samples; its contracts in force): those are left out, or one could arrive among the verdicts
   * a test counts.
   */
  readonly verdicts: VerdictEvent[];
  /** Resolves once `count` verdicts have arrived in total. */
  waitForVerdicts(count: number, timeoutMs?: number): Promise<VerdictEvent[]>;
  /** GETs an HTTP endpoint of the validator. */
  get(path: string): Promise<{ status: number; body: string }>;
}

/** A logger whose entries a test reads back, parsed, in order. */
export function recordingLogger(): { logger: Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => entries.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, entries };
}

export async function startValidator(
  config: ValidatorConfig,
  logger: Logger = pino({ level: 'silent' }),
): Promise<RunningValidator> {
  const service = await ValidatorService.start(config, logger);
  const verdicts: VerdictEvent[] = [];
  service.on('verdict', (event) => {
    if (!isValidationTopic(event.verdict.topic)) verdicts.push(event);
  });
  try {
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${service.httpPort}/ready`)).ok);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return {
    service,
    verdicts,
    waitForVerdicts: async (count, timeoutMs = 15_000) => {
      await waitUntil(() => verdicts.length >= count, timeoutMs);
      return verdicts;
    },
    get: async (path) => {
      const response = await fetch(`http://127.0.0.1:${service.httpPort}${path}`);
      return { status: response.status, body: await response.text() };
    },
  };
}

/** An MQTT client for the test to publish and subscribe with. */
export async function testClient(brokerUrl: string): Promise<MqttClient> {
  return connectAsync(brokerUrl, {
    clientId: `test-${Math.random().toString(16).slice(2)}`,
    reconnectPeriod: 200,
  });
}

export const TELEMETRY_TOPIC =
  'acme/zwickau/body-shop/body-weld-1/cell-1/welder-1/telemetry/arc_current';
export const STATE_TOPIC = 'acme/zwickau/body-shop/body-weld-1/cell-1/welder-1/state';

export function telemetryBlock(seq: number, values: number[] = [180.5, 181, 179.5]): string {
  return JSON.stringify({
    t0: new Date().toISOString(),
    dtMs: 1,
    unit: 'A',
    values,
    quality: 'good',
    seq,
  });
}

/** The broker of a test file and a client that publishes to it. */
export interface TestPlant {
  readonly broker: MosquittoBroker;
  readonly publisher: MqttClient;
}

/** Starts a Mosquitto broker and a publisher before the file's tests; stops them after. */
export function useTestPlant(): TestPlant {
  const plant = {} as { broker: MosquittoBroker; publisher: MqttClient };
  beforeAll(async () => {
    plant.broker = await startMosquitto();
    plant.publisher = await testClient(plant.broker.url);
  });
  afterAll(async () => {
    await plant.publisher.endAsync();
    await plant.broker.stop();
  });
  return plant;
}
