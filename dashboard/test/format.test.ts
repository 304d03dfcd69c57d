import { formatDuration, formatTimeRange } from '../src/format';

describe('formatDuration', () => {
  it('writes a trend step in its largest whole unit', () => {
    expect([45, 60, 900, 5400, 21_600, 86_400, 604_800].map(formatDuration)).toEqual([
      '45 s',
      '1 min',
      '15 min',
      '90 min',
      '6 h',
      '1 d',
      '7 d',
    ]);
  });
});

describe('formatTimeRange', () => {
  it('writes the end without its date when both fall on the same day (UTC)', () => {
    expect(formatTimeRange('2030-01-01T08:14:02.000Z', '2030-01-01T08:15:02.000Z')).toBe(
      '2030-01-01 08:14:02 – 08:15:02',
    );
  });

  it('writes both dates across midnight', () => {
    expect(formatTimeRange('2030-01-01T23:59:30.000Z', '2030-01-02T00:00:30.000Z')).toBe(
      '2030-01-01 23:59:30 – 2030-01-02 00:00:30',
    );
  });
});
