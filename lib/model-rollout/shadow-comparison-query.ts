import { UNS_ID_PATTERN } from '../uns-id';

/** The Lakehouse tables the comparison reads, in the raw zone (scores and status as delivered). */
export const COMPARISON_TABLES = ['inference_results', 'model_status'] as const;

/** What the query's `?` stand for, in order: the values the state machine passes. */
export const COMPARISON_PARAMETERS = [
  'since day',
  'since',
  'candidate model name',
  'since day',
  'since',
  'candidate model name',
  'candidate model version',
  'since day',
  'since',
  'candidate model name',
  'candidate model version',
] as const;

/**
 * The Athena (Trino) query comparing the candidate with the serving model at the canary's site
 * (of the same model name) since the shadow deployment: the windows both scored (the same asset and window start; rows
 * delivered twice count once), how many of them both flag alike, how many each flags, and the
 * runtime's reason if it refused to load the candidate. Reads the raw `inference_results` and
 * `model_status` of the site's partitions from the day of the deployment on. The `?` are the
 * values {@link COMPARISON_PARAMETERS} names, as SQL literals.
 *
 * @throws Error when `siteId` is not a UNS id (it is written into the query).
 */
export function shadowComparisonSql(siteId: string): string {
  if (!UNS_ID_PATTERN.test(siteId)) throw new Error(`${JSON.stringify(siteId)} is no UNS site id`);
  const site = `site = '${siteId}' AND dt >= ?`;
  return `WITH serving AS (
  SELECT DISTINCT enterprise, area, line, cell, asset, window_start, is_anomaly
  FROM inference_results
  WHERE ${site} AND window_start >= from_iso8601_timestamp(?) AND NOT shadow
    AND model_name = ?
),
candidate AS (
  SELECT DISTINCT enterprise, area, line, cell, asset, window_start, is_anomaly
  FROM inference_results
  WHERE ${site} AND window_start >= from_iso8601_timestamp(?) AND shadow
    AND model_name = ? AND model_version = ?
),
refusal AS (
  SELECT max_by(refusal_reason, status_time) AS reason
  FROM model_status
  WHERE ${site} AND status_time >= from_iso8601_timestamp(?)
    AND model_name = ? AND event = 'refused' AND refused_role = 'shadow' AND refused_version = ?
)
SELECT
  count(*) AS windows,
  count_if(s.is_anomaly = c.is_anomaly) AS agreed,
  count_if(s.is_anomaly) AS serving_anomalous,
  count_if(c.is_anomaly) AS candidate_anomalous,
  (SELECT reason FROM refusal) AS refusal
FROM serving s
JOIN candidate c
  ON s.enterprise = c.enterprise AND s.area = c.area AND s.line = c.line
  AND s.cell = c.cell AND s.asset = c.asset AND s.window_start = c.window_start`;
}
