import {
  type AnomalyEvent,
  AnomalyEventTracker,
  type ScoredWindow,
} from '../../src/service/anomaly-events';

const window = (start: number, score: number, threshold = 1): ScoredWindow => ({
  asset: 'e/s/a/l/c/x',
  startIndex: start,
  startMs: start,
  endMs: start + 8,
  score,
  anomaly: score > threshold,
  threshold,
  modelName: 'm',
  modelVersion: `v${start}`,
});

function tracker() {
  const events: AnomalyEvent[] = [];
  return { events, tracker: new AnomalyEventTracker(4, (e) => events.push(e)) };
}

it('turns a run of consecutive anomalous windows into one event with its peak', () => {
  const { events, tracker: t } = tracker();
  [window(0, 0.5), window(4, 2), window(8, 5), window(12, 3), window(16, 0.2)].forEach((w) => {
    t.add(w);
  });
  expect(events).toEqual([
    expect.objectContaining({
      startMs: 4,
      endMs: 20,
      peakScore: 5,
      peakAtMs: 8,
      windows: 3,
      modelVersion: 'v8',
    }),
  ]);
});

it('ends a run at a break in the windows and at closeAll', () => {
  const { events, tracker: t } = tracker();
  t.add(window(0, 2));
  t.add(window(8, 2)); // window 4 is missing: a new run
  t.closeAll();
  expect(events.map((e) => [e.startMs, e.windows])).toEqual([
    [0, 1],
    [8, 1],
  ]);
});

it('raises nothing for normal windows', () => {
  const { events, tracker: t } = tracker();
  [window(0, 0.1), window(4, 0.9)].forEach((w) => {
    t.add(w);
  });
  t.closeAll();
  expect(events).toEqual([]);
});
