import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  deepMerge,
  loadLayeredConfig,
  parseNumberSetting,
  setPath,
} from '../src/layered-config';

interface DemoConfig {
  broker: { url: string; topics: string[] };
  port: number;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['broker', 'port'],
  properties: {
    broker: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'topics'],
      properties: { url: { type: 'string' }, topics: { type: 'array', items: { type: 'string' } } },
    },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
  },
};
const defaults: DemoConfig = { broker: { url: 'mqtt://127.0.0.1:1883', topics: ['#'] }, port: 80 };

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadLayeredConfig', () => {
  it('returns the defaults when nothing is set', () => {
    expect(loadLayeredConfig({ component: 'demo', schema, defaults })).toEqual(defaults);
  });

  it('layers file < JSON variable < overrides, merging objects and replacing arrays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layered-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'broker:\n  url: mqtt://file:1883\n  topics: [a/#, b/#]\nport: 1\n');
    const config = loadLayeredConfig({
      component: 'demo',
      schema,
      defaults,
      file,
      jsonVariable: { name: 'DEMO_JSON', value: '{"port": 2, "broker": {"topics": ["c/#"]}}' },
      overrides: () => [{ port: 3 }],
    });
    expect(config).toEqual({ broker: { url: 'mqtt://file:1883', topics: ['c/#'] }, port: 3 });
  });

  it('names the component and lists every schema problem at once', () => {
    const load = () =>
      loadLayeredConfig({
        component: 'demo',
        schema,
        defaults,
        overrides: () => [{ port: 70000, colour: 'red' }],
      });
    expect(load).toThrow(/^Invalid demo configuration:\n {2}- /);
    expect(problemsOf(load)).toEqual(
      expect.arrayContaining([
        '(root) must NOT have additional properties (colour)',
        'port must be <= 65535',
      ]),
    );
  });

  it('names an unreadable file, malformed JSON and problems the overrides report', () => {
    expect(
      problemsOf(() =>
        loadLayeredConfig({
          component: 'demo',
          schema,
          defaults,
          file: '/nonexistent/config.yaml',
          jsonVariable: { name: 'DEMO_JSON', value: '{' },
          overrides: (problems) => {
            problems.push('DEMO_PORT "x" is not an integer');
            return [];
          },
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^config file \/nonexistent\/config.yaml: ENOENT/),
      expect.stringMatching(/^DEMO_JSON: /),
      'DEMO_PORT "x" is not an integer',
    ]);
  });
});

describe('loadLayeredConfig with a work folder', () => {
  const folderSchema = {
    type: 'object',
    properties: { store: { type: 'object' }, spool: { type: 'string' } },
  };
  const defaults = { store: { dataDir: 'store' }, spool: '/var/spool/demo' };
  const load = (path: string | undefined, layer: object) =>
    loadLayeredConfig({
      component: 'demo',
      schema: folderSchema,
      defaults,
      overrides: () => [layer],
      workFolder: { path, settings: ['store.dataDir', 'spool', 'absent.dir'] },
    });

  it('takes relative data folders as relative to the work folder', () => {
    expect(load('/greengrass/work/demo', {})).toEqual({
      store: { dataDir: '/greengrass/work/demo/store' },
      spool: '/var/spool/demo',
    });
    expect(load('/gg/work/demo', { store: { dataDir: '../shared' } }).store).toEqual({
      dataDir: '/gg/work/shared',
    });
    expect(defaults.store).toEqual({ dataDir: 'store' });
  });

  it('leaves relative data folders to the current directory without a work folder', () => {
    expect(load(undefined, {}).store).toEqual({ dataDir: 'store' });
    expect(load('', {}).store).toEqual({ dataDir: 'store' });
  });
});

describe('setPath', () => {
  it('creates nested objects and skips undefined values', () => {
    const layer: Record<string, unknown> = { broker: { url: 'keep' } };
    setPath(layer, 'broker.topics', ['#']);
    setPath(layer, 'http.port', 8080);
    setPath(layer, 'logLevel', undefined);
    expect(layer).toEqual({ broker: { url: 'keep', topics: ['#'] }, http: { port: 8080 } });
  });
});

describe('parseNumberSetting', () => {
  it('parses numbers, ignores absent values and reports text that is not a number', () => {
    const problems: string[] = [];
    expect(parseNumberSetting('0.25', 'SHARE', problems)).toBe(0.25);
    expect(parseNumberSetting(undefined, 'SHARE', problems)).toBeUndefined();
    expect(parseNumberSetting('', 'SHARE', problems)).toBeUndefined();
    expect(parseNumberSetting('1.5', 'PORT', problems, { integer: true })).toBeUndefined();
    expect(parseNumberSetting('abc', 'SHARE', problems)).toBeUndefined();
    expect(problems).toEqual(['PORT "1.5" is not an integer', 'SHARE "abc" is not a number']);
  });
});

describe('deepMerge', () => {
  it('keeps the base where the override is undefined', () => {
    expect(deepMerge({ a: 1, b: { c: 2 } }, { b: { d: 3 } })).toEqual({ a: 1, b: { c: 2, d: 3 } });
    expect(deepMerge({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});
