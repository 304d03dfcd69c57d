import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScoringModel, type LoadOptions } from '../../src/bundle/scoring-model';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { FIXTURE_CHANNELS } from '../fixtures/paths';
import { bundleCopy } from '../support/harness';

const SIGNALS = [...FIXTURE_CHANNELS, 'travel_speed'];
const options: LoadOptions = { signals: SIGNALS, smokeWindows: [] };

function withManifest(change: (manifest: any) => void): string {
  const dir = bundleCopy();
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  change(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

it('loads the pipeline-trained bundle and scores windows finite and non-negative', async () => {
  const model = await ScoringModel.load(fixtureBundleDir(), options);
  const { channels, length } = model.geometry;
  expect(channels).toEqual(FIXTURE_CHANNELS);
  const means = model.manifest.channels.map((c) => c.normalization.mean);
  const window = Float32Array.from(
    { length: channels.length * length },
    (_, i) => means[Math.floor(i / length)]!,
  );
  const scores = await model.score([window, window]);
  expect(scores).toHaveLength(2);
  expect([...scores].every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
  await model.release();
});

it('refuses a manifest that breaks the bundle schema, naming the problem', async () => {
  const dir = withManifest((m) => {
    m.window.length = 1;
    delete m.threshold;
  });
  await expect(ScoringModel.load(dir, options)).rejects.toThrow(
    /manifest\.json invalid: .*must have required property 'threshold'.*manifest\/window\/length must be >= 2/,
  );
});

it('refuses channels that are not telemetry signals of the contract', async () => {
  const dir = withManifest((m) => {
    m.channels[0].name = 'arc_power';
  });
  await expect(ScoringModel.load(dir, options)).rejects.toThrow(
    /channels arc_power are not telemetry signals/,
  );
});

it('refuses a directory without a bundle', async () => {
  await expect(ScoringModel.load(mkdtempSync(join(tmpdir(), 'empty-')), options)).rejects.toThrow(
    /manifest\.json unreadable/,
  );
});
