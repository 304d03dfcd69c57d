import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MALLOC_VARIABLES } from '@uns-mlops/edge-common';
import { parse } from 'yaml';
import {
  ConfigError,
  DEFAULT_CONFIG,
  ENVIRONMENT_VARIABLES,
  loadConfig,
} from '../../src/service/config';

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
    expect(config.contracts).toEqual({ paths: ['/c'], strict: false });
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
    expect(config.contracts.paths).toEqual(['asyncapi/a.yaml', 'asyncapi/b.yaml']);
    expect(config.http.port).toBe(9000);
  });

  it('lists every problem of an invalid configuration at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        file: configFile(
          'broker:\n  url: http://broker\n  qos: 2\npool:\n  workers: 0\nstore:\n  retention:\n    days: 0\nenforcement:\n  channels:\n    telemetry: block\nunknownKey: 1\n',
        ),
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        '(root) must NOT have additional properties (unknownKey)',
        'broker.url must match pattern "^(mqtts?|wss?)://.+"',
        'broker.qos must be equal to one of the allowed values (0, 1)',
        'pool.workers must be >= 1',
        'store.retention.days must be >= 1',
        'enforcement.channels.telemetry must be equal to one of the allowed values (monitor, quarantine, filter)',
      ]),
    );
  });

  it('refuses fewer workers at most than at least', () => {
    const problems = problemsOf(() =>
      loadConfig({ file: configFile('pool:\n  workers: 1\n  minWorkers: 2\n') }),
    );
    expect(problems).toEqual(['pool.minWorkers (2) must not exceed pool.workers (1)']);
  });

  it('takes the processor chains file from its variable, relative to the work folder', () => {
    const config = loadConfig({
      env: { UNS_VALIDATOR_PROCESSORS: 'chains.yaml', UNS_VALIDATOR_WORK_DIR: '/work/validator' },
    });
    expect(config.processors.file).toBe('/work/validator/chains.yaml');
    expect(loadConfig({}).processors).toEqual({});
  });

  it('takes contracts as a bare list of paths, or as paths and strict', () => {
    const list = loadConfig({ env: { UNS_VALIDATOR_CONFIG_JSON: '{"contracts": ["/c"]}' } });
    const strict = loadConfig({ file: configFile('contracts:\n  strict: true\n') });
    const strictWithPaths = loadConfig({
      file: configFile('contracts:\n  strict: true\n'),
      env: { UNS_VALIDATOR_CONTRACTS: '/a.yaml,/b.yaml' },
    });

    expect(DEFAULT_CONFIG.contracts).toEqual({ paths: ['asyncapi'], strict: false });
    expect(list.contracts).toEqual({ paths: ['/c'], strict: false });
    expect(strict.contracts).toEqual({ paths: ['asyncapi'], strict: true });
    expect(strictWithPaths.contracts).toEqual({ paths: ['/a.yaml', '/b.yaml'], strict: true });
    expect(
      problemsOf(() => loadConfig({ file: configFile('contracts:\n  strict: maybe\n') })),
    ).toContain('contracts.strict must be boolean');
  });

  it('prunes the store after 30 days, hourly, unless told otherwise', () => {
    const config = loadConfig({
      env: { UNS_VALIDATOR_CONFIG_JSON: '{"store": {"retention": {"days": 7}}}' },
    });

    expect(DEFAULT_CONFIG.store.retention).toEqual({ days: 30, pruneIntervalMs: 3_600_000 });
    expect(config.store.retention).toEqual({ days: 7, pruneIntervalMs: 3_600_000 });
  });

  it('publishes 20 violation samples per site and interval, and the contracts for the sites summarized, unless told otherwise', () => {
    const config = loadConfig({
      env: {
        UNS_VALIDATOR_CONFIG_JSON: JSON.stringify({
          summaries: { site: 'zwickau', violationSamplesPerSite: 0 },
        }),
      },
    });

    expect(DEFAULT_CONFIG.summaries).toEqual({
      intervalMs: 60_000,
      enterprise: 'acme',
      violationSamplesPerSite: 20,
    });
    expect(config.summaries).toEqual({
      intervalMs: 60_000,
      enterprise: 'acme',
      site: 'zwickau',
      violationSamplesPerSite: 0,
    });
    expect(
      problemsOf(() =>
        loadConfig({
          file: configFile('summaries:\n  site: Zwickau Plant\n  violationSamplesPerSite: -1\n'),
        }),
      ),
    ).toEqual([
      'summaries.site must match pattern "^[a-z][a-z0-9-]{0,31}$"',
      'summaries.violationSamplesPerSite must be >= 0',
    ]);
  });

  it('takes a relative store.dataDir from UNS_VALIDATOR_WORK_DIR (the Greengrass work folder)', () => {
    const work = '/greengrass/v2/work/io.unsmlops.UnsValidator';
    const load = (dataDir: string, workDir?: string) =>
      loadConfig({
        env: {
          UNS_VALIDATOR_CONFIG_JSON: JSON.stringify({ store: { dataDir } }),
          UNS_VALIDATOR_WORK_DIR: workDir,
        },
      }).store.dataDir;

    expect(load('store', work)).toBe(`${work}/store`);
    expect(load('/var/lib/uns-validator', work)).toBe('/var/lib/uns-validator');
    expect(load('store')).toBe('store');
    expect(loadConfig({ env: { UNS_VALIDATOR_WORK_DIR: work } }).store.dataDir).toBeUndefined();
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

describe('the Greengrass recipe', () => {
  const recipe = parse(readFileSync(join(__dirname, '..', '..', 'recipe.yaml'), 'utf8'));
  const settings = recipe.ComponentConfiguration.DefaultConfiguration.settings;

  it('gives a default configuration the validator accepts, its store in the work folder', () => {
    const config = loadConfig({
      env: {
        UNS_VALIDATOR_CONFIG_JSON: JSON.stringify(settings),
        UNS_VALIDATOR_WORK_DIR: '/var/lib/gg/work/io.unsmlops.UnsValidator',
      },
    });
    expect(config.store.dataDir).toBe('/var/lib/gg/work/io.unsmlops.UnsValidator/store');
    expect(config.summaries).toEqual(DEFAULT_CONFIG.summaries);
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 9464,
      dashboardDir: 'dashboard',
      anomalyApi: 'http://127.0.0.1:9465',
    });
  });

  it('sets only environment variables the validator or its C library reads', () => {
    for (const name of Object.keys(recipe.Manifests[0].Lifecycle.Setenv))
      if (!MALLOC_VARIABLES.includes(name)) expect(ENVIRONMENT_VARIABLES).toHaveProperty(name);
  });
});
