-- The newest day (dt partition) of each raw table per site, over the last 14 days: a site or table missing here has delivered nothing for two weeks.
SELECT 'uns_telemetry' AS table_name, site, max(dt) AS last_dt FROM "{{raw}}"."uns_telemetry" WHERE dt >= date_format(current_date - interval '14' day, '%Y-%m-%d') GROUP BY site
UNION ALL
SELECT 'inference_results', site, max(dt) FROM "{{raw}}"."inference_results" WHERE dt >= date_format(current_date - interval '14' day, '%Y-%m-%d') GROUP BY site
UNION ALL
SELECT 'validation_summaries', site, max(dt) FROM "{{raw}}"."validation_summaries" WHERE dt >= date_format(current_date - interval '14' day, '%Y-%m-%d') GROUP BY site
UNION ALL
SELECT 'model_drift', site, max(dt) FROM "{{raw}}"."model_drift" WHERE dt >= date_format(current_date - interval '14' day, '%Y-%m-%d') GROUP BY site
UNION ALL
SELECT 'asset_states', site, max(dt) FROM "{{raw}}"."asset_states" WHERE dt >= date_format(current_date - interval '14' day, '%Y-%m-%d') GROUP BY site
ORDER BY table_name, site;
