import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlantConfig, type LocalPlantConfig } from '../src/config';

/**
 * The configuration of a plant under test, loaded the way `npm start` loads it: a fresh data
 * directory, free ports, a first-start model trained on 20 simulated seconds, no compliance
 * summaries (counts stand still once the simulator is done), warnings only; then `settings`.
 */
export function testPlantConfig(settings: Record<string, unknown>): LocalPlantConfig {
  return loadPlantConfig({
    env: {
      UNS_PLANT_CONFIG_JSON: JSON.stringify({
        dataDir: mkdtempSync(join(tmpdir(), 'local-plant-')),
        broker: { port: 0 },
        http: { port: 0 },
        validatorPort: 0,
        inferencePort: 0,
        summaryIntervalMs: 3_600_000,
        model: { trainingSeconds: 20 },
        logLevel: 'warn',
        ...settings,
      }),
    },
  });
}
