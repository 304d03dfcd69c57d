/**
 * The edge components as a plant runs them: built with the project's own scripts, installed
 * together in one local deployment on a real AWS IoT Greengrass v2 nucleus, next to a real
 * Mosquitto (the plant's UNS broker) and a real Kafka (standing in for Amazon MSK).
 *
 * Needs `GREENGRASS_NUCLEUS_HOME`: a folder with `gg-local` (see test/device/README.md); without it
 * the suite is skipped and says so.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureTrainedModelBundle,
  type KafkaBroker,
  type MosquittoBroker,
  startKafka,
  startMosquitto,
  waitUntil,
} from '@uns-mlops/test-services';
import { defaultCells, publishLive, type PublishSummary } from '@uns-mlops/welding-simulator';
import { connectAsync, type MqttClient } from 'mqtt';
import {
  type EdgeComponent,
  type LocalDeploymentFolders,
  modelComponent,
  recipeOf,
  SERVICES,
  stageComponent,
} from '../src/edge-components';
import { KafkaRecords } from '../src/kafka-records';
import { LocalNucleus, NUCLEUS_HOME_VARIABLE } from '../src/nucleus';

const nucleusHome = LocalNucleus.home();
if (nucleusHome === undefined) {
  process.stderr.write(
    `\nDevice suite SKIPPED: ${NUCLEUS_HOME_VARIABLE} is not set. Point it at a folder with ` +
      'gg-local (a Greengrass v2 nucleus and CLI that run offline; see test/device/README.md) ' +
      'to install the edge components on a real nucleus.\n\n',
  );
}
const onNucleus = nucleusHome === undefined ? describe.skip : describe;

const VERSION = '1.0.0';
const { validator, inference, bridge } = SERVICES;
/** Each service's HTTP port, from its recipe's defaults: the suite runs them as shipped. */
const port = (service: EdgeComponent) =>
  recipeOf(service).ComponentConfiguration.DefaultConfiguration.settings.http.port as number;
const SETUP_TIMEOUT_MS = 900_000;

/** The deployment configuration a plant sets: its broker, its Kafka, fast summaries. */
function plantConfiguration(broker: MosquittoBroker, kafka: KafkaBroker) {
  return {
    [validator.name]: {
      MERGE: {
        settings: {
          broker: { url: broker.url },
          summaries: { intervalMs: 1000, enterprise: 'acme' },
          store: { flushIntervalMs: 500 },
        },
      },
    },
    [inference.name]: { MERGE: { settings: { broker: { url: broker.url, qos: 1 } } } },
    [bridge.name]: {
      MERGE: {
        settings: {
          mqtt: { url: broker.url },
          kafka: { brokers: [kafka.bootstrap], security: { protocol: 'plaintext' } },
        },
      },
    },
  };
}

/** The JSON a component's HTTP endpoint answers, or undefined while it does not answer. */
async function getJson(servicePort: number, path: string): Promise<any> {
  try {
    return await (await fetch(`http://127.0.0.1:${servicePort}${path}`)).json();
  } catch {
    return undefined;
  }
}

/** The last lines of a text. */
const tail = (text: string, lines = 30) => text.split('\n').slice(-lines).join('\n');

/** Waits until the service answers ready; fails with its last answer and its log's end. */
async function waitForReady(nucleus: LocalNucleus, service: EdgeComponent): Promise<void> {
  try {
    await waitUntil(
      async () => (await getJson(port(service), '/ready'))?.ok === true,
      120_000,
      `${service.name} ready`,
    );
  } catch {
    throw new Error(
      `${service.name} is not ready on port ${port(service)} ` +
        `(state ${String(await nucleus.stateOf(service.name))}, /ready: ` +
        `${JSON.stringify(await getJson(port(service), '/ready'))}); its log ends:\n` +
        tail(nucleus.log(service.name)),
    );
  }
}

/** The windows a model with this manifest scores from the first `samples` samples of an asset. */
function windowsIn(samples: number, manifestFile: string): number {
  const { window } = JSON.parse(readFileSync(manifestFile, 'utf8'));
  return Math.floor((samples - window.length) / window.stride) + 1;
}

/** The part of a validation summary (contract: `ValidationSummary`) the suite reads. */
interface ValidationSummary {
  readonly channels: readonly { channel: string; valid: number; invalid: number }[];
}

/** What the plant's UNS shows: validation summaries and anomaly scores, as they arrive. */
class UnsObserver {
  readonly telemetryVerdicts = { valid: 0, invalid: 0 };
  /** Anomaly scores by asset path, each with the model version that scored it. */
  readonly scores = new Map<string, string[]>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/_validation')) {
        const summary = JSON.parse(payload.toString()) as ValidationSummary;
        for (const channel of summary.channels) {
          if (channel.channel !== 'telemetry') continue;
          this.telemetryVerdicts.valid += channel.valid;
          this.telemetryVerdicts.invalid += channel.invalid;
        }
      } else {
        const { modelVersion } = JSON.parse(payload.toString()) as { modelVersion: string };
        const asset = topic.split('/').slice(0, 6).join('/');
        this.scores.set(asset, [...(this.scores.get(asset) ?? []), modelVersion]);
      }
    });
  }

  static async connect(brokerUrl: string): Promise<UnsObserver> {
    const client = await connectAsync(brokerUrl, { clientId: `device-suite-${process.pid}` });
    await client.subscribeAsync(['acme/zwickau/_validation', 'acme/zwickau/+/+/+/+/_ml/+'], {
      qos: 1,
    });
    return new UnsObserver(client);
  }

  scoresOf(cell: string): string[] {
    return this.scores.get(`acme/zwickau/body-shop/body-weld-1/${cell}/welder-1`) ?? [];
  }
}

/** Publishes simulator telemetry of `cells` and records each message's Kafka identity. */
function publishTelemetry(
  broker: MosquittoBroker,
  cells: readonly number[],
  published: Set<string>,
  options: { blocks?: number; signal?: AbortSignal },
): Promise<PublishSummary> {
  return publishLive({
    brokerUrl: broker.url,
    simulatorOptions: {
      seed: cells[0]!,
      cells: defaultCells(Math.max(...cells)).filter((_, index) => cells.includes(index + 1)),
      defectRate: 0.2,
    },
    realTime: options.signal !== undefined,
    blocks: options.blocks,
    signal: options.signal,
    publishState: false,
    qos: 1,
    onPublish: (topic, payload) => {
      published.add(KafkaRecords.identity(topic, payload));
    },
  });
}

onNucleus('the edge components on a real Greengrass core', () => {
  let broker: MosquittoBroker;
  let kafka: KafkaBroker;
  let nucleus: LocalNucleus;
  let records: KafkaRecords;
  let uns: UnsObserver;
  let folders: LocalDeploymentFolders;
  let workDir: string;
  let modelManifest: string;
  /** What beforeAll started, stopped by afterAll in reverse order. */
  const started: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'device-suite-'));
    started.push(() => rm(workDir, { recursive: true, force: true }));
    folders = { recipes: join(workDir, 'recipes'), artifacts: join(workDir, 'artifacts') };
    [broker, kafka] = await Promise.all([startMosquitto(), startKafka()]);
    started.push(() => Promise.all([kafka.stop(), broker.stop()]));
    const bundle = ensureTrainedModelBundle();
    modelManifest = join(bundle, 'manifest.json');
    const nextBundle = join(workDir, 'bundle-1.1.0');
    cpSync(bundle, nextBundle, { recursive: true });
    const manifest = JSON.parse(readFileSync(modelManifest, 'utf8'));
    writeFileSync(
      join(nextBundle, 'manifest.json'),
      JSON.stringify({ ...manifest, modelVersion: `${manifest.modelVersion}-next` }),
    );
    for (const service of Object.values(SERVICES)) stageComponent(folders, service, VERSION);
    stageComponent(folders, modelComponent(bundle), VERSION);
    stageComponent(folders, modelComponent(nextBundle), '1.1.0');
    nucleus = await LocalNucleus.start(nucleusHome!);
    started.push(() => nucleus.stop());
    records = await KafkaRecords.start(kafka.bootstrap, 'uns.telemetry');
    started.push(() => records.stop());
    uns = await UnsObserver.connect(broker.url);
    started.push(() => uns.client.endAsync());
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const stop of started.reverse()) await stop();
  }, SETUP_TIMEOUT_MS);

  it('installs the three services and the model in one deployment; each answers as itself', async () => {
    const outcome = await nucleus.deploy(folders, {
      merge: {
        [validator.name]: VERSION,
        [inference.name]: VERSION,
        [bridge.name]: VERSION,
        'io.unsmlops.WeldSeamAnomalyModel': VERSION,
      },
      configuration: plantConfiguration(broker, kafka),
    });
    expect(outcome).toMatchObject({ status: 'SUCCEEDED' });

    for (const service of [validator, inference, bridge]) {
      await waitForReady(nucleus, service);
      expect(await getJson(port(service), '/health')).toMatchObject({
        ok: true,
        component: service.artifactFile.replace(/\.zip$/, ''),
      });
    }
    const states = Object.fromEntries(
      (await nucleus.components()).map(({ name, state }) => [name, state]),
    );
    expect(states).toMatchObject({
      [validator.name]: 'RUNNING',
      [inference.name]: 'RUNNING',
      [bridge.name]: 'RUNNING',
      'io.unsmlops.WeldSeamAnomalyModel': 'FINISHED',
    });
  });

  it('validates, scores and forwards to Kafka every telemetry message of the simulator', async () => {
    const published = new Set<string>();
    const summary = await publishTelemetry(broker, [1, 2], published, { blocks: 40 });
    const windows = windowsIn(summary.steps * 100, modelManifest);

    await waitUntil(
      () => uns.telemetryVerdicts.valid >= summary.published,
      60_000,
      `summaries counting ${summary.published} valid telemetry messages`,
    );
    await waitUntil(
      () => ['cell-010', 'cell-020'].every((cell) => uns.scoresOf(cell).length >= windows),
      60_000,
      `${windows} windows of each cell scored`,
    );
    await waitUntil(() => records.containsAll(published), 60_000, 'every message in Kafka');

    expect(uns.telemetryVerdicts).toEqual({ valid: summary.published, invalid: 0 });
    const dashboard = await fetch(`http://127.0.0.1:${port(validator)}/`);
    expect(await dashboard.text()).toContain('<div id="root">');
    const anomalies = await getJson(port(validator), '/api/v1/anomalies/status');
    expect(anomalies.serving.modelVersion).toBe(
      JSON.parse(readFileSync(modelManifest, 'utf8')).modelVersion,
    );
    expect(uns.scoresOf('cell-010')).toHaveLength(windows);
    expect(uns.scoresOf('cell-020')).toHaveLength(windows);
    expect(records.missingOf(published)).toEqual([]);
  });

  it('swaps in a new model component version without restarting the runtime or dropping a window', async () => {
    const runtime = nucleus.pidOf(inference.name);
    const published = new Set<string>();
    const stopPublishing = new AbortController();
    const publishing = publishTelemetry(broker, [3], published, { signal: stopPublishing.signal });

    const outcome = await nucleus.deploy(folders, {
      merge: { 'io.unsmlops.WeldSeamAnomalyModel': '1.1.0' },
    });
    expect(outcome).toMatchObject({ status: 'SUCCEEDED' });
    const nextVersion = `${JSON.parse(readFileSync(modelManifest, 'utf8')).modelVersion}-next`;
    await waitUntil(
      async () =>
        (await getJson(port(inference), '/api/v1/anomalies/status'))?.serving?.modelVersion ===
        nextVersion,
      60_000,
      `the runtime serving ${nextVersion}`,
    );
    await waitUntil(
      () => uns.scoresOf('cell-030').filter((v) => v === nextVersion).length >= 3,
      60_000,
      `windows scored by ${nextVersion}`,
    );
    stopPublishing.abort();
    const summary = await publishing;

    const windows = windowsIn(summary.steps * 100, modelManifest);
    await waitUntil(
      () => uns.scoresOf('cell-030').length >= windows,
      60_000,
      `${windows} windows of cell-030 scored`,
    );
    const versions = uns.scoresOf('cell-030');
    expect(versions).toHaveLength(windows);
    expect(new Set(versions).size).toBe(2);
    expect(nucleus.pidOf(inference.name)).toBe(runtime);
  });

  it('refuses a deployment whose configuration a component rejects, and changes nothing', async () => {
    const services = [validator, inference, bridge];
    const pids = () => services.map((service) => nucleus.pidOf(service.name));
    const before = pids();
    const outcome = await nucleus.deploy(folders, {
      merge: { [validator.name]: VERSION },
      configuration: { [validator.name]: { MERGE: { settings: { pool: { workers: 0 } } } } },
    });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.report).toContain(
      `name = ${validator.name}, message = pool.workers must be >= 1`,
    );
    expect(nucleus.log(validator.name)).toContain(
      'configuration update rejected: pool.workers must be >= 1',
    );

    const listed = (await nucleus.components()).find(({ name }) => name === validator.name);
    expect(listed).toMatchObject({
      state: 'RUNNING',
      configuration: { settings: { pool: { workers: 2 } } },
    });
    expect(pids()).toEqual(before);
    await waitForReady(nucleus, validator);
  });

  it('restarts a component killed with SIGKILL; the bridge loses nothing it acknowledged', async () => {
    const published = new Set<string>();
    const stopPublishing = new AbortController();
    const publishing = publishTelemetry(broker, [5], published, { signal: stopPublishing.signal });
    await waitUntil(
      () => published.size >= 200 && records.containsAll(published),
      60_000,
      '200 messages published and in Kafka',
    );

    const killed = [validator, inference, bridge].map((service) => {
      const pid = nucleus.pidOf(service.name)!;
      process.kill(pid, 'SIGKILL');
      return { service, pid };
    });
    for (const { service, pid } of killed) {
      await waitUntil(
        () => ![undefined, pid].includes(nucleus.pidOf(service.name)),
        120_000,
        `${service.name} restarted by the nucleus`,
      );
      await waitForReady(nucleus, service);
    }
    const afterRestart = published.size;
    await waitUntil(
      () => published.size >= afterRestart + 200,
      60_000,
      '200 more messages published',
    );
    stopPublishing.abort();
    await publishing;

    await waitUntil(() => records.containsAll(published), 120_000, 'every message in Kafka');
    expect(records.missingOf(published)).toEqual([]);
  });
});
