/**
 * compareShadow's decisions on the comparison query's counts, at and just past each limit of the
 * environment's settings (the defaults: 95 % agreement, a rise of 5 points, 500 windows).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  countsFromRows,
  createCompareShadowHandler,
  judgeShadow,
  type ShadowCounts,
} from '../src/compare-shadow';
import type { ComparisonLimits, QueryRow } from '../src/contract';

const LIMITS: ComparisonLimits = {
  minAgreement: 0.95,
  maxAnomalyRateIncrease: 0.05,
  minWindowsCompared: 500,
  maxComparisons: 4,
};

/** Counts over `windows` windows. */
const counts = (
  windows: number,
  agreed: number,
  serving: number,
  candidate: number,
): ShadowCounts => ({
  windows,
  agreed,
  servingAnomalous: serving,
  candidateAnomalous: candidate,
  refusal: null,
});

/** Athena's result rows for one row of values (header first). */
function rows(values: (string | undefined)[]): QueryRow[] {
  const header = ['windows', 'agreed', 'serving_anomalous', 'candidate_anomalous', 'refusal'];
  return [
    { Data: header.map((name) => ({ VarCharValue: name })) },
    { Data: values.map((value) => (value === undefined ? {} : { VarCharValue: value })) },
  ];
}

describe('judgeShadow', () => {
  it('promotes at exactly the agreement and the anomaly-rate rise allowed', () => {
    // 950 of 1000 windows alike (95.0 %); 20 → 70 anomalous windows (+5.0 points).
    const verdict = judgeShadow(counts(1000, 950, 20, 70), 0, LIMITS);
    expect(verdict).toEqual({
      decision: 'PROMOTE',
      reason:
        'Over 1000 windows scored by both models they flag 95.0 % alike (at least 95.0 % required), anomaly rate 2.0 % serving, 7.0 % candidate (a rise of at most 5.0 points allowed).',
      attempt: 1,
      windows: 1000,
      agreement: 0.95,
      servingAnomalyRate: 0.02,
      candidateAnomalyRate: 0.07,
      refusal: null,
    });
  });

  it('rejects one window below the agreement required', () => {
    const verdict = judgeShadow(counts(1000, 949, 20, 20), 0, LIMITS);
    expect(verdict.decision).toBe('REJECT');
    expect(verdict.reason).toBe(
      'Over 1000 windows scored by both models the models flag 94.9 % of the windows alike, below the 95.0 % required.',
    );
  });

  it('rejects one anomalous window past the rise allowed', () => {
    // A lower agreement limit, so that only the rise counts: 51 more flags are 51 disagreements.
    const verdict = judgeShadow(counts(1000, 1000 - 51, 20, 71), 0, {
      ...LIMITS,
      minAgreement: 0.9,
    });
    expect(verdict.decision).toBe('REJECT');
    expect(verdict.reason).toBe(
      "Over 1000 windows scored by both models the candidate's anomaly rate is 5.1 points higher (anomaly rate 2.0 % serving, 7.1 % candidate), more than the 5.0 allowed.",
    );
  });

  it('does not hold a candidate back for flagging fewer windows than the serving model', () => {
    expect(judgeShadow(counts(1000, 960, 60, 20), 0, LIMITS).decision).toBe('PROMOTE');
  });

  it('names both failures at once', () => {
    const verdict = judgeShadow(counts(500, 400, 0, 100), 0, LIMITS);
    expect(verdict.reason).toMatch(
      /flag 80\.0 % of the windows alike.*, and the candidate's anomaly rate is 20\.0 points higher/,
    );
  });

  it('waits while fewer windows than needed were compared, and judges at exactly the number', () => {
    expect(judgeShadow(counts(499, 499, 0, 0), 0, LIMITS)).toMatchObject({
      decision: 'WAIT',
      reason: '499 of the 500 windows needed compared so far (comparison 1 of at most 4).',
      attempt: 1,
    });
    expect(judgeShadow(counts(500, 500, 0, 0), 0, LIMITS).decision).toBe('PROMOTE');
  });

  it('rejects when the last comparison allowed still has too few windows', () => {
    expect(judgeShadow(counts(499, 499, 0, 0), 2, LIMITS).decision).toBe('WAIT');
    expect(judgeShadow(counts(0, 0, 0, 0), 3, LIMITS)).toMatchObject({
      decision: 'REJECT',
      reason:
        'Only 0 windows were compared after 4 comparisons, fewer than the 500 needed: the canary scored too little telemetry with the candidate in shadow.',
      attempt: 4,
      agreement: null,
    });
  });

  it("rejects at once when the canary's runtime refused to load the candidate", () => {
    const refusal =
      'bundle reads channels [arc_current], window 64/32 at 1000 Hz but the runtime serves channels [arc_current, arc_voltage], window 128/64 at 1000 Hz; a different input needs a restart';
    expect(judgeShadow({ ...counts(0, 0, 0, 0), refusal }, 0, LIMITS)).toMatchObject({
      decision: 'REJECT',
      reason: `The canary's inference runtime refused to load the candidate: ${refusal}`,
    });
  });
});

describe('countsFromRows', () => {
  it("reads Athena's result rows by column name; NULL counts are 0, no refusal is null", () => {
    expect(countsFromRows(rows(['1200', '1190', '12', undefined, undefined]))).toEqual({
      windows: 1200,
      agreed: 1190,
      servingAnomalous: 12,
      candidateAnomalous: 0,
      refusal: null,
    });
  });

  it('refuses a result without the columns it counts', () => {
    expect(() => countsFromRows([{ Data: [{ VarCharValue: 'windows' }] }, { Data: [] }])).toThrow(
      'the comparison query returned no column agreed, serving_anomalous, candidate_anomalous, refusal',
    );
  });
});

describe('compareShadow', () => {
  it('judges the rows of the comparison query', async () => {
    const compare = createCompareShadowHandler({
      logger: new Logger({ serviceName: 'model-rollout-test', logLevel: 'SILENT' }),
    });
    const verdict = await compare({
      rows: rows(['600', '600', '6', '6', '']),
      attempt: 1,
      limits: LIMITS,
    });
    expect(verdict).toMatchObject({ decision: 'PROMOTE', attempt: 2, windows: 600 });
  });
});
