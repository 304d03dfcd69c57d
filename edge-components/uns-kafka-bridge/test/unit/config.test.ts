import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { DEFAULT_CONFIG, ENVIRONMENT_VARIABLES, loadConfig } from '../../src/config/config';
import { ConfigError, MALLOC_VARIABLES } from '@uns-mlops/edge-common';
import { COMPONENT } from '../harness';

function problems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const json = (value: unknown) => ({ UNS_BRIDGE_CONFIG_JSON: JSON.stringify(value) });

describe('the bridge configuration', () => {
  it('runs with the defaults: local broker and Kafka, gzip, backpressure, per-class topics', () => {
    const config = loadConfig();
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(config.kafka.compression).toBe('gzip');
    expect(config.spool.whenFull).toBe('backpressure');
    expect(config.mapping.fallbackTopic).toBe('uns.dead-letter');
  });

  it('serves HTTP on 9466 by default, beside the inference runtime on 9465', () => {
    expect(loadConfig().http).toEqual({ host: '127.0.0.1', port: 9466 });
  });

  it('takes a relative spool folder from UNS_BRIDGE_WORK_DIR and keeps an absolute one', () => {
    const work = '/greengrass/v2/work/io.unsmlops.UnsKafkaBridge';
    expect(loadConfig({ env: { UNS_BRIDGE_WORK_DIR: work } }).spool.dir).toBe(`${work}/spool`);
    const configured = loadConfig({
      env: { UNS_BRIDGE_WORK_DIR: work, ...json({ spool: { dir: 'queue/bridge' } }) },
    });
    expect(configured.spool.dir).toBe(`${work}/queue/bridge`);
    expect(configured.contract).toBe(DEFAULT_CONFIG.contract);
    expect(
      loadConfig({ env: { UNS_BRIDGE_WORK_DIR: work, UNS_BRIDGE_SPOOL_DIR: '/var/spool/bridge' } })
        .spool.dir,
    ).toBe('/var/spool/bridge');
    expect(loadConfig().spool.dir).toBe('spool');
  });

  it('layers file < JSON variable < single variables', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'bridge.yaml');
    writeFileSync(
      file,
      'kafka:\n  brokers: [file:9092]\n  compression: none\nspool:\n  dir: /file\n',
    );
    const config = loadConfig({
      file,
      env: {
        ...json({ kafka: { brokers: ['json:9092'] }, spool: { maxBytes: 100_000_000 } }),
        UNS_BRIDGE_KAFKA_BROKERS: 'a:9098, b:9098',
        UNS_BRIDGE_HTTP_PORT: '9999',
      },
    });
    expect(config.kafka.brokers).toEqual(['a:9098', 'b:9098']);
    expect(config.kafka.compression).toBe('none');
    expect(config.spool).toMatchObject({ dir: '/file', maxBytes: 100_000_000 });
    expect(config.http.port).toBe(9999);
  });

  it('lists every schema problem with its path', () => {
    const found = problems(() =>
      loadConfig({
        env: json({
          mqtt: { url: 'http://broker', qos: 2 },
          kafka: { brokers: ['no-port'], compression: 'zstd' },
          spool: { whenFull: 'ignore' },
        }),
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mqtt\.url must match pattern/),
        'mqtt must NOT have additional properties (qos)',
        expect.stringMatching(/^kafka\.brokers\.0 must match pattern/),
        'kafka.compression must be equal to one of the allowed values (gzip, none)',
        'spool.whenFull must be equal to one of the allowed values (backpressure, drop-oldest)',
      ]),
    );
  });

  it('rejects a route key that uses a level its filter does not fix', () => {
    const found = problems(() =>
      loadConfig({
        env: json({ mapping: { routes: [{ filter: '+/+/#', topic: 'uns.x', key: '{0}/{4}' }] } }),
      }),
    );
    expect(found).toEqual([
      'mapping.routes.0.key uses {4}, but filter "+/+/#" fixes only 2 level(s)',
    ]);
  });

  it('rejects invalid topic filters and Kafka topic names', () => {
    const found = problems(() =>
      loadConfig({
        env: json({
          mqtt: { topics: ['a/#/b'] },
          mapping: { routes: [{ filter: 'a+/b', topic: 'bad topic', key: '' }] },
        }),
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([expect.stringMatching(/^mapping\.routes\.0\.topic must match/)]),
    );
    const semantic = problems(() =>
      loadConfig({
        env: json({
          mqtt: { topics: ['a/#/b'] },
          mapping: { routes: [{ filter: 'a+/b', topic: 'uns.x', key: '' }], exclude: ['c/#/d'] },
        }),
      }),
    );
    expect(semantic).toEqual([
      'mapping.routes.0.filter "a+/b": "+" must be a whole level',
      'mqtt.topics.0 "a/#/b": "#" must be a whole level and the last one',
      'mapping.exclude.0 "c/#/d": "#" must be a whole level and the last one',
    ]);
  });

  it('has no heartbeat site by default, and takes an ISA-95 site id as heartbeat.site', () => {
    expect(loadConfig().heartbeat).not.toHaveProperty('site');
    expect(loadConfig({ env: json({ heartbeat: { site: 'mlada-boleslav' } }) }).heartbeat).toEqual({
      ...DEFAULT_CONFIG.heartbeat,
      site: 'mlada-boleslav',
    });
  });

  it('rejects a heartbeat site that is not a UNS site id', () => {
    const found = problems(() =>
      loadConfig({ env: json({ heartbeat: { site: 'Zwickau Plant' } }) }),
    );
    expect(found).toEqual(['heartbeat.site must match pattern "^[a-z][a-z0-9-]{0,31}$"']);
  });

  it('needs a region for IAM authentication, from the config or AWS_REGION', () => {
    const iam = json({ kafka: { security: { protocol: 'iam' } } });
    expect(problems(() => loadConfig({ env: iam }))).toEqual([
      'kafka.security.region is required for IAM authentication (or set AWS_REGION)',
    ]);
    expect(
      loadConfig({ env: { ...iam, AWS_REGION: 'eu-central-1' } }).kafka.security.protocol,
    ).toBe('iam');
  });

  it('keeps the spool at least two segments big and records smaller than a segment', () => {
    const found = problems(() =>
      loadConfig({
        env: json({
          spool: { maxBytes: 100_000, segmentBytes: 60_000 },
          kafka: { maxRecordBytes: 70_000 },
        }),
      }),
    );
    expect(found).toEqual([
      'kafka.maxRecordBytes (70000) must be below spool.segmentBytes (60000)',
      'spool.maxBytes (100000) must be at least twice spool.segmentBytes (60000)',
    ]);
  });

  it('names the file and the variable whose content cannot be read', () => {
    const found = problems(() =>
      loadConfig({ file: '/nonexistent/bridge.yaml', env: { UNS_BRIDGE_CONFIG_JSON: '{oops' } }),
    );
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^config file \/nonexistent\/bridge\.yaml: ENOENT/);
    expect(found[1]).toMatch(/^UNS_BRIDGE_CONFIG_JSON: /);
  });

  it('makes the command exit 2 with the problems on stderr', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(COMPONENT, 'src', 'main.ts')],
      {
        cwd: COMPONENT,
        env: { ...process.env, UNS_BRIDGE_HTTP_PORT: 'eighty' },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Invalid uns-kafka-bridge configuration:');
    expect(run.stderr).toContain('UNS_BRIDGE_HTTP_PORT "eighty" is not a port number');
  });

  it('refuses to start when the contract file is missing, naming it', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(COMPONENT, 'src', 'main.ts')],
      {
        cwd: COMPONENT,
        env: {
          ...process.env,
          UNS_BRIDGE_CONTRACT: '/nonexistent/contract.yaml',
          UNS_BRIDGE_LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('contract /nonexistent/contract.yaml: ENOENT');
  });
});

describe('the Greengrass recipe', () => {
  const recipe = parse(readFileSync(join(COMPONENT, 'recipe.yaml'), 'utf8'));
  const settings = recipe.ComponentConfiguration.DefaultConfiguration.settings;

  it('gives a default configuration the bridge accepts, its spool in the work folder', () => {
    const config = loadConfig({
      env: {
        ...json(settings),
        UNS_BRIDGE_WORK_DIR: '/var/lib/gg/work/io.unsmlops.UnsKafkaBridge',
        AWS_REGION: 'eu-central-1', // the nucleus gives every component its region
      },
    });
    expect(config.spool.dir).toBe('/var/lib/gg/work/io.unsmlops.UnsKafkaBridge/spool');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9466 });
  });

  it('sets only environment variables the bridge or its C library reads', () => {
    for (const name of Object.keys(recipe.Manifests[0].Lifecycle.Setenv))
      if (!MALLOC_VARIABLES.includes(name)) expect(ENVIRONMENT_VARIABLES).toHaveProperty(name);
  });
});
