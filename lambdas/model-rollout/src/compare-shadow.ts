import type { Logger } from '@aws-lambda-powertools/logger';
import type { CompareShadowEvent, ComparisonLimits, ComparisonVerdict, QueryRow } from './contract';

/** What the comparison query counts over the windows both models scored at the canary site. */
export interface ShadowCounts {
  /** Windows both the serving and the candidate model scored. */
  readonly windows: number;
  /** Of those, windows both flag alike (anomalous or not). */
  readonly agreed: number;
  readonly servingAnomalous: number;
  readonly candidateAnomalous: number;
  /** The runtime's reason when it refused to load the candidate, else null. */
  readonly refusal: string | null;
}

/** The comparison query's columns, in the order {@link ShadowCounts} reads them. */
export const COMPARISON_COLUMNS = [
  'windows',
  'agreed',
  'serving_anomalous',
  'candidate_anomalous',
  'refusal',
] as const;

/** Room for rounding when a share is compared with a limit: a share at the limit passes. */
const EPSILON = 1e-9;

/**
 * The counts of the comparison query's result (Athena `GetQueryResults` rows: the column names,
 * then one row of values). A missing count is 0; an empty refusal is none.
 *
 * @throws Error when the header lacks one of {@link COMPARISON_COLUMNS}.
 */
export function countsFromRows(rows: readonly QueryRow[]): ShadowCounts {
  const cells = (row: QueryRow | undefined) => (row?.Data ?? []).map((datum) => datum.VarCharValue);
  const header = cells(rows[0]);
  const values = cells(rows[1]);
  const missing = COMPARISON_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new Error(`the comparison query returned no column ${missing.join(', ')}`);
  }
  const value = (column: (typeof COMPARISON_COLUMNS)[number]) => values[header.indexOf(column)];
  const count = (column: (typeof COMPARISON_COLUMNS)[number]) => Number(value(column) ?? 0);
  const refusal = value('refusal');
  return {
    windows: count('windows'),
    agreed: count('agreed'),
    servingAnomalous: count('serving_anomalous'),
    candidateAnomalous: count('candidate_anomalous'),
    refusal: refusal === undefined || refusal === '' ? null : refusal,
  };
}

/**
 * Judges the candidate by what it scored beside the serving model:
 * - REJECT at once when the runtime refused to load it;
 * - WAIT while fewer than `minWindowsCompared` windows were compared, up to `maxComparisons`
 *   comparisons, then REJECT (too few windows);
 * - REJECT when the share of windows flagged alike is below `minAgreement`, or the anomaly rate
 *   rises by more than `maxAnomalyRateIncrease` (candidate minus serving);
 * - PROMOTE otherwise (a value exactly at its limit passes).
 *
 * @param previousAttempts comparisons made before this one.
 */
export function judgeShadow(
  counts: ShadowCounts,
  previousAttempts: number,
  limits: ComparisonLimits,
): ComparisonVerdict {
  const attempt = previousAttempts + 1;
  const { windows } = counts;
  const share = (part: number) => (windows === 0 ? null : part / windows);
  const measured = {
    attempt,
    windows,
    agreement: share(counts.agreed),
    servingAnomalyRate: share(counts.servingAnomalous),
    candidateAnomalyRate: share(counts.candidateAnomalous),
    refusal: counts.refusal,
  };
  const verdict = (decision: ComparisonVerdict['decision'], reason: string) => ({
    ...measured,
    decision,
    reason,
  });
  if (counts.refusal !== null) {
    return verdict(
      'REJECT',
      `The canary's inference runtime refused to load the candidate: ${counts.refusal}`,
    );
  }
  if (windows < limits.minWindowsCompared) {
    return attempt < limits.maxComparisons
      ? verdict(
          'WAIT',
          `${windows} of the ${limits.minWindowsCompared} windows needed compared so far (comparison ${attempt} of at most ${limits.maxComparisons}).`,
        )
      : verdict(
          'REJECT',
          `Only ${windows} windows were compared after ${attempt} comparisons, fewer than the ${limits.minWindowsCompared} needed: the canary scored too little telemetry with the candidate in shadow.`,
        );
  }
  const agreement = counts.agreed / windows;
  const servingRate = counts.servingAnomalous / windows;
  const candidateRate = counts.candidateAnomalous / windows;
  const rise = candidateRate - servingRate;
  const rates = `anomaly rate ${percent(servingRate)} serving, ${percent(candidateRate)} candidate`;
  const failures: string[] = [];
  if (agreement < limits.minAgreement - EPSILON) {
    failures.push(
      `the models flag ${percent(agreement)} of the windows alike, below the ${percent(limits.minAgreement)} required`,
    );
  }
  if (rise > limits.maxAnomalyRateIncrease + EPSILON) {
    failures.push(
      `the candidate's anomaly rate is ${points(rise)} points higher (${rates}), more than the ${points(limits.maxAnomalyRateIncrease)} allowed`,
    );
  }
  if (failures.length > 0) {
    return verdict(
      'REJECT',
      `Over ${windows} windows scored by both models ${failures.join(', and ')}.`,
    );
  }
  return verdict(
    'PROMOTE',
    `Over ${windows} windows scored by both models they flag ${percent(agreement)} alike (at least ${percent(limits.minAgreement)} required), ${rates} (a rise of at most ${points(limits.maxAnomalyRateIncrease)} points allowed).`,
  );
}

/** Dependencies of {@link createCompareShadowHandler}. */
export interface CompareShadowDependencies {
  readonly logger: Logger;
}

/** The `compareShadow` handler: {@link judgeShadow} over the comparison query's result. */
export function createCompareShadowHandler(
  deps: CompareShadowDependencies,
): (event: CompareShadowEvent) => Promise<ComparisonVerdict> {
  return ({ rows, attempt, limits }) => {
    const verdict = judgeShadow(countsFromRows(rows), attempt, limits);
    deps.logger.info('Shadow comparison judged', { ...verdict });
    return Promise.resolve(verdict);
  };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

function points(share: number): string {
  return (share * 100).toFixed(1);
}
