/**
 * The one Athena query of the drift check, over the raw Lakehouse table `model_drift` (one row per
 * drift evaluation of an asset and subject: each input channel by name, and `score` for the
 * anomaly scores; see lib/lakehouse/tables.ts).
 *
 * An **evaluation** is one `ModelDrift` message of the edge inference runtime: one asset
 * (`enterprise/site/area/line/cell/asset`), one model version, one drift window. It is **drifted**
 * when any of its subjects drifted (the message's own `drifted`). Rows delivered twice (Firehose
 * delivers at least once) are counted once.
 *
 * The result has one row per site, model and subject, ordered by them:
 *
 * | column                | meaning                                                            |
 * | --------------------- | ------------------------------------------------------------------ |
 * | `site`, `model_name`  | the site partition and the model bundle's name                     |
 * | `evaluations`         | evaluations of the site and model in the lookback                  |
 * | `drifted_evaluations` | those that drifted                                                 |
 * | `drifted_share`       | `drifted_evaluations / evaluations` (0 to 1)                       |
 * | `assets`              | assets of the site that reported an evaluation of the model        |
 * | `subject`             | a channel name or `score`                                          |
 * | `max_psi`, `mean_psi` | the highest and the mean PSI of the subject over those evaluations |
 *
 * The per-model columns repeat on each subject row of the model. Execution parameters, in order
 * (see {@link driftQueryParameters}): the first and the last `dt` partition to read, and the
 * lookback as `window_end` in (start, end].
 */
export const DRIFT_QUERY_TEMPLATE = `WITH drift_rows AS (
  SELECT DISTINCT site, model_name, enterprise, area, line, cell, asset, model_version,
    window_start, window_end, subject, value, drifted
  FROM "\${database}"."\${table}"
  WHERE dt BETWEEN ? AND ?
    AND window_end > CAST(? AS timestamp)
    AND window_end <= CAST(? AS timestamp)
    AND statistic = 'psi'
    AND model_name IS NOT NULL
    AND subject IS NOT NULL
),
evaluations AS (
  SELECT site, model_name, enterprise, area, line, cell, asset, model_version,
    window_start, window_end, bool_or(drifted) AS drifted
  FROM drift_rows
  GROUP BY site, model_name, enterprise, area, line, cell, asset, model_version,
    window_start, window_end
),
per_model AS (
  SELECT site, model_name,
    count(*) AS evaluations,
    count_if(drifted) AS drifted_evaluations,
    count(DISTINCT concat_ws('/', enterprise, area, line, cell, asset)) AS assets
  FROM evaluations
  GROUP BY site, model_name
),
per_subject AS (
  SELECT site, model_name, subject, max(value) AS max_psi, avg(value) AS mean_psi
  FROM drift_rows
  GROUP BY site, model_name, subject
)
SELECT m.site, m.model_name, m.evaluations, m.drifted_evaluations,
  CAST(m.drifted_evaluations AS double) / m.evaluations AS drifted_share,
  m.assets, s.subject, s.max_psi, s.mean_psi
FROM per_model m
JOIN per_subject s ON s.site = m.site AND s.model_name = m.model_name
ORDER BY m.site, m.model_name, s.subject`;

/** The columns of the query's result, in order. */
export const DRIFT_QUERY_COLUMNS = [
  'site',
  'model_name',
  'evaluations',
  'drifted_evaluations',
  'drifted_share',
  'assets',
  'subject',
  'max_psi',
  'mean_psi',
] as const;

/** A Glue database or table name as the Lakehouse creates them (lowercase, digits, `_`). */
const GLUE_NAME = /^[a-z0-9_]{1,255}$/;

/**
 * The query over `database`.`table`.
 *
 * @throws Error when a name is not a plain Glue name: they are written into the SQL text, so
 *   nothing else may pass.
 */
export function driftQuery(database: string, table: string): string {
  for (const [what, name] of [
    ['database', database],
    ['table', table],
  ] as const) {
    if (!GLUE_NAME.test(name)) {
      throw new Error(
        `drift query: ${what} ${JSON.stringify(name)} must be 1-255 lowercase letters, digits or underscores`,
      );
    }
  }
  return DRIFT_QUERY_TEMPLATE.replace('${database}', database).replace('${table}', table);
}

/** The lookback a check looks at: `window_end` in (start, end]. */
export interface Lookback {
  readonly start: Date;
  readonly end: Date;
}

/**
 * How far before the lookback a drift window may start: a row's `dt` is the UTC day of its
 * `window_start` (the flattener's choice), so an evaluation that ends in the lookback can sit in
 * the partition of the day before. The edge's rolling drift windows are minutes to hours long.
 */
export const MAX_DRIFT_WINDOW_HOURS = 24;

/** The `lookbackHours` before `end`. */
export function lookbackEndingAt(end: Date, lookbackHours: number): Lookback {
  return { start: new Date(end.getTime() - lookbackHours * 3_600_000), end };
}

/**
 * The execution parameters of the query for a lookback, as Athena takes them: SQL literals, so
 * strings in single quotes: the first `dt` (the day {@link MAX_DRIFT_WINDOW_HOURS} before the
 * start) and the last (the end's day), `yyyy-MM-dd`; the start and the end,
 * `yyyy-MM-dd HH:mm:ss.SSS` in UTC, which `CAST(… AS timestamp)` reads.
 */
export function driftQueryParameters({ start, end }: Lookback): string[] {
  const day = (time: Date) => time.toISOString().slice(0, 10);
  const timestamp = (time: Date) => time.toISOString().slice(0, 23).replace('T', ' ');
  const firstWindowStart = new Date(start.getTime() - MAX_DRIFT_WINDOW_HOURS * 3_600_000);
  return [day(firstWindowStart), day(end), timestamp(start), timestamp(end)].map(
    (value) => `'${value}'`,
  );
}
