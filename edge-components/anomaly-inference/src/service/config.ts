import {
  type BrokerConnection,
  brokerSection,
  loadLayeredConfig,
  parseNumberSetting,
  setPath,
} from '@uns-mlops/edge-common';
import type { JSONSchemaType } from 'ajv';

/** The inference runtime's whole configuration, after defaults. */
export interface InferenceConfig {
  broker: BrokerConnection & {
    /** QoS of the telemetry subscriptions and of the published results. */
    qos: 0 | 1;
  };
  uns: {
    /** The AsyncAPI document whose channels give the topics (telemetry in, results out). */
    contract: string;
    /** Enterprise and site whose telemetry is scored (topic levels 1 and 2). */
    enterprise: string;
    site: string;
  };
  model: {
    /** Directory of the serving model bundle (`manifest.json` + `model.onnx`); watched. */
    dir: string;
    /** Directory of a candidate bundle run in shadow mode; watched; absent = no shadow. */
    shadowDir?: string;
    /** How often the bundle directories are checked for a new bundle, ms. */
    watchIntervalMs: number;
    /** Recent windows kept for the smoke inference of a new bundle. */
    smokeWindows: number;
  };
  windowing: {
    /** Blocks held per stream while waiting for a missing `seq` before it counts as lost. */
    reorderBlocks: number;
    /** Windows are skipped when a channel lags the asset's newest channel by more than this, ms. */
    maxChannelSkewMs: number;
  };
  limits: {
    /**
     * Telemetry payloads larger than this are skipped unparsed (`payload-too-large`). The largest
     * block the contract allows (5,000 samples of up to 25 characters) is about 125 KB.
     */
    maxPayloadBytes: number;
    /** Blocks with more samples are skipped (`too-many-samples`); the contract allows 5,000. */
    maxBlockSamples: number;
  };
  batching: {
    /** Windows scored in one model run at most. */
    maxBatchSize: number;
    /** Longest wait for more windows before a batch runs, ms (0 = next turn of the event loop). */
    maxBatchDelayMs: number;
  };
  api: {
    /** Recent scores kept per asset for `/api/v1/anomalies/scores`. */
    scoresPerAsset: number;
    /** Recent anomaly events kept for `/api/v1/anomalies/events`. */
    events: number;
  };
  /** Drift of the serving model's inputs and scores from its bundle's baseline (README: Drift). */
  drift: {
    /** Computes and publishes drift when the serving bundle carries a baseline. */
    enabled: boolean;
    /** Length of the rolling window judged, s: a whole multiple of `intervalSeconds`. */
    windowSeconds: number;
    /** Time between evaluations (one message per judged asset each), s. */
    intervalSeconds: number;
    /** PSI above which a channel or the score counts as drifted. */
    threshold: number;
    /** Observations a channel (and the score) needs in the window to be judged. */
    minSamples: number;
  };
  http: {
    host: string;
    /** Port of health, readiness, metrics and the API; 0 picks a free port. */
    port: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const topicLevel = { type: 'string', pattern: '^[^/#+]+$' } as const;

/** JSON schema of the `drift` section (the local plant passes its own section through). */
export const DRIFT_SECTION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['enabled', 'windowSeconds', 'intervalSeconds', 'threshold', 'minSamples'],
  properties: {
    enabled: { type: 'boolean' },
    windowSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
    intervalSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
    threshold: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    minSamples: { type: 'integer', minimum: 1 },
  },
} as const;

const schema: JSONSchemaType<InferenceConfig> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'broker',
    'uns',
    'model',
    'windowing',
    'limits',
    'batching',
    'api',
    'drift',
    'http',
    'logLevel',
  ],
  properties: {
    broker: brokerSection.schema<InferenceConfig['broker']>({
      qos: { type: 'integer', enum: [0, 1] },
    }),
    uns: {
      type: 'object',
      additionalProperties: false,
      required: ['contract', 'enterprise', 'site'],
      properties: {
        contract: { type: 'string', minLength: 1 },
        enterprise: topicLevel,
        site: topicLevel,
      },
    },
    model: {
      type: 'object',
      additionalProperties: false,
      required: ['dir', 'watchIntervalMs', 'smokeWindows'],
      properties: {
        dir: { type: 'string', minLength: 1 },
        shadowDir: { type: 'string', minLength: 1, nullable: true },
        watchIntervalMs: { type: 'integer', minimum: 50 },
        smokeWindows: { type: 'integer', minimum: 1, maximum: 1024 },
      },
    },
    windowing: {
      type: 'object',
      additionalProperties: false,
      required: ['reorderBlocks', 'maxChannelSkewMs'],
      properties: {
        reorderBlocks: { type: 'integer', minimum: 0, maximum: 1000 },
        maxChannelSkewMs: { type: 'integer', minimum: 1 },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      required: ['maxPayloadBytes', 'maxBlockSamples'],
      properties: {
        maxPayloadBytes: { type: 'integer', minimum: 1024, maximum: 268_435_455 },
        maxBlockSamples: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      },
    },
    batching: {
      type: 'object',
      additionalProperties: false,
      required: ['maxBatchSize', 'maxBatchDelayMs'],
      properties: {
        maxBatchSize: { type: 'integer', minimum: 1, maximum: 65_536 },
        maxBatchDelayMs: { type: 'number', minimum: 0, maximum: 1000 },
      },
    },
    api: {
      type: 'object',
      additionalProperties: false,
      required: ['scoresPerAsset', 'events'],
      properties: {
        scoresPerAsset: { type: 'integer', minimum: 1, maximum: 100_000 },
        events: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    drift: DRIFT_SECTION_SCHEMA,
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: {
        host: { type: 'string' },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
      },
    },
    logLevel: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    },
  },
};

/** The configuration the runtime runs with when nothing is set. */
export const DEFAULT_CONFIG: InferenceConfig = {
  broker: { ...brokerSection.defaults('anomaly-inference'), qos: 0 },
  uns: { contract: 'asyncapi/uns-welding.asyncapi.yaml', enterprise: 'acme', site: 'zwickau' },
  model: { dir: 'model', watchIntervalMs: 1000, smokeWindows: 32 },
  windowing: { reorderBlocks: 4, maxChannelSkewMs: 2000 },
  limits: { maxPayloadBytes: 262_144, maxBlockSamples: 5000 },
  batching: { maxBatchSize: 256, maxBatchDelayMs: 0 },
  api: { scoresPerAsset: 500, events: 200 },
  drift: {
    enabled: true,
    windowSeconds: 300,
    intervalSeconds: 60,
    threshold: 0.25,
    minSamples: 1000,
  },
  http: { host: '127.0.0.1', port: 9465 },
  logLevel: 'info',
};

/** Most time slots a drift window may be cut into (`windowSeconds / intervalSeconds`). */
const MAX_DRIFT_SLOTS = 1440;

/** Rules of the drift section the schema cannot state. */
function driftProblems({ drift }: InferenceConfig): string[] {
  const { windowSeconds, intervalSeconds } = drift;
  if (windowSeconds % intervalSeconds !== 0) {
    return [
      `drift.windowSeconds (${windowSeconds}) must be a whole multiple of drift.intervalSeconds (${intervalSeconds})`,
    ];
  }
  if (windowSeconds / intervalSeconds > MAX_DRIFT_SLOTS) {
    return [
      `drift.windowSeconds / drift.intervalSeconds must be at most ${MAX_DRIFT_SLOTS} (${windowSeconds / intervalSeconds}): counts are kept per interval`,
    ];
  }
  return [];
}

/**
 * Environment variables the runtime reads. `ANOMALY_INFERENCE_CONFIG_JSON` carries any part of the
 * configuration as JSON (the Greengrass recipe sets it from the component configuration); the
 * others set single values and win over it.
 */
export const ENVIRONMENT_VARIABLES = {
  ANOMALY_INFERENCE_CONFIG_JSON: 'configuration as JSON (any subset)',
  ANOMALY_INFERENCE_BROKER_URL: 'broker.url',
  ANOMALY_INFERENCE_BROKER_USERNAME: 'broker.username',
  ANOMALY_INFERENCE_BROKER_PASSWORD: 'broker.password',
  ANOMALY_INFERENCE_MODEL_DIR: 'model.dir',
  ANOMALY_INFERENCE_SHADOW_DIR: 'model.shadowDir',
  ANOMALY_INFERENCE_HTTP_PORT: 'http.port',
  ANOMALY_INFERENCE_LOG_LEVEL: 'logLevel',
} as const;

/**
 * Loads the configuration: defaults, then `file`, then `ANOMALY_INFERENCE_CONFIG_JSON`, then the
 * single-value variables; validated against the schema.
 *
 * @throws ConfigError listing every problem.
 */
export function loadConfig(
  sources: { file?: string; env?: NodeJS.ProcessEnv } = {},
): InferenceConfig {
  const env = sources.env ?? {};
  return loadLayeredConfig({
    component: 'anomaly-inference',
    schema,
    defaults: DEFAULT_CONFIG,
    file: sources.file,
    jsonVariable: {
      name: 'ANOMALY_INFERENCE_CONFIG_JSON',
      value: env.ANOMALY_INFERENCE_CONFIG_JSON,
    },
    overrides: (problems) => {
      const layer: Record<string, unknown> = {};
      const text = (value: string | undefined) => (value === '' ? undefined : value);
      brokerSection.setVariables(layer, 'broker', 'ANOMALY_INFERENCE_BROKER', env);
      setPath(layer, 'model.dir', text(env.ANOMALY_INFERENCE_MODEL_DIR));
      setPath(layer, 'model.shadowDir', text(env.ANOMALY_INFERENCE_SHADOW_DIR));
      setPath(
        layer,
        'http.port',
        parseNumberSetting(
          env.ANOMALY_INFERENCE_HTTP_PORT,
          'ANOMALY_INFERENCE_HTTP_PORT',
          problems,
          {
            integer: true,
          },
        ),
      );
      setPath(layer, 'logLevel', text(env.ANOMALY_INFERENCE_LOG_LEVEL));
      return [layer];
    },
    check: driftProblems,
  });
}
