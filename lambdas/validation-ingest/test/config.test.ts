import { configFromEnvironment, DEFAULTS } from '../src/config';

describe('the configuration from environment variables', () => {
  it('needs only the database host and user', () => {
    expect(
      configFromEnvironment({ DB_HOST: 'proxy.example', DB_USER: 'validation_ingest' }),
    ).toEqual({
      namespace: DEFAULTS.namespace,
      mqttTopicHeader: 'uns-topic',
      quarantinePrefix: '_quarantine',
      database: {
        host: 'proxy.example',
        port: 5432,
        database: 'uns_validation',
        user: 'validation_ingest',
      },
    });
  });

  it('takes every setting from its variable', () => {
    const config = configFromEnvironment({
      DB_HOST: 'proxy.example',
      DB_USER: 'ingest',
      DB_PORT: '6432',
      DB_NAME: 'store',
      METRICS_NAMESPACE: 'Test/Compliance',
      HEADER_MQTT_TOPIC: 'mqtt-topic',
      QUARANTINE_PREFIX: '_q',
    });

    expect(config).toEqual({
      namespace: 'Test/Compliance',
      mqttTopicHeader: 'mqtt-topic',
      quarantinePrefix: '_q',
      database: { host: 'proxy.example', port: 6432, database: 'store', user: 'ingest' },
    });
  });

  it('names every problem at once', () => {
    expect(() => configFromEnvironment({ DB_PORT: 'five' })).toThrow(
      'validation-ingest: DB_HOST is not set; DB_USER is not set; DB_PORT "five" is not a TCP port',
    );
  });
});
