/**
 * Drift end to end, over a real Mosquitto with the pipeline-trained fixture model: serving a
 * bundle whose baseline was built from the very telemetry the test publishes, the runtime
 * publishes one drift message per asset and interval on the contract's topic (QoS 1, valid under
 * the contract), with every grid sample counted once and no channel drifted; after a swap to a
 * bundle whose arc-voltage baseline lies 10 V higher, the statistics restart against the new
 * baseline and flag that channel only. A bundle without a baseline computes no drift and says so
 * once in the log, in the API and in the metrics; one whose baseline breaks the rules is refused.
 * With per-asset baselines, an asset an entry matches is judged against it (no alarm where the
 * pooled baseline flags), another against the pooled one, each said once in the log and in the API.
 * Every answer of the drift API and the model status conforms to the dashboard's API document.
 */
import { conforming, schemaProblems } from '@uns-mlops/test-services';
import { loadContracts } from '@uns-mlops/uns-validator/src/contract/load-contracts';
import { validateMessage } from '@uns-mlops/uns-validator/src/validate/validate-message';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { DriftBaseline } from '../../src/drift/baseline';
import type { ModelDriftPayload } from '../../src/service/drift-reporter';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { CONTRACT, FIXTURE_CHANNELS } from '../fixtures/paths';
import { baselineHistogram } from '../support/baseline-histogram';
import {
  bundleCopy,
  installBundle,
  nextModelChange,
  testConfig,
  useRuntime,
  waitUntil,
} from '../support/harness';
import { asset, block, publish, type Publication } from '../support/telemetry';

const manifest = JSON.parse(readFileSync(join(fixtureBundleDir(), 'manifest.json'), 'utf8'));
const { length, stride } = manifest.window as { length: number; stride: number };
const INTERVAL_SECONDS = 1;
const WINDOW_SECONDS = 60;
/** Enough windows per phase (1,561) that the scores reach minSamples too. */
const BLOCK_SAMPLES = 5000;
const BLOCKS_PER_PHASE = 20;
const MIN_SAMPLES = 1536;
const path = asset('cell-drift');
const seqs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Blocks `seq` of every channel, `BLOCK_SAMPLES` samples each, back to back. */
const bigBlocks = (from: number, to: number): Publication[] =>
  seqs(from, to).flatMap((seq) =>
    FIXTURE_CHANNELS.map((signal) => ({
      signal,
      payload: block(signal, seq, seq * BLOCK_SAMPLES, BLOCK_SAMPLES),
    })),
  );
/** Windows completed within the first `samples` contiguous samples of an asset. */
const windowsIn = (samples: number) =>
  samples < length ? 0 : Math.floor((samples - length) / stride) + 1;
/** Windows the blocks of phase `phase` (0, 1, 2) complete, and the grid samples they count. */
const phase = (n: number) => {
  const windows =
    windowsIn((n + 1) * BLOCKS_PER_PHASE * BLOCK_SAMPLES) -
    windowsIn(n * BLOCKS_PER_PHASE * BLOCK_SAMPLES);
  return { windows, samples: windows * stride };
};

/**
 * A baseline of the test telemetry's own values (the samples the first phase counts), and a score
 * histogram that every score falls into the first bin of: only the channels can drift.
 */
const matching: DriftBaseline = {
  method: 'histogram',
  channels: FIXTURE_CHANNELS.map((name) => ({
    name,
    ...baselineHistogram(
      bigBlocks(0, BLOCKS_PER_PHASE)
        .filter((p) => p.signal === name)
        .flatMap((p) => JSON.parse(p.payload).values as number[])
        .slice(0, phase(0).samples),
    ),
  })),
  score: { edges: [1e6], proportions: [1, 0], samples: 1, source: 'validation' },
};
/** The same, but arc voltage was 10 V higher in training. */
const voltageHigher: DriftBaseline = {
  ...matching,
  channels: matching.channels.map((c) =>
    c.name === 'arc_voltage' ? { ...c, edges: c.edges.map((e) => e + 10) } : c,
  ),
};
/** Pooled: arc voltage 10 V higher; the test cell's own entry (no score): its telemetry's values. */
const ownEntry = { series: { site: 'zwickau', cell: 'cell-drift' }, channels: matching.channels };
const perAsset: DriftBaseline = { ...voltageHigher, assets: [ownEntry] };

/** What the test client received on the drift topics, with the QoS it came with. */
interface Received {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly drift: ModelDriftPayload;
}

const logged: { msg: string; modelVersion?: string; asset?: string }[] = [];
let dir: string;
const runtime = useRuntime(
  (brokerUrl) => {
    dir = bundleCopy();
    installBundle(fixtureBundleDir(), dir, { modelVersion: 'drift-1', baseline: matching });
    return testConfig(brokerUrl, dir, {
      // A channel's 5 s block lands before the next channel's: no window is given up for skew.
      windowing: { reorderBlocks: 4, maxChannelSkewMs: 2 * BLOCK_SAMPLES },
      drift: {
        enabled: true,
        windowSeconds: WINDOW_SECONDS,
        intervalSeconds: INTERVAL_SECONDS,
        threshold: 0.25,
        minSamples: MIN_SAMPLES,
      },
    });
  },
  pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) }),
);
const received: Received[] = [];
const ofVersion = (version: string) => received.filter((r) => r.drift.modelVersion === version);
/** The schema of `dashboard/openapi.yaml` each endpoint the tests read answers with. */
const DOCUMENTED: Readonly<Record<string, string>> = {
  '/api/v1/anomalies/drift': 'AnomalyDrift',
  '/api/v1/anomalies/status': 'AnomalyStatus',
};
/** GETs an API answer, checked against the dashboard's API document. */
const json = async (url: string) => {
  const answer = JSON.parse((await runtime.get(url)).body);
  const schema = DOCUMENTED[url.split('?')[0] ?? ''];
  expect({ url, problems: schemaProblems(schema ?? 'undocumented', answer) }).toEqual({
    url,
    problems: [],
  });
  return answer;
};
const psiMetric = (channel: string) =>
  runtime.metric(`anomaly_inference_drift_psi{asset="${path}",channel="${channel}"}`);

beforeAll(async () => {
  runtime.client.on('message', (topic, payload, packet) => {
    received.push({ topic, payload, qos: packet.qos, drift: JSON.parse(payload.toString()) });
  });
  await runtime.client.subscribeAsync('acme/zwickau/+/+/+/+/_ml/+/drift', { qos: 1 });
});

describe('a bundle whose baseline matches the telemetry', () => {
  const complete = () =>
    ofVersion('drift-1').find((r) => r.drift.score?.samples === phase(0).windows);

  beforeAll(async () => {
    await publish(runtime.client, path, bigBlocks(0, BLOCKS_PER_PHASE));
    await waitUntil(() => complete() !== undefined);
  });

  it('publishes drift on the contract topic with QoS 1, valid under the contract', async () => {
    const contracts = await loadContracts([CONTRACT]);
    expect(received.length).toBeGreaterThan(0);
    for (const { topic, payload, qos, drift } of received) {
      expect(topic).toBe(`${path}/_ml/${String(manifest.modelName)}/drift`);
      expect(qos).toBe(1);
      const verdict = validateMessage(contracts, topic, payload);
      expect({ channel: verdict.channel, errors: verdict.errors }).toEqual({
        channel: 'anomalyDrift',
        errors: [],
      });
      expect(conforming('ModelDrift', drift)).toBe(drift);
    }
  });

  it('counts every grid sample of the windows once and every score, and finds nothing drifted', () => {
    const { windows, samples } = phase(0);
    expect([windows, samples]).toEqual([1561, 99_904]);
    const drift = complete()?.drift;
    expect(drift).toMatchObject({
      modelName: manifest.modelName,
      modelVersion: 'drift-1',
      statistic: 'psi',
      threshold: 0.25,
      drifted: false,
      channels: FIXTURE_CHANNELS.map((name) => ({ name, samples, drifted: false })),
      score: { value: 0, samples: windows, drifted: false },
    });
    for (const channel of drift?.channels ?? []) expect(channel.value).toBeLessThan(0.01);
  });

  it('judges nothing with fewer than minSamples samples, the score included', () => {
    for (const { drift } of ofVersion('drift-1')) {
      expect(drift.channels.every((c) => c.samples >= MIN_SAMPLES)).toBe(true);
      if (drift.score !== undefined)
        expect(drift.score.samples).toBeGreaterThanOrEqual(MIN_SAMPLES);
    }
  });

  it('judges the window of the last windowSeconds, ending at an interval boundary', () => {
    for (const { drift } of received) {
      const start = Date.parse(drift.windowStart);
      const end = Date.parse(drift.windowEnd);
      expect(end - start).toBe(WINDOW_SECONDS * 1000);
      expect(end % (INTERVAL_SECONDS * 1000)).toBe(0);
      expect(Date.parse(drift.ts)).toBeGreaterThanOrEqual(end);
    }
  });

  it('serves the latest drift per asset, and its availability in the model status', async () => {
    const answer = await json('/api/v1/anomalies/drift');
    expect(answer).toEqual({
      available: true,
      reason: null,
      items: [expect.objectContaining({ asset: path, modelVersion: 'drift-1' })],
    });
    const { asset: item, baseline, ...payload } = answer.items[0];
    expect(item).toBe(path);
    expect(baseline).toEqual({ channels: 'pooled', score: 'pooled', series: null });
    // The API's item is the payload of a message published at the same evaluation.
    await waitUntil(() => received.some((r) => r.drift.ts === payload.ts));
    expect(received.find((r) => r.drift.ts === payload.ts)?.drift).toEqual(payload);
    expect(await json(`/api/v1/anomalies/drift?asset=${path}`)).toMatchObject({
      items: [expect.objectContaining({ asset: path })],
    });
    expect(await json(`/api/v1/anomalies/drift?asset=${asset('cell-none')}`)).toMatchObject({
      items: [],
    });
    expect((await json('/api/v1/anomalies/status')).serving.drift).toEqual({
      available: true,
      reason: null,
    });
  });

  it('refuses an asset parameter that is no asset path', async () => {
    const answer = await runtime.get('/api/v1/anomalies/drift?asset=acme/zwickau');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/^asset /) });
  });

  it('exposes the statistic per asset and channel, the drifted flag and the evaluations', async () => {
    expect(await runtime.metric('anomaly_inference_drift_available')).toBe(1);
    for (const channel of FIXTURE_CHANNELS) expect(await psiMetric(channel)).toBeLessThan(0.01);
    expect(await runtime.metric(`anomaly_inference_drift_drifted{asset="${path}"}`)).toBe(0);
    expect(
      await runtime.metric('anomaly_inference_drift_evaluations_total{outcome="stable"}'),
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('after a swap to a bundle whose baseline the telemetry does not match', () => {
  const complete = () =>
    ofVersion('drift-2').find((r) => r.drift.score?.samples === phase(1).windows);

  beforeAll(async () => {
    const swapped = nextModelChange(runtime.service);
    installBundle(fixtureBundleDir(), dir, { modelVersion: 'drift-2', baseline: voltageHigher });
    expect((await swapped).event).toBe('swapped');
    await publish(runtime.client, path, bigBlocks(BLOCKS_PER_PHASE, 2 * BLOCKS_PER_PHASE));
    await waitUntil(() => complete() !== undefined);
  });

  it('restarts the statistics: only windows assembled after the swap count', () => {
    const { windows, samples } = phase(1);
    for (const { drift } of ofVersion('drift-2')) {
      for (const channel of drift.channels) expect(channel.samples).toBeLessThanOrEqual(samples);
      expect(drift.score?.samples ?? 0).toBeLessThanOrEqual(windows);
    }
    expect(complete()?.drift.channels.map((c) => c.samples)).toEqual(
      FIXTURE_CHANNELS.map(() => samples),
    );
    const firstNew = received.findIndex((r) => r.drift.modelVersion === 'drift-2');
    expect(received.slice(firstNew).every((r) => r.drift.modelVersion === 'drift-2')).toBe(true);
  });

  it('flags the arc voltage, and only it', async () => {
    const drift = complete()?.drift;
    expect(drift?.drifted).toBe(true);
    expect(drift?.score?.drifted).toBe(false);
    expect(drift?.channels.map((c) => [c.name, c.drifted])).toEqual(
      FIXTURE_CHANNELS.map((name) => [name, name === 'arc_voltage']),
    );
    expect(drift?.channels.find((c) => c.name === 'arc_voltage')?.value).toBeGreaterThan(5);
    await waitUntil(
      async () => (await runtime.metric(`anomaly_inference_drift_drifted{asset="${path}"}`)) === 1,
    );
    expect(await psiMetric('arc_voltage')).toBeGreaterThan(5);
    expect(await psiMetric('gas_flow')).toBeLessThan(0.01);
    expect(logged.filter((l) => l.msg.startsWith('drift: the asset has moved'))).toHaveLength(1);
  });
});

describe('after a swap to a bundle without a baseline', () => {
  beforeAll(async () => {
    const swapped = nextModelChange(runtime.service);
    installBundle(fixtureBundleDir(), dir, { modelVersion: 'drift-3', baseline: undefined });
    expect((await swapped).event).toBe('swapped');
    await publish(runtime.client, path, bigBlocks(2 * BLOCKS_PER_PHASE, 3 * BLOCKS_PER_PHASE));
    await waitUntil(
      () => runtime.scored.filter((s) => s.modelVersion === 'drift-3').length === phase(2).windows,
    );
    // Absence takes time to show: two interval boundaries pass with the telemetry counted.
    const until = Date.now() + 2 * INTERVAL_SECONDS * 1000;
    await waitUntil(() => Date.now() > until);
  });

  it('publishes no drift', () => {
    expect(ofVersion('drift-3')).toEqual([]);
  });

  it('says so once in the log, in the API, in the model status and in the metrics', async () => {
    const notes = logged.filter((l) => /carries no drift baseline/.test(l.msg));
    expect(notes).toEqual([expect.objectContaining({ modelVersion: 'drift-3' })]);
    const reason = `the serving bundle (${String(manifest.modelName)} drift-3) carries no drift baseline`;
    expect(await json('/api/v1/anomalies/drift')).toEqual({ available: false, reason, items: [] });
    expect((await json('/api/v1/anomalies/status')).serving.drift).toEqual({
      available: false,
      reason,
    });
    expect(await runtime.metric('anomaly_inference_drift_available')).toBe(0);
    expect(await psiMetric('arc_voltage')).toBe(0); // no series
  });
});

describe('a bundle whose baseline breaks the contract', () => {
  it('is refused, naming the problem, and the current model keeps serving', async () => {
    const refused = nextModelChange(runtime.service);
    const reversed = { ...matching, channels: [...matching.channels].reverse() };
    installBundle(fixtureBundleDir(), dir, { modelVersion: 'drift-4', baseline: reversed });
    const { event, refusal } = await refused;
    expect(event).toBe('refused');
    expect(refusal?.reason).toMatch(
      /^manifest.json baseline invalid: baseline channels \[gas_flow, .*\] are not the model's channels \[arc_current, /,
    );
    expect(runtime.service.host.serving?.modelVersion).toBe('drift-3');
  });

  it('is refused for a bad per-asset entry, naming the entry and its problem', async () => {
    const refused = nextModelChange(runtime.service);
    const reversed = { ...ownEntry, channels: [...ownEntry.channels].reverse() };
    installBundle(fixtureBundleDir(), dir, {
      modelVersion: 'drift-5',
      baseline: { ...perAsset, assets: [ownEntry, reversed] },
    });
    const { event, refusal } = await refused;
    expect(event).toBe('refused');
    expect(refusal?.reason).toBe(
      "manifest.json baseline invalid: baseline assets[1] (site=zwickau, cell=cell-drift): repeats the series of baseline assets[0]; baseline assets[1] (site=zwickau, cell=cell-drift) channels [gas_flow, wire_feed_speed, arc_voltage, arc_current] are not the model's channels [arc_current, arc_voltage, wire_feed_speed, gas_flow]",
    );
    expect(runtime.service.host.serving?.modelVersion).toBe('drift-3');
  });
});

describe('a bundle with a baseline of its own for one asset', () => {
  const other = asset('cell-pooled');
  const completeOf = (assetPath: string, windows: number) =>
    ofVersion('drift-6').find(
      (r) => r.topic.startsWith(`${assetPath}/`) && r.drift.score?.samples === windows,
    )?.drift;

  beforeAll(async () => {
    const swapped = nextModelChange(runtime.service);
    installBundle(fixtureBundleDir(), dir, { modelVersion: 'drift-6', baseline: perAsset });
    expect((await swapped).event).toBe('swapped');
    await publish(runtime.client, path, bigBlocks(3 * BLOCKS_PER_PHASE, 4 * BLOCKS_PER_PHASE));
    await publish(runtime.client, other, bigBlocks(0, BLOCKS_PER_PHASE));
    await waitUntil(
      () =>
        completeOf(path, phase(3).windows) !== undefined &&
        completeOf(other, phase(0).windows) !== undefined,
    );
  });

  it('judges the asset against its own entry: no alarm, though the pooled baseline flags arc voltage', () => {
    const drift = completeOf(path, phase(3).windows);
    expect(drift).toMatchObject({
      drifted: false,
      channels: FIXTURE_CHANNELS.map((name) => ({ name, drifted: false })),
      score: { value: 0, drifted: false },
    });
    for (const channel of drift?.channels ?? []) expect(channel.value).toBeLessThan(0.01);
  });

  it('judges an asset no entry matches against the pooled baseline', () => {
    const drift = completeOf(other, phase(0).windows);
    expect(drift?.channels.map((c) => [c.name, c.drifted])).toEqual(
      FIXTURE_CHANNELS.map((name) => [name, name === 'arc_voltage']),
    );
  });

  it('keeps the messages as the contract has them', async () => {
    const contracts = await loadContracts([CONTRACT]);
    for (const { topic, payload, drift } of ofVersion('drift-6')) {
      expect(drift).not.toHaveProperty('baseline');
      expect(validateMessage(contracts, topic, payload).errors).toEqual([]);
    }
  });

  it('serves which baseline each asset is judged against', async () => {
    const { items } = await json('/api/v1/anomalies/drift');
    expect(items.map((i: { asset: string; baseline: unknown }) => [i.asset, i.baseline])).toEqual([
      [path, { channels: 'asset', score: 'pooled', series: ownEntry.series }],
      [other, { channels: 'pooled', score: 'pooled', series: null }],
    ]);
  });

  it('logs once per asset which baseline it is judged against', async () => {
    const ofPath = () => ofVersion('drift-6').filter((r) => r.topic.startsWith(`${path}/`));
    await waitUntil(() => ofPath().length >= 2);
    const notes = logged.filter(
      (l) => l.modelVersion === 'drift-6' && l.msg.startsWith('drift: the asset is judged'),
    );
    expect(notes.map((l) => [l.asset, l.msg])).toEqual(
      expect.arrayContaining([
        [
          path,
          'drift: the asset is judged against its own baseline (site=zwickau, cell=cell-drift; the entry has no score: the pooled score baseline)',
        ],
        [
          other,
          'drift: the asset is judged against the pooled baseline (no entry of baseline.assets matches it)',
        ],
      ]),
    );
    expect(notes).toHaveLength(2);
  });
});
