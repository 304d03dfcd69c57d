/**
 * Windowing rules over a real broker: every block decision (duplicate, reordered, late, gap
 * filled, channel reset, missing values, missing channel) is applied and counted, and no window
 * is scored twice or with a non-finite score. Each case uses an asset of its own.
 */
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { FIXTURE_CHANNELS } from '../fixtures/paths';
import { testConfig, useRuntime, waitUntil } from '../support/harness';
import { asset, block, blocks, publish, START_MS } from '../support/telemetry';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const runtime = useRuntime((brokerUrl) =>
  testConfig(brokerUrl, fixtureBundleDir(), {
    windowing: { reorderBlocks: 2, maxChannelSkewMs: 300 },
  }),
);
const manifest = () => JSON.parse(readFileSync(join(fixtureBundleDir(), 'manifest.json'), 'utf8'));
let length: number;
let stride: number;
let maxGap: number;

beforeAll(() => {
  ({ length, stride } = manifest().window);
  maxGap = manifest().missingValues?.maxGapSamples ?? 0;
});

/** Window starts fully inside [from, to) samples, on the stride grid. */
function starts(from: number, to: number): number[] {
  const result: number[] = [];
  for (let s = Math.ceil(from / stride) * stride; s + length <= to; s += stride) result.push(s);
  return result;
}

function scoredStarts(path: string): number[] {
  return runtime.scored
    .filter((s) => s.asset === path && s.role === 'serving')
    .map((s) => s.startIndex - START_MS);
}

async function counter(name: string, labels: string): Promise<number> {
  return runtime.metric(`anomaly_inference_${name}{${labels}}`);
}

async function expectWindows(path: string, expected: number[]): Promise<void> {
  await waitUntil(() => scoredStarts(path).length >= expected.length);
  expect(scoredStarts(path)).toEqual(expected);
}

it('scores every window of in-order blocks exactly once, on the stride grid', async () => {
  const path = asset('cell-clean');
  await publish(runtime.client, path, blocks(FIXTURE_CHANNELS, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  await expectWindows(path, starts(0, 1000));
});

it('drops a block whose seq was already seen and counts it as a duplicate', async () => {
  const path = asset('cell-duplicate');
  const before = await counter('blocks_total', 'outcome="duplicate"');
  const all = blocks(FIXTURE_CHANNELS, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const duplicate = { signal: 'arc_voltage', payload: block('arc_voltage', 3, 300) };
  await publish(runtime.client, path, [...all.slice(0, 20), duplicate, ...all.slice(20)]);
  await expectWindows(path, starts(0, 1000));
  expect(await counter('blocks_total', 'outcome="duplicate"')).toBe(before + 1);
});

it('reorders a block that arrives within the reorder tolerance and counts it', async () => {
  const path = asset('cell-reorder');
  const before = await counter('blocks_total', 'outcome="reordered"');
  const current = (seq: number) => ({
    signal: 'arc_current',
    payload: block('arc_current', seq, seq * 100),
  });
  const others = FIXTURE_CHANNELS.filter((c) => c !== 'arc_current');
  await publish(runtime.client, path, [
    ...blocks(FIXTURE_CHANNELS, [0, 1, 2, 3]),
    ...blocks(others, [4, 5]),
    current(5),
    current(4),
    ...blocks(FIXTURE_CHANNELS, [6, 7, 8, 9]),
  ]);
  await expectWindows(path, starts(0, 1000));
  // seq 5 waited for 4; 4 then came in order and released 5
  expect(await counter('blocks_total', 'outcome="reordered"')).toBe(before + 1);
});

it('fills a gap of at most maxGapSamples as missing values and scores the windows over it', async () => {
  const path = asset('cell-small-gap');
  const before = await counter('stream_events_total', 'kind="gap_filled"');
  const gap = Math.max(1, maxGap);
  const short = Array.from({ length: 100 - gap }, () => 20);
  await publish(runtime.client, path, [
    ...blocks(FIXTURE_CHANNELS, [0, 1, 2, 3]),
    ...blocks(
      FIXTURE_CHANNELS.filter((c) => c !== 'arc_voltage'),
      [4],
    ),
    { signal: 'arc_voltage', payload: block('arc_voltage', 4, 400, 0, short) },
    ...blocks(FIXTURE_CHANNELS, [5, 6, 7, 8, 9]),
  ]);
  if (maxGap > 0) {
    await expectWindows(path, starts(0, 1000));
    expect(await counter('stream_events_total', 'kind="gap_filled"')).toBe(before + gap);
  } else {
    await expectWindows(path, [...starts(0, 400), ...starts(500, 1000)]);
  }
});

it('restarts a channel after a lost block, skipping and counting the windows over the gap', async () => {
  const path = asset('cell-lost-block');
  const resets = await counter('stream_events_total', 'kind="reset_gap"');
  // While the reorder buffer waits for the lost block, the other channels run ahead by more
  // than the allowed skew, so some windows over the gap count as missing_channel.
  const skippedTotal = async () =>
    (await counter('windows_skipped_total', 'reason="channel_gap"')) +
    (await counter('windows_skipped_total', 'reason="missing_channel"'));
  const skipped = await skippedTotal();
  const others = FIXTURE_CHANNELS.filter((c) => c !== 'gas_flow');
  await publish(runtime.client, path, [
    ...blocks(FIXTURE_CHANNELS, [0, 1, 2, 3]),
    ...blocks(others, [4]),
    ...blocks(FIXTURE_CHANNELS, [5, 6, 7, 8, 9]),
  ]);
  const expected = [...starts(0, 400), ...starts(500, 1000)];
  await expectWindows(path, expected);
  expect(await counter('stream_events_total', 'kind="reset_gap"')).toBe(resets + 1);
  expect(await skippedTotal()).toBe(skipped + starts(0, 1000).length - expected.length);
});

it('drops a block that arrives after the stream gave up waiting for it, counted as late', async () => {
  const path = asset('cell-late');
  const late = await counter('blocks_total', 'outcome="late"');
  const others = FIXTURE_CHANNELS.filter((c) => c !== 'gas_flow');
  await publish(runtime.client, path, [
    ...blocks(FIXTURE_CHANNELS, [0, 1, 2, 3]),
    ...blocks(others, [4]),
    ...blocks(FIXTURE_CHANNELS, [5, 6, 7]),
    { signal: 'gas_flow', payload: block('gas_flow', 4, 400) },
    ...blocks(FIXTURE_CHANNELS, [8, 9]),
  ]);
  await expectWindows(path, [...starts(0, 400), ...starts(500, 1000)]);
  expect(await counter('blocks_total', 'outcome="late"')).toBe(late + 1);
});

it('fills short runs of NaN/Infinity samples and skips windows with longer ones, never scoring them non-finite', async () => {
  const path = asset('cell-non-finite');
  const skippedBefore = await counter('windows_skipped_total', 'reason="missing_values"');
  const missingBefore = await runtime.metric('anomaly_inference_missing_samples_total');
  const run = Math.max(1, maxGap);
  const values = (from: number, count: number) =>
    Array.from({ length: 100 }, (_, k) =>
      k >= from && k < from + count ? (k % 2 === 0 ? 'INF' : null) : 160,
    );
  await publish(runtime.client, path, [
    ...blocks(FIXTURE_CHANNELS, [0, 1]),
    { signal: 'arc_current', payload: block('arc_current', 2, 200, 0, values(10, run)) },
    ...blocks(FIXTURE_CHANNELS.slice(1), [2]),
    ...blocks(FIXTURE_CHANNELS, [3, 4]),
    { signal: 'arc_current', payload: block('arc_current', 5, 500, 0, values(0, 60)) },
    ...blocks(FIXTURE_CHANNELS.slice(1), [5]),
    ...blocks(FIXTURE_CHANNELS, [6, 7, 8, 9]),
  ]);
  const all = starts(0, 1000);
  const unfillable = all.filter((s) => s < 560 && s + length > 500);
  const fillable = maxGap > 0 ? [] : all.filter((s) => s < 210 + run && s + length > 210);
  const expected = all.filter((s) => !unfillable.includes(s) && !fillable.includes(s));
  await expectWindows(path, expected);
  expect(await runtime.metric('anomaly_inference_missing_samples_total')).toBe(
    missingBefore + run + 60,
  );
  expect(await counter('windows_skipped_total', 'reason="missing_values"')).toBe(
    skippedBefore + unfillable.length + fillable.length,
  );
  expect(runtime.scored.every((s) => Number.isFinite(s.score))).toBe(true);
});

it('skips windows while a channel is missing, counts them, and keeps its buffers bounded', async () => {
  const path = asset('cell-missing-channel');
  const before = await counter('windows_skipped_total', 'reason="missing_channel"');
  const seqs = Array.from({ length: 20 }, (_, i) => i);
  await publish(runtime.client, path, blocks(FIXTURE_CHANNELS.slice(0, 3), seqs));
  // 300 ms skew at 1 kHz: a window is given up once the other channels are 300 samples past its end.
  const given = starts(0, 2000 - 300).length;
  await waitUntil(
    async () =>
      (await counter('windows_skipped_total', 'reason="missing_channel"')) - before >= given,
  );
  expect(await counter('windows_skipped_total', 'reason="missing_channel"')).toBe(before + given);
  expect(scoredStarts(path)).toEqual([]);
});
