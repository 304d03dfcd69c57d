/**
 * The drift check's query, run as the check runs it (the text of `driftQuery`, the lookback as
 * execution parameters) on a real Trino 476 over the Lakehouse's raw `model_drift` table, written
 * as the delivery writes it: Parquet partitions `site=<site>/dt=<UTC day of window_start>/`.
 */
import type { QueryResult } from '../../lambdas/model-drift-check/src/athena-query';
import {
  driftQuery,
  driftQueryParameters,
  lookbackEndingAt,
} from '../../lambdas/model-drift-check/src/drift-query';
import {
  type ModelDriftSummary,
  summarizeDrift,
} from '../../lambdas/model-drift-check/src/drift-summary';
import { createTrinoLakehouse, type Row, synthGlueCatalog } from '../support/lakehouse-on-trino';
import { sharedTrino } from '../support/shared-trino';

const MODEL = 'weld-seam-anomaly';
const CHECK = new Date('2025-12-04T10:00:00.000Z');
const cell = { enterprise: 'acme', area: 'body-shop', line: 'body-weld-1', cell: 'cell-010' };

/** The rows of one drift evaluation (a `ModelDrift` message): one per subject. */
function evaluation(
  asset: string,
  window: { start: string; end: string },
  subjects: Record<string, number>,
  options: { threshold?: number; model?: string; statistic?: string } = {},
): Row[] {
  const threshold = options.threshold ?? 0.25;
  return Object.entries(subjects).map(([subject, value]) => ({
    ...cell,
    asset,
    model_name: options.model ?? MODEL,
    model_version: '2025.12.01-1',
    window_start: window.start,
    window_end: window.end,
    statistic: options.statistic ?? 'psi',
    subject,
    value,
    samples: 300_000,
    threshold,
    drifted: value > threshold,
    mqtt_topic: `acme/zwickau/body-shop/body-weld-1/cell-010/${asset}/_ml/${MODEL}/drift`,
    contract_version: '1.4.0',
    received_at: window.end,
  }));
}

/** An hour-long window ending at `end` (a time of 2025-12-04, UTC). */
const hourTo = (end: string) => ({
  start: new Date(Date.parse(`2025-12-04T${end}:00.000Z`) - 3_600_000).toISOString(),
  end: `2025-12-04T${end}:00.000Z`,
});

let summaries: ModelDriftSummary[];
let result: QueryResult;

beforeAll(async () => {
  const trino = await sharedTrino();
  const lakehouse = await createTrinoLakehouse(trino, synthGlueCatalog(), 'drift');
  const write = (site: string, dt: string, rows: Row[]) =>
    lakehouse.writeRaw('model_drift', site, dt, rows);
  const drifted05 = evaluation('welder-1', hourTo('05:00'), {
    arc_current: 0.03,
    arc_voltage: 0.41,
    score: 0.1,
  });
  await write('zwickau', '2025-12-04', [
    ...drifted05,
    ...evaluation('welder-1', hourTo('06:00'), {
      arc_current: 0.05,
      arc_voltage: 0.02,
      score: 0.1,
    }),
    ...evaluation('welder-1', hourTo('07:00'), { arc_current: 0.04, arc_voltage: 0.6, score: 0.2 }),
    ...evaluation('welder-2', hourTo('04:30'), {
      arc_current: 0.01,
      arc_voltage: 0.02,
      score: 0.05,
    }),
    ...evaluation('welder-2', hourTo('09:30'), {
      arc_current: 0.02,
      arc_voltage: 0.03,
      score: 0.05,
    }),
    // Before the lookback, and after the check: not counted.
    ...evaluation('welder-2', hourTo('04:00'), { arc_current: 0.9, arc_voltage: 0.9, score: 0.9 }),
    ...evaluation('welder-2', hourTo('10:30'), { arc_current: 0.9, arc_voltage: 0.9, score: 0.9 }),
    // Another statistic than the PSI: not counted.
    ...evaluation('welder-2', hourTo('08:00'), { arc_current: 0.9 }, { statistic: 'ks' }),
    // Another model at the same site: a summary of its own.
    ...evaluation('welder-1', hourTo('08:00'), { current: 0.3 }, { model: 'spot-weld-anomaly' }),
  ]);
  // The 05:00 evaluation delivered a second time (Firehose delivers at least once).
  await write('zwickau', '2025-12-04', drifted05);
  // A six-hour window that started the day before: in that day's partition, and counted.
  await write(
    'zwickau',
    '2025-12-03',
    evaluation(
      'welder-3',
      { start: '2025-12-03T23:00:00.000Z', end: '2025-12-04T05:00:00.000Z' },
      { arc_current: 0.05, arc_voltage: 0.1, score: 0.3 },
    ),
  );
  await write(
    'mlada-boleslav',
    '2025-12-04',
    evaluation('welder-7', hourTo('09:00'), { arc_current: 0.02, arc_voltage: 0.01 }),
  );

  const answer = await trino.query(
    driftQuery(lakehouse.databases.rawDatabase, 'model_drift'),
    driftQueryParameters(lookbackEndingAt(CHECK, 6)),
  );
  // As Athena's GetQueryResults gives them: every value as text, NULL as no value.
  result = {
    queryExecutionId: answer.queryId,
    columns: answer.columns,
    rows: answer.rows.map((row) => answer.columns.map((column) => asText(row[column]))),
    dataScannedBytes: undefined,
  };
  summaries = summarizeDrift(result);
}, 300_000);

/** A value of Trino's client protocol as Athena's GetQueryResults writes it: text, or none for NULL. */
function asText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const summaryOf = (site: string, model = MODEL) =>
  summaries.find((summary) => summary.site === site && summary.model === model);

describe('the drift query on Trino', () => {
  it('gives one summary per site and model that reported in the lookback', () => {
    expect(summaries.map(({ site, model }) => `${site} ${model}`)).toEqual([
      `mlada-boleslav ${MODEL}`,
      'zwickau spot-weld-anomaly',
      `zwickau ${MODEL}`,
    ]);
  });

  it('counts the evaluations that end in the lookback, each once, and the drifted among them', () => {
    // welder-1 at 05:00 (delivered twice), 06:00, 07:00; welder-2 at 04:30 and 09:30; welder-3's
    // six-hour window; drifted: welder-1 at 05:00 and 07:00, welder-3 (its score).
    expect(summaryOf('zwickau')).toMatchObject({
      evaluations: 6,
      driftedEvaluations: 3,
      driftedShare: 0.5,
      assets: 3,
    });
    expect(summaryOf('mlada-boleslav')).toMatchObject({
      evaluations: 1,
      driftedEvaluations: 0,
      driftedShare: 0,
      assets: 1,
    });
  });

  it('gives the highest and the mean PSI of each subject, and the highest of any', () => {
    const zwickau = summaryOf('zwickau')!;
    expect(zwickau.subjects.map((subject) => subject.subject)).toEqual([
      'arc_current',
      'arc_voltage',
      'score',
    ]);
    const voltage = zwickau.subjects.find((subject) => subject.subject === 'arc_voltage')!;
    expect(voltage.maxPsi).toBe(0.6);
    expect(voltage.meanPsi).toBeCloseTo((0.41 + 0.02 + 0.6 + 0.02 + 0.03 + 0.1) / 6, 10);
    const score = zwickau.subjects.find((subject) => subject.subject === 'score')!;
    expect(score.maxPsi).toBe(0.3);
    expect(zwickau.maxPsi).toBe(0.6);
  });

  it('keeps other models apart', () => {
    expect(summaryOf('zwickau', 'spot-weld-anomaly')).toMatchObject({
      evaluations: 1,
      driftedShare: 1,
      subjects: [{ subject: 'current', maxPsi: 0.3, meanPsi: 0.3 }],
    });
  });
});
