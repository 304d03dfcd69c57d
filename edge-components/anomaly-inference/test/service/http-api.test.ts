/**
 * The HTTP endpoints: health, readiness, Prometheus metrics, and the dashboard's JSON API with
 * exactly the documented shapes; bad queries get a 400 with the reason.
 */
import { DEFAULT_CONFIG } from '../../src/service/config';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { FIXTURE_CHANNELS } from '../fixtures/paths';
import { bundleCopy, installBundle, testConfig, useRuntime, waitUntil } from '../support/harness';
import { asset, blocks, publish } from '../support/telemetry';

const runtime = useRuntime((brokerUrl) => {
  // Threshold 0: every window is anomalous, so a lost block (which ends a run) yields an event.
  const dir = bundleCopy();
  installBundle(fixtureBundleDir(), dir, {
    modelVersion: 'api-1',
    threshold: { value: 0, rule: 'test' },
  });
  // Drift is switched off here: the status says so (test/service/drift.test.ts covers drift).
  return testConfig(brokerUrl, dir, { drift: { ...DEFAULT_CONFIG.drift, enabled: false } });
});
const path = asset('cell-api');
const json = async (url: string) => JSON.parse((await runtime.get(url)).body);

beforeAll(async () => {
  const all = FIXTURE_CHANNELS;
  await publish(runtime.client, path, [
    ...blocks(all, [0, 1, 2, 3]),
    ...blocks(all.slice(1), [4]),
    ...blocks(all, [5, 6, 7, 8, 9]),
    ...blocks(all.slice(1), [10]),
    ...blocks(all, [11, 12, 13, 14, 15, 16]),
  ]);
  await waitUntil(() => runtime.events.length === 2);
});

it('answers health and readiness, naming itself', async () => {
  expect(await runtime.get('/health')).toMatchObject({ status: 200 });
  expect(await json('/ready')).toEqual({
    component: 'anomaly-inference',
    ok: true,
    checks: { model: true, broker: true, subscribed: true },
  });
});

it('serves the model status', async () => {
  expect(await json('/api/v1/anomalies/status')).toEqual({
    serving: {
      modelName: runtime.service.host.serving?.modelName,
      modelVersion: 'api-1',
      threshold: 0,
      loadedAt: runtime.service.host.serving?.loadedAt.toISOString(),
      drift: { available: false, reason: 'drift.enabled is false' },
    },
    shadow: null,
    swaps: 0,
    refusals: [],
  });
});

it('serves the recent scores of an asset, since a time', async () => {
  const { items } = await json(`/api/v1/anomalies/scores?asset=${path}`);
  expect(items).toHaveLength(runtime.scored.length);
  expect(Object.keys(items[0]).sort()).toEqual(
    [
      'anomaly',
      'asset',
      'modelVersion',
      'score',
      'shadow',
      'threshold',
      'windowEnd',
      'windowStart',
    ].sort(),
  );
  expect(items[0]).toMatchObject({
    asset: path,
    anomaly: true,
    threshold: 0,
    modelVersion: 'api-1',
    shadow: false,
  });
  const since = items[3].windowStart;
  const later = await json(`/api/v1/anomalies/scores?asset=${path}&since=${since}`);
  expect(later.items).toEqual(items.slice(3));
});

it('serves the recent scores of every asset when no asset is named', async () => {
  const all = await json('/api/v1/anomalies/scores');
  const one = await json(`/api/v1/anomalies/scores?asset=${path}`);
  expect(all.items).toEqual(one.items);
});

it('serves the recent anomaly events, newest first, up to a limit', async () => {
  const { items } = await json('/api/v1/anomalies/events');
  expect(items).toHaveLength(2);
  expect(Object.keys(items[0]).sort()).toEqual([
    'asset',
    'end',
    'modelVersion',
    'peakScore',
    'start',
    'windows',
  ]);
  expect(Date.parse(items[0].start)).toBeGreaterThan(Date.parse(items[1].start));
  expect((await json('/api/v1/anomalies/events?limit=1')).items).toEqual(items.slice(0, 1));
});

it('serves no drift while drift is switched off, saying why', async () => {
  expect(await json('/api/v1/anomalies/drift')).toEqual({
    available: false,
    reason: 'drift.enabled is false',
    items: [],
  });
  expect(await runtime.metric('anomaly_inference_drift_available')).toBe(0);
});

it('answers bad queries with 400, unknown paths with 404 and other methods with 405', async () => {
  for (const query of [
    'scores?asset=a/b',
    `scores?asset=${path}&since=yesterday`,
    'events?limit=0',
    'drift?asset=a/b',
  ]) {
    const reply = await runtime.get(`/api/v1/anomalies/${query}`);
    expect({ query, status: reply.status }).toEqual({ query, status: 400 });
    expect(JSON.parse(reply.body).error).toEqual(expect.any(String));
  }
  expect((await runtime.get('/api/v2')).status).toBe(404);
  const port = runtime.service.httpPort;
  expect((await fetch(`http://127.0.0.1:${port}/health`, { method: 'POST' })).status).toBe(405);
});

it('exposes the counts, the latency histograms and the model version as Prometheus metrics', async () => {
  const { body } = await runtime.get('/metrics');
  const version = `anomaly_inference_model_info{role="serving",model_name="${runtime.service.host.serving?.modelName}",model_version="api-1"} 1`;
  expect(body).toContain(version);
  expect(await runtime.metric('anomaly_inference_windows_scored_total{role="serving"}')).toBe(
    runtime.scored.length,
  );
  expect(await runtime.metric('anomaly_inference_anomalous_windows_total')).toBe(
    runtime.scored.length,
  );
  expect(await runtime.metric('anomaly_inference_anomaly_events_total')).toBe(2);
  expect(await runtime.metric('anomaly_inference_stream_events_total{kind="reset_gap"}')).toBe(2);
  expect(body).toContain('anomaly_inference_inference_seconds_bucket{le="0.001",role="serving"}');
  expect(body).toContain('anomaly_inference_result_latency_seconds_count');
});
