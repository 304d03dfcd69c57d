import type { QueryResult } from './athena-query';
import { DRIFT_QUERY_COLUMNS } from './drift-query';

/** The drift of one subject (an input channel, or `score`) of a model at a site. */
export interface SubjectDrift {
  readonly subject: string;
  /** Highest PSI of the subject over the lookback's evaluations. */
  readonly maxPsi: number;
  readonly meanPsi: number;
}

/** The drift of one model at one site over the lookback, as the drift query counts it. */
export interface ModelDriftSummary {
  readonly site: string;
  readonly model: string;
  readonly evaluations: number;
  readonly driftedEvaluations: number;
  /** `driftedEvaluations / evaluations`, 0 to 1. */
  readonly driftedShare: number;
  /** Assets that reported an evaluation. */
  readonly assets: number;
  /** Highest PSI of any subject. */
  readonly maxPsi: number;
  /** By subject name, in the query's order. */
  readonly subjects: readonly SubjectDrift[];
}

/** A site and a model that the check expects drift data from. */
export interface MonitoredModel {
  readonly site: string;
  readonly model: string;
}

/**
 * The drift query's rows grouped into one summary per site and model (the per-model columns
 * repeat on each subject row).
 *
 * @throws Error when the result does not have the query's columns, or a value is missing or not
 *   a number where the query always gives one.
 */
export function summarizeDrift(result: QueryResult): ModelDriftSummary[] {
  if (result.columns.join(',') !== DRIFT_QUERY_COLUMNS.join(',')) {
    throw new Error(
      `drift query ${result.queryExecutionId} returned columns ${result.columns.join(', ')}; expected ${DRIFT_QUERY_COLUMNS.join(', ')}`,
    );
  }
  const summaries = new Map<
    string,
    Omit<ModelDriftSummary, 'maxPsi'> & { subjects: SubjectDrift[] }
  >();
  result.rows.forEach((row, index) => {
    const value = (column: (typeof DRIFT_QUERY_COLUMNS)[number]): string => {
      const text = row[DRIFT_QUERY_COLUMNS.indexOf(column)];
      if (text === undefined || text === '') {
        throw new Error(
          `drift query ${result.queryExecutionId}, row ${index + 1}: ${column} is missing`,
        );
      }
      return text;
    };
    const number = (column: (typeof DRIFT_QUERY_COLUMNS)[number]): number => {
      const parsed = Number(value(column));
      if (!Number.isFinite(parsed)) {
        throw new Error(
          `drift query ${result.queryExecutionId}, row ${index + 1}: ${column} ${JSON.stringify(value(column))} is not a number`,
        );
      }
      return parsed;
    };
    const site = value('site');
    const model = value('model_name');
    const key = JSON.stringify([site, model]);
    let summary = summaries.get(key);
    if (summary === undefined) {
      summary = {
        site,
        model,
        evaluations: number('evaluations'),
        driftedEvaluations: number('drifted_evaluations'),
        driftedShare: number('drifted_share'),
        assets: number('assets'),
        subjects: [],
      };
      summaries.set(key, summary);
    }
    summary.subjects.push({
      subject: value('subject'),
      maxPsi: number('max_psi'),
      meanPsi: number('mean_psi'),
    });
  });
  return [...summaries.values()].map((summary) => ({
    ...summary,
    maxPsi: Math.max(...summary.subjects.map((subject) => subject.maxPsi)),
  }));
}

/** The monitored site and model pairs that have no summary: no drift data arrived from them. */
export function silentModels(
  summaries: readonly ModelDriftSummary[],
  monitored: readonly MonitoredModel[],
): MonitoredModel[] {
  return monitored.filter(
    ({ site, model }) =>
      !summaries.some((summary) => summary.site === site && summary.model === model),
  );
}
