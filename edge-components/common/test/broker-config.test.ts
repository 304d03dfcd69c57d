import {
  type BrokerConnection,
  brokerSection,
  LEAN_MQTT_CLIENT,
  mqttConnectionOptions,
} from '../src/broker-config';
import { ConfigError, loadLayeredConfig } from '../src/layered-config';

interface DemoConfig {
  broker: BrokerConnection & { qos: 0 | 1 };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['broker'],
  properties: {
    broker: brokerSection.schema<DemoConfig['broker']>({ qos: { type: 'integer', enum: [0, 1] } }),
  },
};
const defaults: DemoConfig = { broker: { ...brokerSection.defaults('demo'), qos: 0 } };

function load(broker: Record<string, unknown>): DemoConfig {
  return loadLayeredConfig({
    component: 'demo',
    schema,
    defaults,
    jsonVariable: { name: 'DEMO_JSON', value: JSON.stringify({ broker }) },
  });
}

function problemsOf(broker: Record<string, unknown>): readonly string[] {
  try {
    load(broker);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
  }
  throw new Error('expected a ConfigError');
}

describe('brokerSection', () => {
  it('defaults to the local broker over MQTT 5', () => {
    expect(load({}).broker).toEqual({
      url: 'mqtt://127.0.0.1:1883',
      clientId: 'demo',
      protocolVersion: 5,
      reconnectPeriodMs: 1000,
      qos: 0,
    });
  });

  it('accepts credentials and TLS files', () => {
    const tls = { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' };
    const broker = { url: 'mqtts://b:8883', username: 'u', password: 'p', ...tls };
    expect(load(broker).broker).toMatchObject(broker);
  });

  it("checks the common settings, the component's own, and refuses unknown ones", () => {
    expect(
      problemsOf({ url: 'http://b', protocolVersion: 3, reconnectPeriodMs: 10, qos: 2, x: 1 }),
    ).toEqual([
      'broker must NOT have additional properties (x)',
      'broker.url must match pattern "^(mqtts?|wss?)://.+"',
      'broker.protocolVersion must be equal to one of the allowed values (4, 5)',
      'broker.qos must be equal to one of the allowed values (0, 1)',
      'broker.reconnectPeriodMs must be >= 100',
    ]);
  });

  it('sets url, username and password from environment variables, skipping empty ones', () => {
    const layer: Record<string, unknown> = { broker: { qos: 1 } };
    brokerSection.setVariables(layer, 'broker', 'DEMO_BROKER', {
      DEMO_BROKER_URL: 'mqtt://env:1883',
      DEMO_BROKER_USERNAME: '',
      DEMO_BROKER_PASSWORD: 'secret',
    });
    expect(layer).toEqual({ broker: { qos: 1, url: 'mqtt://env:1883', password: 'secret' } });
  });

  it('turns a connection into MQTT.js options, reading only the TLS files that are set', () => {
    const read: string[] = [];
    const readFile = (path: string) => {
      read.push(path);
      return Buffer.from(`pem of ${path}`);
    };
    const connection = { ...brokerSection.defaults('demo'), username: 'plant', caFile: '/ca.pem' };
    expect(mqttConnectionOptions(connection, readFile)).toEqual({
      clientId: 'demo',
      protocolVersion: 5,
      username: 'plant',
      password: undefined,
      ca: Buffer.from('pem of /ca.pem'),
      reconnectPeriod: 1000,
      ...LEAN_MQTT_CLIENT,
    });
    expect(read).toEqual(['/ca.pem']);
  });
});
