import { configFromEnvironment, DEFAULTS } from '../src/config';

describe('the configuration from environment variables', () => {
  it('needs only the database host, and logs in as the read-only compliance_reader', () => {
    expect(configFromEnvironment({ DB_HOST: 'proxy.example' })).toEqual({
      namespace: DEFAULTS.namespace,
      database: {
        host: 'proxy.example',
        port: 5432,
        database: 'uns_validation',
        user: 'compliance_reader',
      },
    });
  });

  it('takes every setting from its variable', () => {
    expect(
      configFromEnvironment({
        DB_HOST: 'proxy.example',
        DB_PORT: '6432',
        DB_NAME: 'store',
        DB_USER: 'reader',
        METRICS_NAMESPACE: 'Test/Compliance',
      }),
    ).toEqual({
      namespace: 'Test/Compliance',
      database: { host: 'proxy.example', port: 6432, database: 'store', user: 'reader' },
    });
  });

  it('names every problem at once', () => {
    expect(() => configFromEnvironment({ DB_PORT: '70000' })).toThrow(
      'compliance-api: DB_HOST is not set; DB_PORT "70000" is not a TCP port',
    );
  });
});
