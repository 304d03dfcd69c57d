import {
  type BrokerConnection,
  brokerSection,
  ConfigError,
  loadLayeredConfig,
  parseNumberSetting,
  setPath,
} from '@uns-mlops/edge-common';
import type { JSONSchemaType } from 'ajv';
import { DEFAULT_JUDGING_LIMITS } from '../validate/validate-message';
import { SITE_ID_PATTERN } from './validation-topics';

/** What the validator does with a message of a channel, beyond recording its verdict. */
export type EnforcementMode = 'monitor' | 'quarantine' | 'filter';

/** What happens to a message when the worker queues are full. */
export type OverloadPolicy = 'drop-newest' | 'backpressure';

/** The validator's whole configuration, after defaults. */
export interface ValidatorConfig {
  broker: BrokerConnection & {
    /** Topic filters to validate. */
    topics: string[];
    /** QoS of the subscriptions. */
    qos: 0 | 1;
  };
  /** The AsyncAPI contracts; reloaded when their files change. */
  contracts: {
    /** AsyncAPI documents or directories of them. */
    paths: string[];
    /**
     * Refuse a document whose examples contradict its schemas; otherwise it loads and each such
     * example is a warning (logged, counted, shown by the contracts API).
     */
    strict: boolean;
  };
  pool: {
    /**
     * How messages are judged: `adaptive` (inline on the main thread while it has room, on worker
     * threads as the load grows), `inline` or `workers` (always `workers` threads).
     */
    dispatch: 'adaptive' | 'inline' | 'workers';
    /** Most worker threads (also capped by the cores available). */
    workers: number;
    /**
     * Fewest worker threads, at least 1: one always runs for channels whose patterns could stall
     * the main thread, and so that moving to threads needs no start-up.
     */
    minWorkers: number;
    /** How often the adaptive dispatcher measures the load and reconsiders, ms. */
    adaptIntervalMs: number;
    /**
     * Idle machine, in cores, the adaptive dispatcher needs before it adds a worker thread (on a
     * device shared with the broker, a thread without a core only adds hand-over cost); 0 adds
     * workers whatever the machine's load.
     */
    spareCores: number;
    /** Messages each worker may have queued before the overload policy applies. */
    queueCapacity: number;
    overload: OverloadPolicy;
    /**
     * Old-generation heap of each worker, MB: a message that needs more stops only its worker
     * (restarted at once) and is judged `processing-failed`.
     */
    workerHeapMb: number;
    /**
     * A worker judging one message this long is stopped and restarted, the message judged
     * `processing-failed`; the messages behind it are judged by the restarted worker.
     */
    taskTimeoutMs: number;
  };
  /** What runs on each judged message after validation (see `src/processors/README.md`). */
  processors: {
    /**
     * The chains file (YAML or JSON): the processors of each channel, reloaded when it changes.
     * Absent, every channel's chain is `[enforce]` (the `enforcement` section alone decides).
     */
    file?: string;
  };
  /** What judging one message may cost. */
  limits: {
    /**
     * Largest payload, bytes, of a channel without `x-max-payload-bytes` in its contract; larger
     * ones are judged `payload-too-large` without being read.
     */
    maxPayloadBytes: number;
    /** Payloads up to this size are checked for every schema error, larger ones up to the first. */
    fullReportMaxBytes: number;
    /** Schema errors listed per verdict; one more error says how many more there were. */
    maxErrorsPerVerdict: number;
  };
  store: {
    /** `postgres://` connection string; when absent, the embedded store (PGlite) is used. */
    databaseUrl?: string;
    /** Directory of the embedded store; when absent too, it lives in memory. */
    dataDir?: string;
    /** Length of a counting bucket, in seconds. */
    bucketSeconds: number;
    /** How often counts and samples are written, in milliseconds. */
    flushIntervalMs: number;
    /** Violation samples kept per flush interval and (channel, error kind). */
    samplesPerKind: number;
    retention: {
      /** Counts, samples and ids of applied batches older than this many days are deleted. */
      days: number;
      /** How often the store is pruned (and once at start), in milliseconds. */
      pruneIntervalMs: number;
    };
  };
  enforcement: {
    /** Mode of channels not listed in `channels`. */
    defaultMode: EnforcementMode;
    /** Mode per AsyncAPI channel id. */
    channels: Record<string, EnforcementMode>;
    /** Invalid messages of quarantine channels are republished under `<prefix>/<original topic>`. */
    quarantinePrefix: string;
    /** Valid messages of filter channels are republished under `<prefix>/<original topic>`. */
    validatedPrefix: string;
  };
  summaries: {
    /** How often compliance summaries are published to the contract's `_validation` topics, ms. */
    intervalMs: number;
    /** Enterprise level of the summary topics `{enterprise}/{site}/_validation`. */
    enterprise: string;
    /**
     * The site id of the plant the validator serves: its contracts in force are published
     * (retained) to `{enterprise}/{site}/_validation/contracts` from the start. Absent, they are
     * published for each site the validator summarizes, from its first summary on.
     */
    site?: string;
    /**
     * Violation samples published per site and summary interval to
     * `{enterprise}/{site}/_validation/violations`; further invalid messages are only counted
     * (`uns_validator_violation_samples_total{result="over-cap"}`). 0 publishes none.
     */
    violationSamplesPerSite: number;
  };
  http: {
    host: string;
    /** Port of health, readiness, metrics and the compliance API; 0 picks a free port. */
    port: number;
    /** Directory of the built dashboard to serve at `/`; none served when absent. */
    dashboardDir?: string;
    /**
     * Base URL of the anomaly inference runtime's HTTP server, whose `/api/v1/anomalies/*` the
     * validator relays so that the dashboard it serves reads both APIs from one origin; none
     * relayed when absent.
     */
    anomalyApi?: string;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

const enforcementMode = { type: 'string', enum: ['monitor', 'quarantine', 'filter'] } as const;
const contractPaths = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 },
} as const;
const contractsSection = {
  type: 'object',
  additionalProperties: false,
  required: ['paths', 'strict'],
  properties: { paths: contractPaths, strict: { type: 'boolean' } },
} as const;

const schema: JSONSchemaType<ValidatorConfig> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'broker',
    'contracts',
    'pool',
    'processors',
    'limits',
    'store',
    'enforcement',
    'summaries',
    'http',
    'logLevel',
  ],
  properties: {
    broker: brokerSection.schema<ValidatorConfig['broker']>({
      topics: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      qos: { type: 'integer', enum: [0, 1] },
    }),
    contracts: contractsSection,
    pool: {
      type: 'object',
      additionalProperties: false,
      required: [
        'dispatch',
        'workers',
        'minWorkers',
        'adaptIntervalMs',
        'spareCores',
        'queueCapacity',
        'overload',
        'workerHeapMb',
        'taskTimeoutMs',
      ],
      properties: {
        dispatch: { type: 'string', enum: ['adaptive', 'inline', 'workers'] },
        workers: { type: 'integer', minimum: 1, maximum: 64 },
        minWorkers: { type: 'integer', minimum: 1, maximum: 64 },
        adaptIntervalMs: { type: 'integer', minimum: 100, maximum: 60_000 },
        spareCores: { type: 'number', minimum: 0, maximum: 64 },
        queueCapacity: { type: 'integer', minimum: 1 },
        overload: { type: 'string', enum: ['drop-newest', 'backpressure'] },
        workerHeapMb: { type: 'integer', minimum: 32, maximum: 16_384 },
        taskTimeoutMs: { type: 'integer', minimum: 100 },
      },
    },
    processors: {
      type: 'object',
      additionalProperties: false,
      required: [],
      properties: { file: { type: 'string', minLength: 1, nullable: true } },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      required: ['maxPayloadBytes', 'fullReportMaxBytes', 'maxErrorsPerVerdict'],
      properties: {
        maxPayloadBytes: { type: 'integer', minimum: 1, maximum: 268_435_456 },
        fullReportMaxBytes: { type: 'integer', minimum: 0 },
        maxErrorsPerVerdict: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      required: ['bucketSeconds', 'flushIntervalMs', 'samplesPerKind', 'retention'],
      properties: {
        databaseUrl: { type: 'string', pattern: '^postgres(ql)?://', nullable: true },
        dataDir: { type: 'string', nullable: true },
        bucketSeconds: { type: 'integer', minimum: 1 },
        flushIntervalMs: { type: 'integer', minimum: 100 },
        samplesPerKind: { type: 'integer', minimum: 0 },
        retention: {
          type: 'object',
          additionalProperties: false,
          required: ['days', 'pruneIntervalMs'],
          properties: {
            days: { type: 'integer', minimum: 1 },
            pruneIntervalMs: { type: 'integer', minimum: 100 },
          },
        },
      },
    },
    enforcement: {
      type: 'object',
      additionalProperties: false,
      required: ['defaultMode', 'channels', 'quarantinePrefix', 'validatedPrefix'],
      properties: {
        defaultMode: enforcementMode,
        channels: {
          type: 'object',
          required: [],
          additionalProperties: enforcementMode,
        },
        quarantinePrefix: { type: 'string', pattern: '^[^#+]+$' },
        validatedPrefix: { type: 'string', pattern: '^[^#+]+$' },
      },
    },
    summaries: {
      type: 'object',
      additionalProperties: false,
      required: ['intervalMs', 'enterprise', 'violationSamplesPerSite'],
      properties: {
        intervalMs: { type: 'integer', minimum: 1000 },
        enterprise: { type: 'string', pattern: '^[^/#+]+$' },
        site: { type: 'string', pattern: SITE_ID_PATTERN.source, nullable: true },
        violationSamplesPerSite: { type: 'integer', minimum: 0, maximum: 10_000 },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      properties: {
        host: { type: 'string' },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        dashboardDir: { type: 'string', minLength: 1, nullable: true },
        anomalyApi: { type: 'string', pattern: '^https?://', nullable: true },
      },
    },
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] },
  },
};

/**
 * The schema of the configuration as written: `contracts` may also be a bare list of paths, short
 * for `{ paths: [...] }` (what earlier versions took, and what the recipe and the local plant set).
 */
const writtenSchema = {
  ...schema,
  properties: {
    ...schema.properties,
    contracts: {
      anyOf: [contractPaths, { ...contractsSection, required: ['paths'] }],
    },
  },
};

/** The configuration as written, before `contracts` is brought to its one form. */
type WrittenConfig = Omit<ValidatorConfig, 'contracts'> & {
  contracts: string[] | { paths: string[]; strict?: boolean };
};

/** The configuration a validator runs with when nothing is set. */
export const DEFAULT_CONFIG: ValidatorConfig = {
  broker: { ...brokerSection.defaults('uns-validator'), topics: ['#'], qos: 0 },
  contracts: { paths: ['asyncapi'], strict: false },
  pool: {
    dispatch: 'adaptive',
    workers: 2,
    minWorkers: 1,
    adaptIntervalMs: 1000,
    spareCores: 0.5,
    queueCapacity: 10_000,
    overload: 'drop-newest',
    workerHeapMb: 256,
    taskTimeoutMs: 2_000,
  },
  processors: {},
  limits: { ...DEFAULT_JUDGING_LIMITS },
  store: {
    bucketSeconds: 60,
    flushIntervalMs: 5000,
    samplesPerKind: 5,
    retention: { days: 30, pruneIntervalMs: 3_600_000 },
  },
  enforcement: {
    defaultMode: 'monitor',
    channels: {},
    quarantinePrefix: '_quarantine',
    validatedPrefix: '_validated',
  },
  summaries: { intervalMs: 60_000, enterprise: 'acme', violationSamplesPerSite: 20 },
  http: { host: '127.0.0.1', port: 9464 },
  logLevel: 'info',
};

/** A configuration that cannot run; the message lists every problem. */
export { ConfigError };

/** Where configuration comes from, lowest precedence first after the defaults. */
export interface ConfigSources {
  /** A YAML or JSON file (`--config`). */
  file?: string;
  /** The process environment (see {@link ENVIRONMENT_VARIABLES}). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Environment variables the validator reads. `UNS_VALIDATOR_CONFIG_JSON` carries any part of the
 * configuration as JSON (the Greengrass recipe sets it from the component configuration); the
 * others set single values and win over it.
 */
export const ENVIRONMENT_VARIABLES = {
  UNS_VALIDATOR_CONFIG_JSON: 'configuration as JSON (any subset)',
  UNS_VALIDATOR_BROKER_URL: 'broker.url',
  UNS_VALIDATOR_BROKER_USERNAME: 'broker.username',
  UNS_VALIDATOR_BROKER_PASSWORD: 'broker.password',
  UNS_VALIDATOR_CONTRACTS: 'contracts.paths, comma-separated',
  UNS_VALIDATOR_PROCESSORS: 'processors.file',
  UNS_VALIDATOR_DATABASE_URL: 'store.databaseUrl',
  UNS_VALIDATOR_DATA_DIR: 'store.dataDir',
  UNS_VALIDATOR_HTTP_PORT: 'http.port',
  UNS_VALIDATOR_DASHBOARD_DIR: 'http.dashboardDir',
  UNS_VALIDATOR_LOG_LEVEL: 'logLevel',
  UNS_VALIDATOR_WORK_DIR:
    'folder relative data paths are taken from; the Greengrass recipe sets it to {work:path}',
} as const;

/**
 * Loads the configuration: defaults, then the file, then `UNS_VALIDATOR_CONFIG_JSON`, then the
 * single-value variables; validates the result against the schema. A relative `store.dataDir` is
 * taken relative to `UNS_VALIDATOR_WORK_DIR` when that is set.
 *
 * @throws ConfigError listing every problem (unreadable file, bad JSON, schema violations).
 */
export function loadConfig(sources: ConfigSources = {}): ValidatorConfig {
  const env = sources.env ?? {};
  const written = loadLayeredConfig<WrittenConfig>({
    component: 'uns-validator',
    schema: writtenSchema,
    defaults: DEFAULT_CONFIG,
    file: sources.file,
    jsonVariable: { name: 'UNS_VALIDATOR_CONFIG_JSON', value: env.UNS_VALIDATOR_CONFIG_JSON },
    overrides: (problems) => [singleValueVariables(env, problems)],
    workFolder: {
      path: env.UNS_VALIDATOR_WORK_DIR,
      settings: ['store.dataDir', 'processors.file'],
    },
    check: ({ pool }) =>
      pool.minWorkers > pool.workers
        ? [
            `pool.minWorkers (${String(pool.minWorkers)}) must not exceed pool.workers (${String(pool.workers)})`,
          ]
        : [],
  });
  const { contracts } = written;
  return {
    ...written,
    contracts: Array.isArray(contracts)
      ? { paths: contracts, strict: false }
      : { paths: contracts.paths, strict: contracts.strict ?? false },
  };
}

function singleValueVariables(env: NodeJS.ProcessEnv, problems: string[]): unknown {
  const layer: Record<string, unknown> = {};
  const text = (value: string | undefined) => (value === '' ? undefined : value);
  brokerSection.setVariables(layer, 'broker', 'UNS_VALIDATOR_BROKER', env);
  setPath(
    layer,
    'contracts.paths',
    text(env.UNS_VALIDATOR_CONTRACTS)
      ?.split(',')
      .map((p) => p.trim()),
  );
  setPath(layer, 'processors.file', text(env.UNS_VALIDATOR_PROCESSORS));
  setPath(layer, 'store.databaseUrl', text(env.UNS_VALIDATOR_DATABASE_URL));
  setPath(layer, 'store.dataDir', text(env.UNS_VALIDATOR_DATA_DIR));
  setPath(
    layer,
    'http.port',
    parseNumberSetting(env.UNS_VALIDATOR_HTTP_PORT, 'UNS_VALIDATOR_HTTP_PORT', problems, {
      integer: true,
    }),
  );
  setPath(layer, 'logLevel', text(env.UNS_VALIDATOR_LOG_LEVEL));
  return layer;
}
