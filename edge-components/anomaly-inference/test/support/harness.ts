import {
  copyFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startMosquitto,
  waitUntil as pollUntil,
  type MosquittoBroker,
} from '@uns-mlops/test-services';
import { connectAsync, type MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import type { HostEvent, Refusal } from '../../src/inference/model-host';
import type { AnomalyEvent } from '../../src/service/anomaly-events';
import { DEFAULT_CONFIG, type InferenceConfig } from '../../src/service/config';
import { InferenceService, type ScoredEvent } from '../../src/service/inference-service';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { CONTRACT } from '../fixtures/paths';

/** A copy of a bundle in a directory of the test's own (swap tests replace its files). */
export function bundleCopy(source = fixtureBundleDir()): string {
  const directory = mkdtempSync(join(tmpdir(), 'bundle-'));
  cpSync(source, directory, { recursive: true });
  return directory;
}

/** Windows of the fixture bundle fully inside the first `samples` samples of an asset. */
export function fixtureWindowsIn(samples: number): number {
  const { window } = JSON.parse(readFileSync(join(fixtureBundleDir(), 'manifest.json'), 'utf8'));
  return Math.floor((samples - window.length) / window.stride) + 1;
}

/** Configuration pointing at a test broker and a model directory; fast polling, silent logs. */
export function testConfig(
  brokerUrl: string,
  modelDir: string,
  overrides: Partial<InferenceConfig> = {},
): InferenceConfig {
  return {
    ...DEFAULT_CONFIG,
    broker: {
      ...DEFAULT_CONFIG.broker,
      url: brokerUrl,
      clientId: `inference-${process.pid}-${Math.random().toString(16).slice(2)}`,
      qos: 1,
      reconnectPeriodMs: 200,
    },
    uns: { contract: CONTRACT, enterprise: 'acme', site: 'zwickau' },
    model: { ...DEFAULT_CONFIG.model, dir: modelDir, watchIntervalMs: 50 },
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    ...overrides,
  };
}

/** A started runtime and what it has published, in order. */
export interface RunningRuntime {
  readonly service: InferenceService;
  readonly scored: ScoredEvent[];
  readonly events: AnomalyEvent[];
  /** GETs an HTTP endpoint. */
  get(path: string): Promise<{ status: number; body: string }>;
  /** The value of a Prometheus sample line, e.g. `anomaly_inference_blocks_total{outcome="duplicate"}`. */
  metric(sample: string): Promise<number>;
}

/** Starts a runtime (logging to `logger`, silent by default) and waits until it is ready. */
export async function startRuntime(
  config: InferenceConfig,
  logger: Logger = pino({ level: 'silent' }),
): Promise<RunningRuntime> {
  const service = await InferenceService.start(config, logger);
  const scored: ScoredEvent[] = [];
  const events: AnomalyEvent[] = [];
  service.on('scored', (event) => scored.push(event));
  service.on('event', (event) => events.push(event));
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${service.httpPort}${path}`);
    return { status: response.status, body: await response.text() };
  };
  try {
    await waitUntil(async () => (await get('/ready')).status === 200);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return {
    service,
    scored,
    events,
    get,
    metric: async (sample) => {
      const { body } = await get('/metrics');
      const line = body.split('\n').find((l) => l.startsWith(`${sample} `));
      return line === undefined ? 0 : Number(line.slice(sample.length + 1));
    },
  };
}

/**
 * The shared `waitUntil` of `@uns-mlops/test-services`, with a longer default timeout: loading
 * and swapping models takes seconds on a busy machine. `state`, when given, is read at the
 * timeout and added to the error, so a failure says where things stood.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  state?: () => string | Promise<string>,
): Promise<void> {
  try {
    await pollUntil(condition, timeoutMs);
  } catch (error) {
    if (state === undefined) throw error;
    throw new Error(`${(error as Error).message}; ${await state()}`, { cause: error });
  }
}

/** An MQTT client for the test to publish and subscribe with. */
export function testClient(brokerUrl: string): Promise<MqttClient> {
  return connectAsync(brokerUrl, {
    clientId: `test-${Math.random().toString(16).slice(2)}`,
    reconnectPeriod: 200,
  });
}

/** The broker of a test file; started before its tests, stopped after. */
export function useBroker(): { broker: MosquittoBroker } {
  const plant = {} as { broker: MosquittoBroker };
  beforeAll(async () => {
    plant.broker = await startMosquitto();
  });
  afterAll(async () => {
    await plant.broker.stop();
  });
  return plant;
}

/** A runtime of {@link useRuntime}, with the broker of its own and an MQTT client of the test. */
export interface RuntimeFixture extends RunningRuntime {
  readonly broker: MosquittoBroker;
  readonly client: MqttClient;
}

/**
 * Starts a broker, a runtime configured by `configure` (given the broker's URL; logging to
 * `logger`, silent by default) and a test client before the tests of the enclosing block; stops
 * them after.
 */
export function useRuntime(
  configure: (brokerUrl: string) => InferenceConfig,
  logger?: Logger,
): RuntimeFixture {
  const fixture = {} as RuntimeFixture;
  beforeAll(async () => {
    const broker = await startMosquitto();
    const runtime = await startRuntime(configure(broker.url), logger);
    Object.assign(fixture, runtime, { broker, client: await testClient(broker.url) });
  });
  afterAll(async () => {
    await fixture.client.endAsync();
    await fixture.service.stop();
    await fixture.broker.stop();
  });
  return fixture;
}

/**
 * Replaces the bundle in `dir` with the files of `source` (each by an atomic rename), optionally
 * rewriting manifest fields; the watcher sees one settled change.
 */
export function installBundle(
  source: string,
  dir: string,
  manifestChanges: Record<string, unknown> = {},
): void {
  const staging = mkdtempSync(join(dir, '.staging-'));
  const manifest = JSON.parse(readFileSync(join(source, 'manifest.json'), 'utf8'));
  writeFileSync(
    join(staging, 'manifest.json'),
    JSON.stringify({ ...manifest, ...manifestChanges }),
  );
  copyFileSync(join(source, 'model.onnx'), join(staging, 'model.onnx'));
  renameSync(join(staging, 'model.onnx'), join(dir, 'model.onnx'));
  renameSync(join(staging, 'manifest.json'), join(dir, 'manifest.json'));
  rmSync(staging, { recursive: true });
}

/** Resolves with the next model change of the runtime (loaded, swapped, refused, ...). */
export function nextModelChange(
  service: InferenceService,
): Promise<{ event: HostEvent; refusal: Refusal | undefined }> {
  return new Promise((resolve) => {
    service.once('model', (event, refusal) => {
      resolve({ event, refusal });
    });
  });
}
