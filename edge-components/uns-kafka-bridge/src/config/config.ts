import type { JSONSchemaType } from 'ajv';
import { KAFKA_TOPIC_PATTERN, Router, type Route } from '../mapping/router';
import { TopicFilter } from '../mapping/topic-filter';
import { type BrokerConnection, brokerSection, loadLayeredConfig } from '@uns-mlops/edge-common';

/** How the bridge authenticates to Kafka. */
export type KafkaSecurity = 'plaintext' | 'tls' | 'iam';

/** What happens to a message when the spool is full. */
export type SpoolFullPolicy = 'backpressure' | 'drop-oldest';

/** The bridge's whole configuration, after defaults. */
export interface BridgeConfig {
  /**
   * The UNS broker. Its `clientId` stays fixed: the broker keeps the session (and queued QoS 1
   * messages) under it.
   */
  mqtt: BrokerConnection & {
    /** Topic filters to forward (subscribed with QoS 1). */
    topics: string[];
    /** MQTT 5: how long the broker keeps the session after a disconnect, in seconds. */
    sessionExpirySeconds: number;
    /** MQTT 5: unacknowledged messages the broker may have in flight to the bridge. */
    receiveMaximum: number;
  };
  kafka: {
    /** Bootstrap brokers, `host:port`. */
    brokers: string[];
    clientId: string;
    security: {
      protocol: KafkaSecurity;
      /** PEM CA bundle for TLS (default: the system's). */
      caFile?: string;
      /** PEM client certificate and key for mutual TLS. */
      certFile?: string;
      keyFile?: string;
      /** AWS region of the MSK cluster, for IAM (default: `AWS_REGION` of the environment). */
      region?: string;
    };
    compression: 'gzip' | 'none';
    /**
     * zlib level of gzip, 1 (fastest) to 9 (smallest). At 1, telemetry JSON costs the bridge about
     * a tenth of the CPU of zlib's default 6 and comes out about a fifth larger (README).
     */
    gzipLevel: number;
    /**
     * How long a record may wait for more to join its produce request (Kafka's `linger.ms`):
     * fewer, larger requests cost the bridge and the broker less CPU per record. A full batch
     * goes at once.
     */
    lingerMs: number;
    /** Most records and bytes (sum of values) in one produce request. */
    batchMaxMessages: number;
    batchMaxBytes: number;
    /**
     * Largest record (payload, key and headers) the bridge forwards as it is. A larger message
     * goes to the dead-letter topic without its payload (reason `record-too-large`, its size in
     * `uns-original-bytes`), since Kafka would refuse it for ever. Keep it below the
     * `max.message.bytes` of the cluster's topics (1 MiB by default); a record Kafka refuses as
     * too large all the same is dead-lettered, without its value if the dead-letter topic refuses
     * it too.
     */
    maxRecordBytes: number;
    /** A produce not acknowledged within this time counts as failed: its records go to the spool. */
    ackTimeoutMs: number;
    /** Wait between attempts to drain the spool while Kafka fails. */
    retryBackoffMs: number;
    /**
     * How long the records of a topic Kafka refused (not authorized, unknown, invalid) go straight
     * to the dead letter before the topic is tried again.
     */
    rejectedTopicRecheckMs: number;
  };
  mapping: {
    /** First matching route wins. */
    routes: Route[];
    /**
     * The dead-letter topic: messages no route matches (keyed by their MQTT topic), and records
     * Kafka refuses for their own topic (keyed as they were). It must exist on the cluster.
     */
    fallbackTopic: string;
    /**
     * Topic filters of UNS messages not forwarded at all (acknowledged and counted as dropped,
     * `excluded`); they win over the routes.
     */
    exclude: string[];
  };
  /** AsyncAPI document whose `info.version` travels in every record's headers. */
  contract: string;
  spool: {
    /** Directory of the spool's segment files and committed offset. */
    dir: string;
    /** Most bytes of segment files on disk. */
    maxBytes: number;
    /** Size at which a segment file is closed and a new one started. */
    segmentBytes: number;
    whenFull: SpoolFullPolicy;
  };
  heartbeat: {
    /** Kafka topic of the heartbeat records. */
    topic: string;
    intervalMs: number;
    /**
     * ISA-95 site id of the plant the bridge serves, carried in every heartbeat as `site`, so that
     * cloud consumers can tell the bridges of each site apart (the edge KPI metrics count only
     * heartbeats with a site). Absent by default: heartbeats then carry no site.
     */
    site?: string;
  };
  health: {
    /** Unhealthy when a received message has waited this long with nothing produced to Kafka. */
    stallAfterMs: number;
  };
  http: {
    host: string;
    /** Port of health, readiness and metrics; 0 picks a free port. */
    port: number;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const optionalString = { type: 'string', nullable: true } as const;
const kafkaTopic = { type: 'string', pattern: KAFKA_TOPIC_PATTERN } as const;
/** A site id as the UNS contract's `{site}` level allows it. */
const ISA95_SITE_PATTERN = '^[a-z][a-z0-9-]{0,31}$';

const schema: JSONSchemaType<BridgeConfig> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'mqtt',
    'kafka',
    'mapping',
    'contract',
    'spool',
    'heartbeat',
    'health',
    'http',
    'logLevel',
  ],
  properties: {
    mqtt: brokerSection.schema<BridgeConfig['mqtt']>({
      topics: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      sessionExpirySeconds: { type: 'integer', minimum: 1, maximum: 4294967295 },
      receiveMaximum: { type: 'integer', minimum: 1, maximum: 65535 },
    }),
    kafka: {
      type: 'object',
      additionalProperties: false,
      required: [
        'brokers',
        'clientId',
        'security',
        'compression',
        'gzipLevel',
        'lingerMs',
        'batchMaxMessages',
        'batchMaxBytes',
        'maxRecordBytes',
        'ackTimeoutMs',
        'retryBackoffMs',
        'rejectedTopicRecheckMs',
      ],
      properties: {
        brokers: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^[^:/\\s]+:\\d{1,5}$' },
        },
        clientId: { type: 'string', minLength: 1 },
        security: {
          type: 'object',
          additionalProperties: false,
          required: ['protocol'],
          properties: {
            protocol: { type: 'string', enum: ['plaintext', 'tls', 'iam'] },
            caFile: optionalString,
            certFile: optionalString,
            keyFile: optionalString,
            region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', nullable: true },
          },
        },
        compression: { type: 'string', enum: ['gzip', 'none'] },
        gzipLevel: { type: 'integer', minimum: 1, maximum: 9 },
        lingerMs: { type: 'integer', minimum: 0, maximum: 1000 },
        batchMaxMessages: { type: 'integer', minimum: 1, maximum: 100_000 },
        batchMaxBytes: { type: 'integer', minimum: 1024, maximum: 16_777_216 },
        maxRecordBytes: { type: 'integer', minimum: 1024, maximum: 16_777_216 },
        ackTimeoutMs: { type: 'integer', minimum: 500 },
        retryBackoffMs: { type: 'integer', minimum: 10 },
        rejectedTopicRecheckMs: { type: 'integer', minimum: 1000 },
      },
    },
    mapping: {
      type: 'object',
      additionalProperties: false,
      required: ['routes', 'fallbackTopic', 'exclude'],
      properties: {
        routes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['filter', 'topic', 'key'],
            properties: {
              filter: { type: 'string', minLength: 1 },
              topic: kafkaTopic,
              key: { type: 'string' },
            },
          },
        },
        fallbackTopic: kafkaTopic,
        exclude: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    },
    contract: { type: 'string', minLength: 1 },
    spool: {
      type: 'object',
      additionalProperties: false,
      required: ['dir', 'maxBytes', 'segmentBytes', 'whenFull'],
      properties: {
        dir: { type: 'string', minLength: 1 },
        maxBytes: { type: 'integer', minimum: 65_536 },
        segmentBytes: { type: 'integer', minimum: 4096, maximum: 1_073_741_824 },
        whenFull: { type: 'string', enum: ['backpressure', 'drop-oldest'] },
      },
    },
    heartbeat: {
      type: 'object',
      additionalProperties: false,
      required: ['topic', 'intervalMs'],
      properties: {
        topic: kafkaTopic,
        intervalMs: { type: 'integer', minimum: 100 },
        site: { type: 'string', pattern: ISA95_SITE_PATTERN, nullable: true },
      },
    },
    health: {
      type: 'object',
      additionalProperties: false,
      required: ['stallAfterMs'],
      properties: { stallAfterMs: { type: 'integer', minimum: 100 } },
    },
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

const ASSET_PATH = '{0}/{1}/{2}/{3}/{4}/{5}';
const ISA95_ASSET = '+/+/+/+/+/+';

/**
 * Default routes: one Kafka topic per data class of the UNS contract, keyed by the asset path
 * (`enterprise/site/area/line/cell/asset`) so each asset's messages stay in order. Sparkplug
 * messages are keyed by `group/edgeNode`: an edge node's sequence numbers run across its devices,
 * so node and device messages share one key to keep the order those numbers describe. Site-level
 * messages (the validator's summaries, violation samples and contracts in force, i.e.
 * `{enterprise}/{site}/_validation` and below; the inference runtime's model status) are keyed by
 * `enterprise/site`, and so are the validator's quarantine envelopes
 * (`_quarantine/<original topic>`), which are validation results (README: what goes where).
 */
export const DEFAULT_ROUTES: Route[] = [
  { filter: 'spBv1.0/STATE/+', topic: 'uns.sparkplug', key: 'STATE/{2}' },
  { filter: 'spBv1.0/+/+/+/#', topic: 'uns.sparkplug', key: '{1}/{3}' },
  // `#` matches the parent level too: the summaries' `{enterprise}/{site}/_validation` as well.
  { filter: '+/+/_validation/#', topic: 'uns.validation', key: '{0}/{1}' },
  { filter: '_quarantine/+/+/#', topic: 'uns.validation', key: '{1}/{2}' },
  { filter: '+/+/_ml/+/status', topic: 'uns.ml', key: '{0}/{1}' },
  { filter: `${ISA95_ASSET}/telemetry/#`, topic: 'uns.telemetry', key: ASSET_PATH },
  { filter: `${ISA95_ASSET}/state`, topic: 'uns.state', key: ASSET_PATH },
  { filter: `${ISA95_ASSET}/alarm`, topic: 'uns.alarm', key: ASSET_PATH },
  { filter: `${ISA95_ASSET}/inspection`, topic: 'uns.inspection', key: ASSET_PATH },
  { filter: `${ISA95_ASSET}/_ml/#`, topic: 'uns.ml', key: ASSET_PATH },
];

/**
 * Not forwarded by default: the validator's `filter` mirror (`_validated/<original topic>`), a
 * copy of messages the bridge forwards from their original topic anyway.
 */
export const DEFAULT_EXCLUDE: string[] = ['_validated/#'];

/** The configuration a bridge runs with when nothing is set. */
export const DEFAULT_CONFIG: BridgeConfig = {
  mqtt: {
    ...brokerSection.defaults('uns-kafka-bridge'),
    topics: ['#'],
    sessionExpirySeconds: 7 * 24 * 3600,
    receiveMaximum: 10_000,
  },
  kafka: {
    brokers: ['127.0.0.1:9092'],
    clientId: 'uns-kafka-bridge',
    security: { protocol: 'plaintext' },
    compression: 'gzip',
    gzipLevel: 1,
    lingerMs: 5,
    batchMaxMessages: 5000,
    batchMaxBytes: 900_000,
    maxRecordBytes: 1_000_000,
    ackTimeoutMs: 5000,
    retryBackoffMs: 1000,
    rejectedTopicRecheckMs: 300_000,
  },
  mapping: { routes: DEFAULT_ROUTES, fallbackTopic: 'uns.dead-letter', exclude: DEFAULT_EXCLUDE },
  contract: 'asyncapi/uns-welding.asyncapi.yaml',
  spool: {
    dir: 'spool',
    maxBytes: 1024 ** 3,
    segmentBytes: 16 * 1024 ** 2,
    whenFull: 'backpressure',
  },
  heartbeat: { topic: 'uns.heartbeat', intervalMs: 10_000 },
  health: { stallAfterMs: 30_000 },
  http: { host: '127.0.0.1', port: 9466 },
  logLevel: 'info',
};

/**
 * Environment variables the bridge reads. `UNS_BRIDGE_CONFIG_JSON` carries any part of the
 * configuration as JSON (the Greengrass recipe sets it from the component configuration); the
 * others set single values and win over it.
 */
export const ENVIRONMENT_VARIABLES = {
  UNS_BRIDGE_CONFIG_JSON: 'configuration as JSON (any subset)',
  UNS_BRIDGE_MQTT_URL: 'mqtt.url',
  UNS_BRIDGE_MQTT_USERNAME: 'mqtt.username',
  UNS_BRIDGE_MQTT_PASSWORD: 'mqtt.password',
  UNS_BRIDGE_MQTT_CLIENT_ID: 'mqtt.clientId',
  UNS_BRIDGE_KAFKA_BROKERS: 'kafka.brokers, comma-separated',
  UNS_BRIDGE_KAFKA_SECURITY: 'kafka.security.protocol',
  UNS_BRIDGE_SPOOL_DIR: 'spool.dir',
  UNS_BRIDGE_CONTRACT: 'contract',
  UNS_BRIDGE_HTTP_PORT: 'http.port',
  UNS_BRIDGE_LOG_LEVEL: 'logLevel',
  UNS_BRIDGE_WORK_DIR:
    'folder relative data paths are taken from; the Greengrass recipe sets it to {work:path}',
} as const;

/**
 * Loads the configuration: defaults, then the file, then `UNS_BRIDGE_CONFIG_JSON`, then the
 * single-value variables; validates the result against the schema and the cross-field rules. A
 * relative `spool.dir` is taken relative to `UNS_BRIDGE_WORK_DIR` when that is set.
 *
 * @throws ConfigError listing every problem.
 */
export function loadConfig(sources: { file?: string; env?: NodeJS.ProcessEnv } = {}): BridgeConfig {
  const env = sources.env ?? {};
  return loadLayeredConfig({
    component: 'uns-kafka-bridge',
    schema,
    defaults: DEFAULT_CONFIG,
    file: sources.file,
    jsonVariable: { name: 'UNS_BRIDGE_CONFIG_JSON', value: env.UNS_BRIDGE_CONFIG_JSON },
    overrides: (problems) => [singleValueVariables(env, problems)],
    check: (config) => crossFieldProblems(config, env),
    workFolder: { path: env.UNS_BRIDGE_WORK_DIR, settings: ['spool.dir'] },
  });
}

function singleValueVariables(env: NodeJS.ProcessEnv, problems: string[]): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  const section = (name: string) => (layer[name] ??= {}) as Record<string, unknown>;
  brokerSection.setVariables(layer, 'mqtt', 'UNS_BRIDGE_MQTT', env);
  if (env.UNS_BRIDGE_MQTT_CLIENT_ID) section('mqtt').clientId = env.UNS_BRIDGE_MQTT_CLIENT_ID;
  if (env.UNS_BRIDGE_KAFKA_BROKERS)
    section('kafka').brokers = env.UNS_BRIDGE_KAFKA_BROKERS.split(',').map((b) => b.trim());
  if (env.UNS_BRIDGE_KAFKA_SECURITY)
    section('kafka').security = { protocol: env.UNS_BRIDGE_KAFKA_SECURITY };
  if (env.UNS_BRIDGE_SPOOL_DIR) section('spool').dir = env.UNS_BRIDGE_SPOOL_DIR;
  if (env.UNS_BRIDGE_CONTRACT) layer.contract = env.UNS_BRIDGE_CONTRACT;
  if (env.UNS_BRIDGE_HTTP_PORT) {
    const port = Number(env.UNS_BRIDGE_HTTP_PORT);
    if (Number.isInteger(port)) section('http').port = port;
    else
      problems.push(
        `UNS_BRIDGE_HTTP_PORT ${JSON.stringify(env.UNS_BRIDGE_HTTP_PORT)} is not a port number`,
      );
  }
  if (env.UNS_BRIDGE_LOG_LEVEL) layer.logLevel = env.UNS_BRIDGE_LOG_LEVEL;
  return layer;
}

function crossFieldProblems(config: BridgeConfig, env: NodeJS.ProcessEnv): string[] {
  const problems = Router.problems(config.mapping.routes);
  for (const [path, filters] of [
    ['mqtt.topics', config.mqtt.topics],
    ['mapping.exclude', config.mapping.exclude],
  ] as const) {
    for (const [index, filter] of filters.entries()) {
      const problem = TopicFilter.problem(filter);
      if (problem !== undefined) problems.push(`${path}.${index} ${problem}`);
    }
  }
  const { security } = config.kafka;
  if (security.protocol === 'iam' && security.region === undefined && !env.AWS_REGION)
    problems.push('kafka.security.region is required for IAM authentication (or set AWS_REGION)');
  if (security.protocol === 'plaintext' && (security.caFile ?? security.certFile) !== undefined)
    problems.push('kafka.security: caFile/certFile need protocol tls or iam, not plaintext');
  if ((security.certFile === undefined) !== (security.keyFile === undefined))
    problems.push('kafka.security: certFile and keyFile go together');
  if ((config.mqtt.certFile === undefined) !== (config.mqtt.keyFile === undefined))
    problems.push('mqtt: certFile and keyFile go together');
  if (config.kafka.maxRecordBytes >= config.spool.segmentBytes)
    problems.push(
      `kafka.maxRecordBytes (${config.kafka.maxRecordBytes}) must be below spool.segmentBytes (${config.spool.segmentBytes})`,
    );
  if (config.spool.maxBytes < 2 * config.spool.segmentBytes)
    problems.push(
      `spool.maxBytes (${config.spool.maxBytes}) must be at least twice spool.segmentBytes (${config.spool.segmentBytes})`,
    );
  return problems;
}
