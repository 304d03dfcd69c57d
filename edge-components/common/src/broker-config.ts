import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import type { JSONSchemaType } from 'ajv';
import { setPath } from './layered-config';

/** How a component connects to the UNS broker: what every component's broker section holds. */
export interface BrokerConnection {
  /** `mqtt://`, `mqtts://`, `ws://` or `wss://` URL of the UNS broker. */
  url: string;
  clientId: string;
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  /** PEM files for TLS: CA bundle, and client certificate + key for certificate authentication. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Milliseconds between reconnect attempts. */
  reconnectPeriodMs: number;
}

/**
 * The MQTT.js client options every component derives from its {@link BrokerConnection} (the TLS
 * files read); each adds its own session settings (`clean`, `resubscribe`, `properties`).
 */
export interface MqttConnectionOptions extends LeanMqttClientOptions {
  clientId: string;
  protocolVersion: 4 | 5;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  reconnectPeriod: number;
}

/** MQTT.js options that cut its CPU per message (see {@link LEAN_MQTT_CLIENT}). */
export interface LeanMqttClientOptions {
  log?: (...args: unknown[]) => void;
  reschedulePings: boolean;
}

/**
 * MQTT.js options that save CPU on every packet, for the components and for benchmark clients
 * that should cost the same: MQTT.js calls its `debug` logger several times per packet even when
 * it is off (kept when `DEBUG` is set, to trace MQTT.js), and re-arms its keepalive timer on every
 * packet sent (with `reschedulePings: false` pings go every keepalive period, busy or not). In CPU
 * profiles at 30,000 msg/s the debug calls were 1-2 % of the bridge's time and 4 % of a publisher's.
 */
export const LEAN_MQTT_CLIENT: LeanMqttClientOptions = {
  ...(process.env.DEBUG === undefined && { log: () => undefined }),
  reschedulePings: false,
};

/** The MQTT.js client options of `connection`, reading its TLS files. */
export function mqttConnectionOptions(
  connection: BrokerConnection,
  readFile: (path: string) => Buffer = readFileSync,
): MqttConnectionOptions {
  return {
    clientId: connection.clientId,
    protocolVersion: connection.protocolVersion,
    username: connection.username,
    password: connection.password,
    ...(connection.caFile !== undefined && { ca: readFile(connection.caFile) }),
    ...(connection.certFile !== undefined && { cert: readFile(connection.certFile) }),
    ...(connection.keyFile !== undefined && { key: readFile(connection.keyFile) }),
    reconnectPeriod: connection.reconnectPeriodMs,
    ...LEAN_MQTT_CLIENT,
  };
}

/** Schemas of the settings a component's broker section `T` adds to {@link BrokerConnection}. */
type ExtraProperties<T extends BrokerConnection> = {
  [K in Exclude<keyof T, keyof BrokerConnection>]-?: JSONSchemaType<T[K]>;
};

const optionalString = { type: 'string', nullable: true } as const;

/**
 * The broker section of a component's configuration (`broker`, or `mqtt` in the bridge): its
 * schema, defaults and environment variables.
 */
export const brokerSection = {
  /**
   * The JSON Schema of the section: the {@link BrokerConnection} settings and the component's
   * own, `extra`, which are all required (give each a default). No other key is allowed.
   */
  schema<T extends BrokerConnection>(extra: ExtraProperties<T>): JSONSchemaType<T> {
    // TypeScript cannot check a literal against the schema type of a generic T: the parts are
    // typed by BrokerConnection (here) and ExtraProperties<T> (extra).
    return {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'clientId', 'protocolVersion', ...Object.keys(extra), 'reconnectPeriodMs'],
      properties: {
        url: { type: 'string', pattern: '^(mqtts?|wss?)://.+' },
        clientId: { type: 'string', minLength: 1, maxLength: 128 },
        protocolVersion: { type: 'integer', enum: [4, 5] },
        username: optionalString,
        password: optionalString,
        caFile: optionalString,
        certFile: optionalString,
        keyFile: optionalString,
        ...extra,
        reconnectPeriodMs: { type: 'integer', minimum: 100 },
      },
    } as unknown as JSONSchemaType<T>;
  },

  /** The connection when nothing is set: the local broker over MQTT 5, as `clientId`. */
  defaults(clientId: string): BrokerConnection {
    return { url: 'mqtt://127.0.0.1:1883', clientId, protocolVersion: 5, reconnectPeriodMs: 1000 };
  },

  /**
   * Sets `<section>.url`, `.username` and `.password` of a configuration layer (see
   * {@link setPath}) from the environment variables `<prefix>_URL`, `<prefix>_USERNAME` and
   * `<prefix>_PASSWORD`; unset and empty variables are skipped.
   */
  setVariables(
    layer: Record<string, unknown>,
    section: string,
    prefix: string,
    env: NodeJS.ProcessEnv,
  ): void {
    for (const key of ['url', 'username', 'password']) {
      const value = env[`${prefix}_${key.toUpperCase()}`];
      if (value !== undefined && value !== '') setPath(layer, `${section}.${key}`, value);
    }
  },
};

/**
 * Turns Nagle's algorithm off on an MQTT client's TCP or TLS connection (call it on each
 * `connect`): small packets written together, such as the PUBACKs of a whole Kafka batch or a
 * burst of republications, then leave at once instead of waiting for the previous ones'
 * acknowledgement (bridge bench: p99 at 30,000 msg/s 28-42 ms with it off, 52-262 ms with it on).
 */
export function disableNagle(stream: unknown): void {
  if (stream instanceof Socket) stream.setNoDelay(true);
}
