import { resolve } from 'node:path';
import { loadLayeredConfig, parseNumberSetting, setPath } from '@uns-mlops/edge-common';
import { DRIFT_SECTION_SCHEMA, type InferenceConfig } from '@uns-mlops/anomaly-inference';
import { DRIFT_KINDS, type SimulatedDrift } from '@uns-mlops/welding-simulator';
import type { ModelLoopSettings } from './model-loop/model-loop';

/** What the simulator plays: a steady process, or one that drifts (see `drift`). */
export type PlantScenario = 'steady' | 'drift';

/** Everything the local plant can be told; see {@link DEFAULT_PLANT_CONFIG} for the defaults. */
export interface LocalPlantConfig {
  /** Directory of everything the plant keeps between runs: store, model bundle, training data. */
  dataDir: string;
  broker: {
    /** URL of an existing MQTT broker; when absent, an in-process broker (aedes) is started. */
    url?: string;
    /** Interface and port of the in-process broker. */
    host: string;
    port: number;
  };
  /** `postgres://` URL of the validation store; when absent, an embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Where the dashboard and its API are served. */
  http: { host: string; port: number };
  /** HTTP ports of the components' own endpoints (health, metrics, API); 0 picks a free port. */
  validatorPort: number;
  inferencePort: number;
  simulator: {
    /** Simulated welding cells. */
    cells: number;
    /** Share 0..1 of telemetry messages replaced by malformed ones. */
    malformedShare: number;
    /** Probability that a seam contains a defect episode. */
    defectRate: number;
    seed: number;
    /**
     * Contact-tip wear per arc-on second (the simulator's default, 0.002, wears a tip out in
     * minutes, which the drift monitor rightly flags; the plant's default lets a tip last hours).
     */
    wearPerArcSecond: number;
    /** Simulated seconds to publish, then stop; absent = until the plant stops. */
    seconds?: number;
  };
  /** `drift` makes the simulator play {@link LocalPlantConfig.drift}. */
  scenario: PlantScenario;
  /** The process drift of the `drift` scenario, from the start of the plant. */
  drift: SimulatedDrift;
  /**
   * The inference runtime's drift statistic (its `drift` section): shorter than the runtime's
   * default (a 300 s window judged every 60 s) so that the plant shows drift within minutes.
   */
  driftMonitor: InferenceConfig['drift'];
  /** The model loop: drift → retraining → shadow → promotion (off: the model never changes). */
  modelLoop: ModelLoopSettings & { enabled: boolean };
  /** Milliseconds between the validator's compliance summaries on the UNS. */
  summaryIntervalMs: number;
  model: {
    /** A model bundle to serve; when absent, the one in `dataDir/model`, trained on first start. */
    bundleDir?: string;
    /** Simulated seconds of telemetry per cell the first-start model is trained on. */
    trainingSeconds: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

/** The plant a bare `npm start` runs. */
export const DEFAULT_PLANT_CONFIG: LocalPlantConfig = {
  dataDir: '.local-plant',
  broker: { host: '127.0.0.1', port: 1883 },
  http: { host: '127.0.0.1', port: 8080 },
  validatorPort: 9464,
  inferencePort: 9465,
  simulator: { cells: 4, malformedShare: 0.02, defectRate: 0.15, seed: 42, wearPerArcSecond: 5e-5 },
  scenario: 'steady',
  drift: { kind: 'contact-tip-wear', startSeconds: 60, rampSeconds: 60 },
  driftMonitor: {
    enabled: true,
    windowSeconds: 60,
    intervalSeconds: 10,
    threshold: 0.25,
    minSamples: 30_000,
  },
  modelLoop: {
    enabled: true,
    consecutiveDrifted: 3,
    retrainingSeconds: 90,
    inspectionWaitSeconds: 10,
    cooldownSeconds: 600,
    quality: { minRocAuc: 0.7, minF1: 0.3 },
    shadow: {
      minWindows: 500,
      minAgreement: 0.9,
      maxAnomalyRateIncrease: 0.05,
      maxErrorRateIncrease: 0.01,
      timeoutSeconds: 300,
    },
  },
  summaryIntervalMs: 10_000,
  model: { trainingSeconds: 60 },
  logLevel: 'info',
};

const port = { type: 'integer', minimum: 0, maximum: 65535 };
const share = { type: 'number', minimum: 0, maximum: 1 };
const schema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'dataDir',
    'broker',
    'http',
    'validatorPort',
    'inferencePort',
    'simulator',
    'scenario',
    'drift',
    'driftMonitor',
    'modelLoop',
    'summaryIntervalMs',
    'model',
  ],
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    broker: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: {
        url: { type: 'string', pattern: '^(mqtts?|wss?)://' },
        host: { type: 'string' },
        port,
      },
    },
    databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: { host: { type: 'string' }, port },
    },
    validatorPort: port,
    inferencePort: port,
    simulator: {
      type: 'object',
      additionalProperties: false,
      required: ['cells', 'malformedShare', 'defectRate', 'seed', 'wearPerArcSecond'],
      properties: {
        cells: { type: 'integer', minimum: 1, maximum: 64 },
        malformedShare: share,
        defectRate: share,
        seed: { type: 'integer' },
        wearPerArcSecond: { type: 'number', minimum: 0, maximum: 1 },
        seconds: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    scenario: { type: 'string', enum: ['steady', 'drift'] },
    drift: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'startSeconds', 'rampSeconds'],
      properties: {
        kind: { type: 'string', enum: [...DRIFT_KINDS] },
        startSeconds: { type: 'number', minimum: 0 },
        rampSeconds: { type: 'number', minimum: 0 },
      },
    },
    driftMonitor: DRIFT_SECTION_SCHEMA,
    modelLoop: {
      type: 'object',
      additionalProperties: false,
      required: [
        'enabled',
        'consecutiveDrifted',
        'retrainingSeconds',
        'inspectionWaitSeconds',
        'cooldownSeconds',
        'quality',
        'shadow',
      ],
      properties: {
        enabled: { type: 'boolean' },
        consecutiveDrifted: { type: 'integer', minimum: 1 },
        retrainingSeconds: { type: 'integer', minimum: 10, maximum: 3600 },
        inspectionWaitSeconds: { type: 'number', minimum: 0, maximum: 600 },
        cooldownSeconds: { type: 'number', minimum: 0 },
        quality: {
          type: 'object',
          additionalProperties: false,
          required: ['minRocAuc', 'minF1'],
          properties: { minRocAuc: share, minF1: share },
        },
        shadow: {
          type: 'object',
          additionalProperties: false,
          required: [
            'minWindows',
            'minAgreement',
            'maxAnomalyRateIncrease',
            'maxErrorRateIncrease',
            'timeoutSeconds',
          ],
          properties: {
            minWindows: { type: 'integer', minimum: 1 },
            minAgreement: share,
            maxAnomalyRateIncrease: share,
            maxErrorRateIncrease: share,
            timeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
          },
        },
      },
    },
    summaryIntervalMs: { type: 'integer', minimum: 1000 },
    model: {
      type: 'object',
      additionalProperties: false,
      required: ['trainingSeconds'],
      properties: {
        bundleDir: { type: 'string', minLength: 1 },
        trainingSeconds: { type: 'integer', minimum: 5, maximum: 3600 },
      },
    },
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] },
  },
};

/** One setting that can be given as an environment variable and as a command-line flag. */
interface Setting {
  readonly path: string;
  readonly variable: string;
  readonly flag: string;
  readonly meaning: string;
  readonly kind: 'text' | 'integer' | 'number';
}

/** The settings with an environment variable and a flag of their own (all others: the file). */
export const SETTINGS: readonly Setting[] = [
  {
    path: 'broker.url',
    variable: 'UNS_PLANT_BROKER_URL',
    flag: 'broker-url',
    meaning: 'MQTT broker URL (default: in-process broker)',
    kind: 'text',
  },
  {
    path: 'broker.port',
    variable: 'UNS_PLANT_BROKER_PORT',
    flag: 'broker-port',
    meaning: 'port of the in-process broker (default 1883)',
    kind: 'integer',
  },
  {
    path: 'databaseUrl',
    variable: 'UNS_PLANT_DATABASE_URL',
    flag: 'database-url',
    meaning: 'PostgreSQL URL of the validation store (default: embedded)',
    kind: 'text',
  },
  {
    path: 'dataDir',
    variable: 'UNS_PLANT_DATA_DIR',
    flag: 'data-dir',
    meaning: 'data directory (default .local-plant)',
    kind: 'text',
  },
  {
    path: 'http.port',
    variable: 'UNS_PLANT_HTTP_PORT',
    flag: 'port',
    meaning: 'dashboard port (default 8080)',
    kind: 'integer',
  },
  {
    path: 'validatorPort',
    variable: 'UNS_PLANT_VALIDATOR_PORT',
    flag: 'validator-port',
    meaning: 'validator HTTP port (default 9464)',
    kind: 'integer',
  },
  {
    path: 'inferencePort',
    variable: 'UNS_PLANT_INFERENCE_PORT',
    flag: 'inference-port',
    meaning: 'inference HTTP port (default 9465)',
    kind: 'integer',
  },
  {
    path: 'model.bundleDir',
    variable: 'UNS_PLANT_MODEL_DIR',
    flag: 'model',
    meaning: 'model bundle directory to serve (default: trained on first start)',
    kind: 'text',
  },
  {
    path: 'simulator.cells',
    variable: 'UNS_PLANT_CELLS',
    flag: 'cells',
    meaning: 'simulated welding cells (default 4)',
    kind: 'integer',
  },
  {
    path: 'simulator.malformedShare',
    variable: 'UNS_PLANT_MALFORMED_SHARE',
    flag: 'malformed',
    meaning: 'share 0..1 of malformed messages (default 0.02)',
    kind: 'number',
  },
  {
    path: 'simulator.defectRate',
    variable: 'UNS_PLANT_DEFECT_RATE',
    flag: 'defect-rate',
    meaning: 'probability of a defect per seam (default 0.15)',
    kind: 'number',
  },
  {
    path: 'scenario',
    variable: 'UNS_PLANT_SCENARIO',
    flag: 'scenario',
    meaning: 'steady, or drift: the process drifts and the model loop retrains (default steady)',
    kind: 'text',
  },
  {
    path: 'simulator.seconds',
    variable: 'UNS_PLANT_SECONDS',
    flag: 'seconds',
    meaning: 'simulated seconds to publish (default: until stopped)',
    kind: 'number',
  },
  {
    path: 'logLevel',
    variable: 'UNS_PLANT_LOG_LEVEL',
    flag: 'log-level',
    meaning: 'fatal|error|warn|info|debug|trace (default info)',
    kind: 'text',
  },
];

/** Where the configuration comes from, lowest precedence first after the defaults. */
export interface PlantConfigSources {
  /** A YAML or JSON file (`--config`). */
  readonly file?: string;
  /** The process environment: `UNS_PLANT_CONFIG_JSON` and the variables of {@link SETTINGS}. */
  readonly env?: NodeJS.ProcessEnv;
  /** Command-line flags by name (without `--`), as parsed text. */
  readonly flags?: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads the plant's configuration: defaults < file < `UNS_PLANT_CONFIG_JSON` < environment
 * variables < flags. Relative paths are resolved against `cwd`.
 *
 * @throws ConfigError listing every problem.
 */
export function loadPlantConfig(
  sources: PlantConfigSources,
  cwd = process.cwd(),
): LocalPlantConfig {
  const env = sources.env ?? {};
  const config = loadLayeredConfig<LocalPlantConfig>({
    component: 'local plant',
    schema,
    defaults: DEFAULT_PLANT_CONFIG,
    file: sources.file,
    jsonVariable: { name: 'UNS_PLANT_CONFIG_JSON', value: env.UNS_PLANT_CONFIG_JSON },
    overrides: (problems) => [
      settingsLayer((s) => [env[s.variable], s.variable], problems),
      settingsLayer((s) => [sources.flags?.[s.flag], `--${s.flag}`], problems),
    ],
  });
  return {
    ...config,
    dataDir: resolve(cwd, config.dataDir),
    model: {
      ...config.model,
      bundleDir:
        config.model.bundleDir === undefined ? undefined : resolve(cwd, config.model.bundleDir),
    },
  };
}

function settingsLayer(
  read: (setting: Setting) => [string | undefined, string],
  problems: string[],
): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const [text, source] = read(setting);
    const value =
      setting.kind === 'text'
        ? text === ''
          ? undefined
          : text
        : parseNumberSetting(text, source, problems, { integer: setting.kind === 'integer' });
    setPath(layer, setting.path, value);
  }
  return layer;
}
