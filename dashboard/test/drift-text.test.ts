import type { AssetDrift } from '../src/api/types';
import { baselineText, samplesText } from '../src/pages/anomalies/drift-text';

const channel = (name: string, samples: number) => ({ name, value: 0.01, samples, drifted: false });

describe('baselineText', () => {
  it('says pooled when no entry of the bundle matched the asset', () => {
    expect(baselineText({ channels: 'pooled', score: 'pooled', series: null })).toBe('pooled');
  });

  it('names the series of the matched entry, levels in asset path order', () => {
    expect(
      baselineText({
        channels: 'asset',
        score: 'asset',
        series: { cell: 'cell-1', site: 'zwickau' },
      }),
    ).toBe('asset (site=zwickau, cell=cell-1)');
  });

  it('tells the channels from the score when the entry has no score histogram', () => {
    expect(baselineText({ channels: 'asset', score: 'pooled', series: { site: 'zwickau' } })).toBe(
      'channels: asset (site=zwickau); score: pooled',
    );
  });
});

describe('samplesText', () => {
  it('counts the samples per channel and the scores', () => {
    const drift: Pick<AssetDrift, 'channels' | 'score'> = {
      channels: [channel('arc_current', 99_904), channel('arc_voltage', 99_904)],
      score: { value: 0, samples: 1561, drifted: false },
    };
    expect(samplesText(drift)).toBe('99,904 per channel · 1,561 scores');
  });

  it('gives the range when channels missed values, and no scores when too few to judge', () => {
    const drift = { channels: [channel('arc_current', 1200), channel('gas_flow', 1180)] };
    expect(samplesText(drift)).toBe('1,180–1,200 per channel');
  });
});
