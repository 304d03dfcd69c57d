/** A saved Athena query of the Lakehouse workgroup. */
export interface NamedQueryDefinition {
  readonly name: string;
  readonly description: string;
  /** Database the query runs in. */
  readonly database: string;
  readonly sql: string;
}

/**
 * The common analyses, saved in the workgroup so that engineers start from a correct query
 * (partition filters on `dt` keep the scanned bytes, and so the cost, small).
 *
 * @param curatedDatabase name of the curated Glue database the queries read.
 */
export function lakehouseNamedQueries(curatedDatabase: string): NamedQueryDefinition[] {
  const lastDays = (days: number) =>
    `dt >= date_format(current_date - interval '${days}' day, '%Y-%m-%d')`;
  const queries: Omit<NamedQueryDefinition, 'database'>[] = [
    {
      name: 'anomaly-rate-per-line-per-day',
      description:
        'Share of scored windows flagged anomalous, per site, line and day (last 30 days, serving models only)',
      sql: `SELECT site, area, line, dt,
       count(*) AS scored_windows,
       count_if(is_anomaly) AS anomalous_windows,
       round(CAST(count_if(is_anomaly) AS double) / count(*), 4) AS anomaly_rate
FROM "${curatedDatabase}"."inference_results"
WHERE ${lastDays(30)} AND NOT shadow
GROUP BY site, area, line, dt
ORDER BY dt DESC, site, area, line;`,
    },
    {
      name: 'validation-compliance-per-site',
      description:
        'Share of UNS messages that matched the AsyncAPI contract, per site and contract version (last 7 days)',
      sql: `SELECT site, contract_version,
       sum(valid_count) AS valid_messages,
       sum(invalid_count) AS invalid_messages,
       round(CAST(sum(valid_count) AS double) / nullif(sum(valid_count) + sum(invalid_count), 0), 4) AS compliance
FROM "${curatedDatabase}"."validation_summaries"
WHERE ${lastDays(7)}
GROUP BY site, contract_version
ORDER BY compliance ASC;`,
    },
    {
      name: 'top-contract-violations',
      description: 'Channels and error kinds with the most invalid messages (last 7 days)',
      sql: `SELECT site, line, channel, error_kind, sum(invalid_count) AS invalid_messages
FROM "${curatedDatabase}"."validation_summaries"
WHERE ${lastDays(7)} AND invalid_count > 0
GROUP BY site, line, channel, error_kind
ORDER BY invalid_messages DESC
LIMIT 50;`,
    },
    {
      name: 'telemetry-coverage-per-asset-per-day',
      description:
        'Samples and channels received per asset and day, to spot silent assets (last 7 days)',
      sql: `SELECT site, line, cell, asset, dt,
       count(*) AS samples,
       count(DISTINCT channel) AS channels,
       min(sample_time) AS first_sample,
       max(sample_time) AS last_sample
FROM "${curatedDatabase}"."uns_telemetry"
WHERE ${lastDays(7)}
GROUP BY site, line, cell, asset, dt
ORDER BY dt DESC, site, line, cell, asset;`,
    },
  ];
  return queries.map((query) => ({ ...query, database: curatedDatabase }));
}
