import { formatDuration } from '../src/format';

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
