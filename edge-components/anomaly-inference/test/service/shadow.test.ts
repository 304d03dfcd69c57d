/**
 * Shadow mode: a candidate bundle scores the same windows as the serving model; its results go
 * to the shadow topic marked `shadow: true`, raise no anomaly events, and the share of windows on
 * which both flags agree is reported by the API and the metrics.
 */
import { rmSync } from 'node:fs';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { FIXTURE_CHANNELS } from '../fixtures/paths';
import {
  bundleCopy,
  fixtureWindowsIn,
  installBundle,
  nextModelChange,
  testConfig,
  useRuntime,
  waitUntil,
} from '../support/harness';
import { asset, blocks, publish } from '../support/telemetry';

let shadowDir: string;
const runtime = useRuntime((brokerUrl) => {
  shadowDir = bundleCopy();
  // Threshold 0: the candidate flags every window, so agreement = share of serving anomalies.
  installBundle(fixtureBundleDir(), shadowDir, {
    modelVersion: 'candidate',
    threshold: { value: 0, rule: 'test: flag everything' },
  });
  const config = testConfig(brokerUrl, bundleCopy());
  return { ...config, model: { ...config.model, shadowDir } };
});
const received: { topic: string; payload: Record<string, unknown> }[] = [];

beforeAll(async () => {
  await waitUntil(() => runtime.service.host.shadow !== undefined);
  runtime.client.on('message', (topic, payload) => {
    received.push({ topic, payload: JSON.parse(payload.toString()) });
  });
  await runtime.client.subscribeAsync(['acme/zwickau/+/+/+/+/_ml/#'], { qos: 1 });
});

it('scores every window with both models and publishes the candidate on the shadow topic', async () => {
  const path = asset('cell-shadow');
  await publish(
    runtime.client,
    path,
    blocks(
      FIXTURE_CHANNELS,
      Array.from({ length: 30 }, (_, i) => i),
    ),
  );
  const of = (role: string) => runtime.scored.filter((s) => s.role === role);
  const windows = fixtureWindowsIn(30 * 100);
  await waitUntil(
    () => of('serving').length === windows && of('shadow').length === windows,
    undefined,
    async () => {
      const { body } = await runtime.get('/metrics');
      const counters = body
        .split('\n')
        .filter((line) => /^anomaly_inference_(windows|blocks|telemetry_skipped)_\w+\{/.test(line));
      return `scored ${of('serving').length} (serving) and ${of('shadow').length} (shadow) of ${windows} windows; ${counters.join(', ')}`;
    },
  );
  await waitUntil(() => received.length === 2 * of('serving').length);
  const starts = (role: string) => of(role).map((s) => s.startIndex);
  expect(starts('shadow')).toEqual(starts('serving'));

  const shadowTopic = received.filter((m) => m.topic.endsWith('/shadow'));
  const scoreTopic = received.filter((m) => /\/_ml\/[^/]+$/.test(m.topic));
  expect(shadowTopic).toHaveLength(of('shadow').length);
  expect(
    shadowTopic.every((m) => m.payload.shadow === true && m.payload.modelVersion === 'candidate'),
  ).toBe(true);
  expect(scoreTopic).toHaveLength(of('serving').length);
  expect(scoreTopic.every((m) => !('shadow' in m.payload))).toBe(true);
});

it('reports the agreement of the anomaly flags in the API and the metrics', async () => {
  const serving = runtime.scored.filter((s) => s.role === 'serving');
  const shadow = runtime.scored.filter((s) => s.role === 'shadow');
  const agreed = serving.filter((s, i) => s.anomaly === shadow[i]?.anomaly).length;
  const status = JSON.parse((await runtime.get('/api/v1/anomalies/status')).body);
  expect(status.shadow).toEqual({
    modelName: runtime.service.host.serving?.modelName,
    modelVersion: 'candidate',
    threshold: 0,
    agreement: agreed / serving.length,
    windowsCompared: serving.length,
  });
  expect(await runtime.metric('anomaly_inference_shadow_agreement_ratio')).toBeCloseTo(
    agreed / serving.length,
    10,
  );
});

it('raises anomaly events from the serving model only', () => {
  const servingVersion = runtime.service.host.serving?.modelVersion;
  expect(runtime.events.every((e) => e.modelVersion === servingVersion)).toBe(true);
  const servingAnomalies = runtime.scored.filter((s) => s.role === 'serving' && s.anomaly).length;
  expect(runtime.events.reduce((n, e) => n + e.windows, 0)).toBeLessThanOrEqual(servingAnomalies);
});

it('replaces the candidate when a new bundle lands in the shadow directory', async () => {
  const change = nextModelChange(runtime.service);
  installBundle(fixtureBundleDir(), shadowDir, { modelVersion: 'candidate-2' });
  expect((await change).event).toBe('shadow-loaded');
  expect(runtime.service.host.shadow?.modelVersion).toBe('candidate-2');
  expect(JSON.parse((await runtime.get('/api/v1/anomalies/status')).body).shadow).toMatchObject({
    modelVersion: 'candidate-2',
    agreement: null,
    windowsCompared: 0,
  });
});

it('stops shadowing when the shadow directory goes away, and the serving model goes on alone', async () => {
  const change = nextModelChange(runtime.service);
  rmSync(shadowDir, { recursive: true });
  expect((await change).event).toBe('shadow-removed');
  expect(JSON.parse((await runtime.get('/api/v1/anomalies/status')).body).shadow).toBeNull();
  const before = runtime.scored.length;
  await publish(
    runtime.client,
    asset('cell-after-shadow'),
    blocks(FIXTURE_CHANNELS, [0, 1, 2, 3, 4]),
  );
  await waitUntil(() => runtime.scored.length > before);
  await runtime.service.idle();
  expect(runtime.scored.slice(before).every((s) => s.role === 'serving')).toBe(true);
});
