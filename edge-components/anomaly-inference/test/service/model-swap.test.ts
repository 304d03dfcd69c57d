/**
 * Model swaps without downtime: a new bundle in the watched directory replaces the serving model
 * between batches, with no window dropped or scored twice; a bundle failing validation is refused
 * (status topic, API, metrics) and the current model keeps serving.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { InferenceService } from '../../src/service/inference-service';
import { brokenBundles, fixtureBundleDir } from '../fixtures/model-fixture';
import { FIXTURE_CHANNELS } from '../fixtures/paths';
import {
  bundleCopy,
  fixtureWindowsIn,
  installBundle,
  nextModelChange,
  testClient,
  testConfig,
  useBroker,
  useRuntime,
  waitUntil,
} from '../support/harness';
import { asset, blocks, publish, START_MS } from '../support/telemetry';

const { window } = JSON.parse(readFileSync(join(fixtureBundleDir(), 'manifest.json'), 'utf8'));
const seqs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('a swap under load', () => {
  let dir: string;
  const runtime = useRuntime((brokerUrl) => {
    dir = bundleCopy();
    return testConfig(brokerUrl, dir);
  });
  const assets = ['cell-a', 'cell-b', 'cell-c', 'cell-d'].map(asset);

  it('scores every window exactly once, the old model before the switch and the new one after', async () => {
    const served = () => runtime.scored.filter((s) => s.role === 'serving');
    const oldVersion = runtime.service.host.serving?.modelVersion;
    // A: scored entirely before the swap starts.
    await Promise.all(
      assets.map((a) => publish(runtime.client, a, blocks(FIXTURE_CHANNELS, seqs(0, 20)))),
    );
    await waitUntil(() => served().length === assets.length * fixtureWindowsIn(2000));
    // B: published while the new bundle is validated and switched in.
    const swapped = nextModelChange(runtime.service);
    const duringSwap = Promise.all(
      assets.map((a) => publish(runtime.client, a, blocks(FIXTURE_CHANNELS, seqs(20, 60)))),
    );
    installBundle(fixtureBundleDir(), dir, { modelVersion: 'swapped-in' });
    expect((await swapped).event).toBe('swapped');
    await duringSwap;
    // C: published after the switch.
    await Promise.all(
      assets.map((a) => publish(runtime.client, a, blocks(FIXTURE_CHANNELS, seqs(60, 80)))),
    );
    await waitUntil(() => served().length >= assets.length * fixtureWindowsIn(8000));
    await runtime.service.idle();

    const keys = served().map((s) => `${s.asset}@${s.startIndex}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(assets.length * fixtureWindowsIn(8000));
    expect(await runtime.metric('anomaly_inference_windows_assembled_total')).toBe(keys.length);
    for (const a of assets) {
      const versions = served()
        .filter((s) => s.asset === a)
        .sort((x, y) => x.startIndex - y.startIndex)
        .map((s) => ({ at: s.startIndex - START_MS, version: s.modelVersion }));
      const firstNew = versions.findIndex((v) => v.version === 'swapped-in');
      // before the switch only the old model, after it only the new one
      expect(versions.slice(0, firstNew).every((v) => v.version === oldVersion)).toBe(true);
      expect(versions.slice(firstNew).every((v) => v.version === 'swapped-in')).toBe(true);
      expect(firstNew).toBeGreaterThanOrEqual(fixtureWindowsIn(2000));
      expect(versions.filter((v) => v.at >= 6000).every((v) => v.version === 'swapped-in')).toBe(
        true,
      );
    }
    expect(await runtime.metric('anomaly_inference_model_swaps_total')).toBe(1);
    expect(JSON.parse((await runtime.get('/api/v1/anomalies/status')).body)).toMatchObject({
      serving: { modelVersion: 'swapped-in' },
      swaps: 1,
    });
  });
});

describe('a bundle that fails validation', () => {
  let dir: string;
  let servingVersion: string | undefined;
  let nextSeq = 0;
  const path = asset('cell-refusals');
  const runtime = useRuntime((brokerUrl) => {
    dir = bundleCopy();
    return testConfig(brokerUrl, dir);
  });

  beforeAll(() => {
    servingVersion = runtime.service.host.serving?.modelVersion;
  });

  async function refusalOf(source: string): Promise<string> {
    const change = nextModelChange(runtime.service);
    installBundle(source, dir);
    const { event, refusal } = await change;
    expect(event).toBe('refused');
    return refusal?.reason ?? '';
  }

  async function stillServes(): Promise<void> {
    const before = runtime.scored.length;
    await publish(runtime.client, path, blocks(FIXTURE_CHANNELS, seqs(nextSeq, nextSeq + 5)));
    nextSeq += 5;
    await waitUntil(() => runtime.scored.length > before);
    expect(runtime.scored.slice(before).every((s) => s.modelVersion === servingVersion)).toBe(true);
    expect(runtime.service.host.serving?.modelVersion).toBe(servingVersion);
  }

  it('refuses a corrupt model.onnx and keeps serving', async () => {
    expect(await refusalOf(brokenBundles().corrupt)).toMatch(/^model\.onnx cannot be loaded/);
    await stillServes();
  });

  it('refuses a manifest whose channels are not the serving ones', async () => {
    expect(await refusalOf(brokenBundles().wrongChannels)).toMatch(
      /channels \[arc_current, arc_voltage, travel_speed, gas_flow\].*needs a restart/,
    );
    await stillServes();
  });

  it('refuses a model whose input shape does not match the manifest', async () => {
    const reason = await refusalOf(brokenBundles().wrongShape);
    expect(reason).toContain(`the manifest needs float32 [batch, 4, ${window.length}]`);
    await stillServes();
  });

  it('refuses a model whose smoke inference gives non-finite scores', async () => {
    expect(await refusalOf(brokenBundles().nonFinite)).toMatch(
      /smoke inference on \d+ window\(s\) gave a score of NaN/,
    );
    await stillServes();
  });

  it('reports every refusal on the status topic, the API and the metrics', async () => {
    const status = await new Promise<Record<string, any>>((resolve, reject) => {
      void testClient(runtime.broker.url).then((watcher) => {
        watcher.on('message', (_topic, payload) => {
          void watcher.endAsync();
          resolve(JSON.parse(payload.toString()));
        });
        watcher.subscribe('acme/zwickau/_ml/+/status', (error) => {
          if (error) reject(error);
        });
      });
    });
    expect(status).toMatchObject({
      event: 'refused',
      serving: { modelVersion: servingVersion },
      refusal: { role: 'serving', modelVersion: 'broken-nan' },
    });
    const api = JSON.parse((await runtime.get('/api/v1/anomalies/status')).body);
    expect(api.serving.modelVersion).toBe(servingVersion);
    expect(api.refusals.map((r: { modelVersion: string | null }) => r.modelVersion)).toEqual([
      'broken-corrupt',
      'broken-channels',
      'broken-shape',
      'broken-nan',
    ]);
    expect(await runtime.metric('anomaly_inference_model_refusals_total{role="serving"}')).toBe(4);
    expect(await runtime.metric('anomaly_inference_model_swaps_total')).toBe(0);
  });
});

describe('a runtime started without a valid bundle', () => {
  const plant = useBroker();

  it('stays up but not ready, and serves once a valid bundle lands', async () => {
    const dir = bundleCopy(brokenBundles().corrupt);
    const service = await InferenceService.start(
      testConfig(plant.broker.url, dir),
      pino({ level: 'silent' }),
    );
    try {
      const ready = await fetch(`http://127.0.0.1:${service.httpPort}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { model: boolean } }).checks.model).toBe(false);
      expect(service.host.refusals.map((r) => r.modelVersion)).toEqual(['broken-corrupt']);
      const loaded = nextModelChange(service);
      installBundle(fixtureBundleDir(), dir);
      expect((await loaded).event).toBe('loaded');
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${service.httpPort}/ready`)).ok);
    } finally {
      await service.stop();
    }
  });
});
