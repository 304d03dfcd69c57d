import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@uns-mlops/edge-common';
import { DEFAULT_CONFIG, loadConfig } from '../../src/service/config';

it('runs with the defaults when nothing is set', () => {
  expect(loadConfig()).toEqual(DEFAULT_CONFIG);
});

it('layers the file, the JSON variable and the single variables, in that order', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'config-')), 'config.yaml');
  writeFileSync(
    file,
    'model:\n  dir: /from/file\n  shadowDir: /shadow\nbatching:\n  maxBatchSize: 64\n',
  );
  const config = loadConfig({
    file,
    env: {
      ANOMALY_INFERENCE_CONFIG_JSON: JSON.stringify({
        model: { dir: '/from/json' },
        uns: { site: 'mlada' },
        limits: { maxPayloadBytes: 65_536 },
      }),
      ANOMALY_INFERENCE_MODEL_DIR: '/from/env',
      ANOMALY_INFERENCE_HTTP_PORT: '9999',
    },
  });
  expect(config.model).toEqual({ ...DEFAULT_CONFIG.model, dir: '/from/env', shadowDir: '/shadow' });
  expect(config.batching.maxBatchSize).toBe(64);
  expect(config.limits).toEqual({ ...DEFAULT_CONFIG.limits, maxPayloadBytes: 65_536 });
  expect(config.uns.site).toBe('mlada');
  expect(config.http.port).toBe(9999);
});

it('lists every problem at once', () => {
  const attempt = () =>
    loadConfig({
      env: {
        ANOMALY_INFERENCE_CONFIG_JSON: JSON.stringify({
          batching: { maxBatchSize: 0 },
          limits: { maxPayloadBytes: 100, maxBlockSamples: 0 },
          uns: { site: 'a/b' },
          extra: true,
        }),
        ANOMALY_INFERENCE_BROKER_URL: 'http://nope',
      },
    });
  expect(attempt).toThrow(ConfigError);
  try {
    attempt();
  } catch (error) {
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('(root) must NOT have additional properties (extra)'),
        expect.stringContaining('broker.url must match pattern'),
        expect.stringContaining('uns.site must match pattern'),
        expect.stringContaining('batching.maxBatchSize must be >= 1'),
        expect.stringContaining('limits.maxPayloadBytes must be >= 1024'),
        expect.stringContaining('limits.maxBlockSamples must be >= 1'),
      ]),
    );
  }
});

it('rejects a port that is not a number', () => {
  expect(() => loadConfig({ env: { ANOMALY_INFERENCE_HTTP_PORT: 'http' } })).toThrow(
    /ANOMALY_INFERENCE_HTTP_PORT "http" is not an integer/,
  );
});

it('wants a drift window that is a whole multiple of the interval, and a positive threshold', () => {
  const drift = (settings: object) =>
    loadConfig({ env: { ANOMALY_INFERENCE_CONFIG_JSON: JSON.stringify({ drift: settings }) } });
  expect(() => drift({ windowSeconds: 300, intervalSeconds: 70 })).toThrow(
    /drift.windowSeconds \(300\) must be a whole multiple of drift.intervalSeconds \(70\)/,
  );
  expect(() => drift({ windowSeconds: 86_400, intervalSeconds: 1 })).toThrow(
    /drift.windowSeconds \/ drift.intervalSeconds must be at most 1440 \(86400\)/,
  );
  expect(() => drift({ threshold: 0, minSamples: 0, enabled: 'yes' })).toThrow(ConfigError);
  try {
    drift({ threshold: 0, minSamples: 0, enabled: 'yes' });
  } catch (error) {
    expect((error as ConfigError).problems).toEqual([
      'drift.enabled must be boolean',
      'drift.threshold must be > 0',
      'drift.minSamples must be >= 1',
    ]);
  }
  expect(drift({ windowSeconds: 600, intervalSeconds: 30, threshold: 0.1 }).drift).toEqual({
    ...DEFAULT_CONFIG.drift,
    windowSeconds: 600,
    intervalSeconds: 30,
    threshold: 0.1,
  });
});
