-- Drift reported by the edge inference runtimes per site, model version and subject (channel or score) over the last 7 days: share of drifted evaluations and the highest value.
SELECT site, model_name, model_version, statistic, subject,
       count(*) AS evaluations,
       count_if(drifted) AS drifted,
       round(CAST(count_if(drifted) AS double) / count(*), 4) AS drifted_share,
       round(max(value), 4) AS max_value,
       max(threshold) AS threshold
FROM "{{raw}}"."model_drift"
WHERE dt >= date_format(current_date - interval '7' day, '%Y-%m-%d')
GROUP BY site, model_name, model_version, statistic, subject
ORDER BY drifted_share DESC, site, subject;
