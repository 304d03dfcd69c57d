import { ChannelStream, type StreamOutcome } from '../../src/windowing/channel-stream';
import type { TelemetryBlock } from '../../src/windowing/block';

/** A stream at 1 kHz with 10-sample blocks; records what it placed and counted. */
function stream(options: { reorderBlocks?: number; fill?: boolean; maxGapSamples?: number } = {}) {
  const placed: { index: number; length: number; nan: number }[] = [];
  const counts = new Map<StreamOutcome, number>();
  const s = new ChannelStream({
    periodMs: 1,
    reorderBlocks: options.reorderBlocks ?? 2,
    gapPolicy: () => ({ fill: options.fill ?? true, maxGapSamples: options.maxGapSamples ?? 5 }),
    place: (index, values) => {
      placed.push({ index, length: values.length, nan: values.filter(Number.isNaN).length });
    },
    count: (outcome, amount) => counts.set(outcome, (counts.get(outcome) ?? 0) + amount),
  });
  return { s, placed, counts };
}

const block = (seq: number, index = seq * 10, length = 10, dtMs = 1): TelemetryBlock => ({
  t0Ms: index * dtMs,
  dtMs,
  seq,
  values: new Float64Array(length).fill(1),
});

it('places in-order blocks back to back', () => {
  const { s, placed, counts } = stream();
  [0, 1, 2].forEach((seq) => {
    s.accept(block(seq));
  });
  expect(placed.map((p) => p.index)).toEqual([0, 10, 20]);
  expect(counts.get('accepted')).toBe(3);
});

it('drops a repeated seq as a duplicate, also while a later block waits', () => {
  const { s, placed, counts } = stream();
  s.accept(block(0));
  s.accept(block(0));
  s.accept(block(2));
  s.accept(block(2));
  expect(counts.get('duplicate')).toBe(2);
  expect(placed).toHaveLength(1);
});

it('holds an early block until the missing seq arrives, then places both in order', () => {
  const { s, placed, counts } = stream();
  s.accept(block(0));
  s.accept(block(2));
  expect(placed).toHaveLength(1);
  s.accept(block(1));
  expect(placed.map((p) => p.index)).toEqual([0, 10, 20]);
  expect(counts.get('reordered')).toBe(1);
});

it('gives up on a missing seq once more than reorderBlocks blocks wait, and drops it later as late', () => {
  const { s, placed, counts } = stream({ reorderBlocks: 1, maxGapSamples: 0 });
  s.accept(block(0));
  s.accept(block(2));
  s.accept(block(3));
  expect(counts.get('reset_gap')).toBe(1);
  expect(placed.map((p) => p.index)).toEqual([0, 20, 30]);
  s.accept(block(1));
  expect(counts.get('late')).toBe(1);
});

it('fills a lost stretch of at most maxGapSamples with missing values', () => {
  const { s, placed, counts } = stream({ maxGapSamples: 5 });
  s.accept(block(0, 0, 7)); // 3 samples short of the next block
  s.accept(block(1, 10));
  expect(placed).toEqual([
    { index: 0, length: 7, nan: 0 },
    { index: 7, length: 3, nan: 3 },
    { index: 10, length: 10, nan: 0 },
  ]);
  expect(counts.get('gap_filled')).toBe(3);
});

it('restarts the channel at a gap longer than maxGapSamples or when the policy rejects gaps', () => {
  for (const options of [{ maxGapSamples: 5 }, { fill: false, maxGapSamples: 50 }]) {
    const { s, placed, counts } = stream(options);
    s.accept(block(0, 0, 4));
    s.accept(block(1, 10));
    expect(placed.map((p) => p.index)).toEqual([0, 10]);
    expect(counts.get('reset_gap')).toBe(1);
  }
});

it('restarts on overlapping samples and on a seq that went back while time went on', () => {
  const { s, counts } = stream();
  s.accept(block(0));
  s.accept(block(1, 5));
  expect(counts.get('reset_overlap')).toBe(1);
  s.accept(block(0, 100));
  expect(counts.get('reset_restart')).toBe(1);
});

it('drops blocks whose sample interval is not the model sample period', () => {
  const { s, placed, counts } = stream();
  s.accept(block(0, 0, 10, 2));
  expect(placed).toEqual([]);
  expect(counts.get('rate_mismatch')).toBe(1);
});
