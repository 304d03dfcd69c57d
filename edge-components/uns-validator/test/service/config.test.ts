import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../../src/service/config';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'validator-config-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('validator configuration', () => {
  it('runs with the defaults when nothing is set', () => {
    expect(loadConfig()).toEqual(DEFAULT_CONFIG);
  });

  it('takes a YAML file over the defaults, merging sections key by key', () => {
    const config = loadConfig({
      file: configFile('broker:\n  url: mqtts://broker.plant:8883\npool:\n  workers: 4\n'),
    });
    expect(config.broker.url).toBe('mqtts://broker.plant:8883');
    expect(config.broker.topics).toEqual(['#']);
    expect(config.pool).toEqual({ ...DEFAULT_CONFIG.pool, workers: 4 });
  });

  it('takes UNS_VALIDATOR_CONFIG_JSON (the Greengrass component configuration) over the file', () => {
    const config = loadConfig({
      file: configFile('pool:\n  workers: 4\n'),
      env: {
        UNS_VALIDATOR_CONFIG_JSON: JSON.stringify({ pool: { workers: 3 }, contracts: ['/c'] }),
      },
    });
    expect(config.pool.workers).toBe(3);
    expect(config.contracts).toEqual(['/c']);
  });

  it('takes single-value variables over everything else', () => {
    const config = loadConfig({
      env: {
        UNS_VALIDATOR_CONFIG_JSON: JSON.stringify({ broker: { url: 'mqtt://a:1883' } }),
        UNS_VALIDATOR_BROKER_URL: 'mqtt://b:1883',
        UNS_VALIDATOR_DATABASE_URL: 'postgres://u@db/validation',
        UNS_VALIDATOR_CONTRACTS: 'asyncapi/a.yaml, asyncapi/b.yaml',
        UNS_VALIDATOR_HTTP_PORT: '9000',
      },
    });
    expect(config.broker.url).toBe('mqtt://b:1883');
    expect(config.store.databaseUrl).toBe('postgres://u@db/validation');
    expect(config.contracts).toEqual(['asyncapi/a.yaml', 'asyncapi/b.yaml']);
    expect(config.http.port).toBe(9000);
  });

  it('lists every problem of an invalid configuration at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        file: configFile(
          'broker:\n  url: http://broker\n  qos: 2\npool:\n  workers: 0\nenforcement:\n  channels:\n    telemetry: block\nunknownKey: 1\n',
        ),
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        '(root) must NOT have additional properties (unknownKey)',
        'broker.url must match pattern "^(mqtts?|wss?)://.+"',
        'broker.qos must be equal to one of the allowed values (0, 1)',
        'pool.workers must be >= 1',
        'enforcement.channels.telemetry must be equal to one of the allowed values (monitor, quarantine, filter)',
      ]),
    );
  });

  it('names an unreadable file and malformed JSON', () => {
    expect(
      problemsOf(() =>
        loadConfig({ file: '/nonexistent/config.yaml', env: { UNS_VALIDATOR_CONFIG_JSON: '{' } }),
      ),
    ).toEqual([
      expect.stringMatching(/^config file \/nonexistent\/config.yaml: ENOENT/),
      expect.stringMatching(/^UNS_VALIDATOR_CONFIG_JSON: /),
    ]);
  });
});
