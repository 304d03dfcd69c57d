import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { shutDownInSteps } from '@uns-mlops/edge-common';
import { InferenceService, loadConfig as loadInferenceConfig } from '@uns-mlops/anomaly-inference';
import { loadConfig as loadValidatorConfig, ValidatorService } from '@uns-mlops/uns-validator';
import { defaultCells, publishLive, type PublishSummary } from '@uns-mlops/welding-simulator';
import type { LocalPlantConfig } from './config';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker';
import { ensureModelBundle, REPOSITORY_ROOT } from './model-bootstrap';
import { ModelHistory } from './model-loop/model-history';
import { ModelLoop } from './model-loop/model-loop';
import { bundleVersion, ModelStore } from './model-loop/model-store';
import { UnsRecorder } from './model-loop/uns-recorder';
import { startWebServer, type WebServer } from './web-server';

/** Where to look once the plant runs. */
export interface PlantAddresses {
  readonly dashboard: string;
  readonly broker: string;
  readonly validator: string;
  readonly inference: string;
  readonly modelBundle: string;
}

/** Directory of the dashboard's production build, served by the plant. */
export const DASHBOARD_DIST = join(REPOSITORY_ROOT, 'dashboard', 'dist');

/**
 * The whole edge loop on one machine: broker, welding simulator, validator with its store,
 * anomaly inference and the dashboard. Started in dependency order, stopped in reverse, so the
 * validator flushes everything it accepted before the broker goes away.
 */
export class LocalPlant {
  private readonly stopSimulator = new AbortController();

  private constructor(
    readonly addresses: PlantAddresses,
    private readonly logger: Logger,
    private readonly parts: {
      broker: EmbeddedBroker | undefined;
      validator: ValidatorService;
      inference: InferenceService;
      loop: ModelLoop | undefined;
      web: WebServer;
      publishing: Promise<PublishSummary>;
    },
  ) {}

  /** Starts every part; on a failure, stops what was started and rethrows. */
  static async start(config: LocalPlantConfig, logger: Logger): Promise<LocalPlant> {
    const started: (() => Promise<void>)[] = [];
    mkdirSync(config.dataDir, { recursive: true });
    try {
      const broker =
        config.broker.url === undefined
          ? await startEmbeddedBroker(config.broker.host, config.broker.port)
          : undefined;
      if (broker) started.push(() => broker.close());
      const brokerUrl = config.broker.url ?? (broker as EmbeddedBroker).url;
      logger.info({ broker: brokerUrl, embedded: broker !== undefined }, 'UNS broker');

      const modelBundle = await ensureModelBundle({
        bundleDir: config.model.bundleDir,
        dataDir: config.dataDir,
        trainingSeconds: config.model.trainingSeconds,
        cells: config.simulator.cells,
        seed: config.simulator.seed,
        wearPerArcSecond: config.simulator.wearPerArcSecond,
        logger,
      });
      logger.info({ modelBundle }, 'model bundle');
      const models = startModelLoop(config, modelBundle, logger);

      const validator = await ValidatorService.start(
        loadValidatorConfig({
          env: {
            UNS_VALIDATOR_CONFIG_JSON: JSON.stringify({
              // aedes speaks MQTT 3.1.1 (protocol version 4), which every component also supports.
              broker: {
                url: brokerUrl,
                clientId: 'local-plant-validator',
                qos: 1,
                protocolVersion: 4,
              },
              contracts: [join(REPOSITORY_ROOT, 'asyncapi')],
              store: {
                databaseUrl: config.databaseUrl,
                dataDir:
                  config.databaseUrl === undefined ? join(config.dataDir, 'store') : undefined,
                flushIntervalMs: 1000,
              },
              summaries: { intervalMs: config.summaryIntervalMs },
              http: { host: '127.0.0.1', port: config.validatorPort },
              logLevel: config.logLevel,
            }),
          },
        }),
        logger.child({ component: 'uns-validator' }),
      );
      started.push(() => validator.stop());
      const { loop } = models;
      if (loop !== undefined) {
        validator.on('verdict', ({ verdict, payload }) => {
          if (verdict.valid) loop.take(verdict.topic, payload);
        });
        started.push(() => {
          loop.stop();
          return Promise.resolve();
        });
      }

      const inference = await InferenceService.start(
        loadInferenceConfig({
          env: {
            ANOMALY_INFERENCE_CONFIG_JSON: JSON.stringify({
              broker: {
                url: brokerUrl,
                clientId: 'local-plant-inference',
                qos: 1,
                protocolVersion: 4,
              },
              uns: { contract: join(REPOSITORY_ROOT, 'asyncapi', 'uns-welding.asyncapi.yaml') },
              model: { dir: modelBundle, shadowDir: models.shadowDir },
              drift: config.driftMonitor,
              http: { host: '127.0.0.1', port: config.inferencePort },
              logLevel: config.logLevel,
            }),
          },
        }),
        logger.child({ component: 'anomaly-inference' }),
      );
      started.push(() => inference.stop());

      await ensureDashboardBuilt(logger);
      const validatorUrl = `http://127.0.0.1:${String(validator.httpPort)}`;
      const inferenceUrl = `http://127.0.0.1:${String(inference.httpPort)}`;
      const web = await startWebServer({
        host: config.http.host,
        port: config.http.port,
        staticDir: DASHBOARD_DIST,
        routes: [
          { prefix: '/api/v1/compliance', target: validatorUrl },
          { prefix: '/api/v1/anomalies', target: inferenceUrl },
          {
            prefix: '/api/v1/models',
            json: () => ({ loop: loop?.status() ?? null, history: models.history.entries() }),
          },
        ],
      });
      started.push(() => web.close());

      const plant = new LocalPlant(
        {
          dashboard: web.url,
          broker: brokerUrl,
          validator: validatorUrl,
          inference: inferenceUrl,
          modelBundle,
        },
        logger,
        {
          broker,
          validator,
          inference,
          loop,
          web,
          publishing: Promise.resolve(emptySummary()),
        },
      );
      plant.parts.publishing = publishLive({
        brokerUrl,
        simulatorOptions: {
          seed: config.simulator.seed,
          cells: defaultCells(config.simulator.cells),
          defectRate: config.simulator.defectRate,
          wearPerArcSecond: config.simulator.wearPerArcSecond,
          start: Date.now(),
          ...(config.scenario === 'drift' ? { drift: config.drift } : {}),
        },
        realTime: true,
        malformedShare: config.simulator.malformedShare,
        durationMs:
          config.simulator.seconds === undefined ? undefined : config.simulator.seconds * 1000,
        signal: plant.stopSimulator.signal,
      });
      return plant;
    } catch (error) {
      for (const stop of started.reverse()) await stop().catch(() => undefined);
      throw error;
    }
  }

  /** Resolves with what the simulator published once it is done (`simulator.seconds`) or stopped. */
  simulatorDone(): Promise<PublishSummary> {
    return this.parts.publishing;
  }

  /**
   * Stops the simulator first, then the consumers (the validator flushes its store), the web
   * server and finally the broker. Resolves with what the simulator published.
   */
  async stop(): Promise<PublishSummary> {
    this.stopSimulator.abort();
    let summary = emptySummary();
    await shutDownInSteps(
      [
        [
          'the simulator',
          async () => {
            summary = await this.parts.publishing.catch((error: unknown) => {
              this.logger.error({ err: error }, 'simulator stopped with an error');
              return emptySummary();
            });
            this.parts.loop?.stop();
          },
        ],
        [
          'the validator and the inference runtime',
          () => Promise.all([this.parts.validator.stop(), this.parts.inference.stop()]),
        ],
        ['the web server', () => this.parts.web.close()],
        ['the broker', () => this.parts.broker?.close()],
      ],
      this.logger,
    );
    return summary;
  }
}

/**
 * The model history, and the model loop unless the user serves a bundle of their own (which the
 * plant does not replace): the serving bundle moves under `<dataDir>/models/` behind the link
 * `<dataDir>/model`, a candidate goes behind `<dataDir>/model-shadow`.
 */
function startModelLoop(
  config: LocalPlantConfig,
  modelBundle: string,
  logger: Logger,
): { history: ModelHistory; loop: ModelLoop | undefined; shadowDir: string | undefined } {
  const history = new ModelHistory(join(config.dataDir, 'model-history.jsonl'));
  const serving = bundleVersion(modelBundle);
  if (!history.entries().some((entry) => entry.modelVersion === serving)) {
    history.record({
      event: 'serving',
      modelVersion: serving,
      reason:
        config.model.bundleDir === undefined
          ? 'trained on simulated data at the first start'
          : `given by the user (${modelBundle})`,
    });
  }
  if (config.model.bundleDir !== undefined || !config.modelLoop.enabled) {
    logger.info('model loop off: the serving model is not replaced');
    return { history, loop: undefined, shadowDir: undefined };
  }
  const store = new ModelStore(config.dataDir);
  store.adoptServing();
  const manifest = JSON.parse(readFileSync(join(modelBundle, 'manifest.json'), 'utf8')) as {
    modelName: string;
    channels: { name: string }[];
  };
  const channels = manifest.channels.map((channel) => channel.name);
  const loop = new ModelLoop({
    modelName: manifest.modelName,
    channels,
    dataDir: config.dataDir,
    seed: config.simulator.seed,
    settings: config.modelLoop,
    store,
    history,
    recorder: new UnsRecorder(
      channels,
      (2 * config.modelLoop.retrainingSeconds + config.modelLoop.inspectionWaitSeconds) * 1000,
    ),
    logger: logger.child({ component: 'model-loop' }),
  });
  return { history, loop, shadowDir: store.layout.shadowLink };
}

function emptySummary(): PublishSummary {
  return {
    published: 0,
    valid: 0,
    malformedTotal: 0,
    malformed: {
      'negative-dt': 0,
      'out-of-range': 0,
      'missing-field': 0,
      'wrong-type': 0,
      unparseable: 0,
    },
    states: 0,
    inspections: 0,
    steps: 0,
    defectSamples: {},
  };
}

/** Builds the dashboard once (a fresh clone has no build); later starts reuse it. */
async function ensureDashboardBuilt(logger: Logger): Promise<void> {
  if (existsSync(join(DASHBOARD_DIST, 'index.html'))) return;
  logger.info('building the dashboard (first start only)');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build', '-w', '@uns-mlops/dashboard'], {
      cwd: REPOSITORY_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`dashboard build failed (exit ${String(code)})`));
    });
  });
}
