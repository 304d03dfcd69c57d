import type { WindowGeometry } from '../../src/bundle/scoring-model';
import type { AssembledWindow, SkipReason } from '../../src/windowing/window-assembler';
import { WindowAssembler } from '../../src/windowing/window-assembler';

const GEOMETRY: WindowGeometry = {
  channels: ['a', 'b'],
  length: 8,
  stride: 4,
  sampleRateHz: 1000,
  missingValues: { policy: 'forward-fill', maxGapSamples: 2 },
};

function assembler(maxChannelSkewMs = 1000) {
  const windows: AssembledWindow[] = [];
  const skipped: Record<string, number> = {};
  const a = new WindowAssembler(
    {
      geometry: GEOMETRY,
      reorderBlocks: 2,
      maxChannelSkewMs,
      missingValues: () => GEOMETRY.missingValues,
    },
    {
      window: (w) => windows.push(w),
      skipped: (_asset, reason: SkipReason, n) => {
        skipped[reason] = (skipped[reason] ?? 0) + n;
      },
      stream: () => undefined,
      filled: () => undefined,
    },
  );
  const send = (channel: number, seq: number, from: number, values: number[]) => {
    a.accept('e/s/a/l/c/x', channel, {
      t0Ms: from,
      dtMs: 1,
      seq,
      values: Float64Array.from(values),
    });
  };
  return { send, windows, skipped };
}

const ramp = (from: number, n: number, offset = 0) =>
  Array.from({ length: n }, (_, k) => from + k + offset);

it('aligns channels by time and starts windows on multiples of the stride', () => {
  const { send, windows } = assembler();
  send(0, 0, 2, ramp(2, 14)); // channel a: samples 2..15
  send(1, 0, 0, ramp(0, 16, 100)); // channel b: samples 0..15
  expect(windows.map((w) => w.startIndex)).toEqual([4, 8]);
  // channel-major: a's 8 samples from index 4, then b's
  expect([...windows[0]!.raw]).toEqual([...ramp(4, 8), ...ramp(4, 8, 100)]);
  expect(windows[0]).toMatchObject({ startMs: 4, endMs: 12 });
});

it('waits for the slower channel, then emits every window both cover', () => {
  const { send, windows } = assembler();
  send(0, 0, 0, ramp(0, 20));
  expect(windows).toEqual([]);
  send(1, 0, 0, ramp(0, 12));
  expect(windows.map((w) => w.startIndex)).toEqual([0, 4]);
  send(1, 1, 12, ramp(12, 8));
  expect(windows.map((w) => w.startIndex)).toEqual([0, 4, 8, 12]);
});

it('skips windows a channel cannot cover once the others are further ahead than the skew allows', () => {
  const { send, windows, skipped } = assembler(4);
  send(0, 0, 0, ramp(0, 20));
  // window [0, 8) is given up once a reaches 8 + 4 samples past its end, and so on
  expect(windows).toEqual([]);
  expect(skipped.missing_channel).toBe(2); // [0,8) and [4,12): 20 - 12 > 4, 20 - 16 = 4 is not
});

it('fills short runs of missing samples and skips windows it cannot fill', () => {
  const { send, windows, skipped } = assembler();
  const a = ramp(0, 24);
  a[5] = Number.NaN; // one sample: filled
  a[17] = a[18] = a[19] = Number.NaN; // three samples: more than maxGapSamples 2
  send(0, 0, 0, a);
  send(1, 0, 0, ramp(0, 24));
  expect(windows.map((w) => w.startIndex)).toEqual([0, 4, 8]);
  expect(windows[1]!.raw[1]).toBe(4); // sample 5 took sample 4's value
  expect(skipped.missing_values).toBe(2); // [12,20) and [16,24) hold the run of three
});
