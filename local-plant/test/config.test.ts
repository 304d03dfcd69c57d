import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@uns-mlops/edge-common';
import { DEFAULT_PLANT_CONFIG, loadPlantConfig } from '../src/config';

describe('local plant configuration', () => {
  it('runs with an embedded broker and store in ./.local-plant when nothing is set', () => {
    const config = loadPlantConfig({}, '/home/me/uns-mlops');
    expect(config.broker.url).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('/home/me/uns-mlops/.local-plant');
    expect(config.http.port).toBe(DEFAULT_PLANT_CONFIG.http.port);
  });

  it('takes file < UNS_PLANT_CONFIG_JSON < environment variables < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plant-config-'));
    const file = join(dir, 'plant.yaml');
    writeFileSync(file, 'simulator:\n  cells: 2\n  malformedShare: 0.1\nhttp:\n  port: 8000\n');
    const config = loadPlantConfig(
      {
        file,
        env: {
          UNS_PLANT_CONFIG_JSON: '{"simulator": {"cells": 3}, "http": {"port": 8001}}',
          UNS_PLANT_HTTP_PORT: '8002',
          UNS_PLANT_BROKER_URL: 'mqtt://plant-broker:1883',
          UNS_PLANT_MODEL_DIR: 'models/v7',
        },
        flags: { port: '8003', 'defect-rate': '0.5' },
      },
      '/srv',
    );
    expect(config.simulator).toMatchObject({ cells: 3, malformedShare: 0.1, defectRate: 0.5 });
    expect(config.http.port).toBe(8003);
    expect(config.broker.url).toBe('mqtt://plant-broker:1883');
    expect(config.model.bundleDir).toBe('/srv/models/v7');
  });

  it('lists every wrong value at once, naming the variable or flag', () => {
    const load = () =>
      loadPlantConfig({
        env: { UNS_PLANT_CELLS: 'many', UNS_PLANT_DATABASE_URL: 'mysql://x' },
        flags: { malformed: '1.5', port: '80.5' },
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/Invalid local plant configuration/);
    try {
      load();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'UNS_PLANT_CELLS "many" is not an integer',
        '--port "80.5" is not an integer',
      ]);
    }
    expect(() =>
      loadPlantConfig({
        env: { UNS_PLANT_DATABASE_URL: 'mysql://x' },
        flags: { malformed: '1.5' },
      }),
    ).toThrow(/databaseUrl must match pattern[\s\S]*simulator.malformedShare must be <= 1/);
  });
});
