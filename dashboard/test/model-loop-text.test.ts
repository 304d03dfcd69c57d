import { figureTexts, phaseText } from '../src/pages/anomalies/model-loop-text';

describe('phaseText', () => {
  it('says what the loop is doing in every phase', () => {
    expect(phaseText('watching')).toBe('watching the drift statistics');
    expect(phaseText('shadow')).toBe('comparing the candidate in shadow with the serving model');
  });
});

describe('figureTexts', () => {
  it('writes shadow figures as counts and percentages, in their recorded order', () => {
    expect(
      figureTexts({
        windowsCompared: 512,
        agreement: 0.9824,
        servingAnomalyRate: 0.1,
        shadowAnomalyRate: null,
        labelledWindows: 500,
        servingErrorRate: 0.25,
        shadowErrorRate: 0.004,
      }),
    ).toEqual([
      'windows compared 512',
      'agreement 98.2 %',
      'serving anomaly rate 10.0 %',
      'candidate anomaly rate n/a',
      'inspected windows 500',
      'serving error rate 25.0 %',
      'candidate error rate 0.4 %',
    ]);
  });

  it('writes quality figures with three decimals, other counts and texts as they are', () => {
    expect(
      figureTexts({ rocAuc: 0.98765, f1: null, rows: 12_345, burn_through: 12, note: 'x' }),
    ).toEqual(['ROC-AUC 0.988', 'F1 n/a', 'rows 12,345', 'burn_through 12', 'note x']);
  });

  it('gives nothing for an entry without figures', () => {
    expect(figureTexts(undefined)).toEqual([]);
  });
});
