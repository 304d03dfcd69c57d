INSERT INTO ${curated_database}.labelled_telemetry
WITH
  -- The raw telemetry of the partition curated. Execution parameters: 1 the site, 2 the day
  -- (yyyy-MM-dd, UTC). Athena takes parameters in WHERE clauses only, so these two are the only
  -- ones: the other tables are narrowed to their partitions by equality joins on curated_day,
  -- which the optimizer turns into constant partition filters.
  telemetry AS (
    SELECT *
    FROM ${raw_database}.uns_telemetry
    WHERE site = ? AND dt = ?
  ),
  -- The curated partition and the bounds of its day (reads the partition columns only).
  curated_day AS (
    SELECT
      site,
      dt,
      CAST(CAST(dt AS date) AS timestamp) AS day_start,
      CAST(date_add('day', 1, CAST(dt AS date)) AS timestamp) AS day_end
    FROM telemetry
    GROUP BY site, dt
  ),
  -- One row per sample (asset path, channel, sample time): deliveries are at least once, the
  -- latest one counts (ties broken on every column, so that a re-run picks the same row); a
  -- sample whose quality is bad is dropped.
  samples AS (
    SELECT enterprise, area, line, cell, asset, channel, unit, sample_time, value, quality, site, dt
    FROM (
      SELECT
        *,
        row_number() OVER (
          PARTITION BY enterprise, area, line, cell, asset, channel, sample_time
          ORDER BY received_at DESC NULLS LAST, value, unit, quality, mqtt_topic, contract_version
        ) AS delivery
      FROM telemetry
    )
    WHERE delivery = 1 AND quality IS DISTINCT FROM 'bad'
  ),
  -- Inspections and state changes of the site on the curated day and on the day before, where
  -- seams and states that cross midnight start (delivery partitions a seam by its start, a state
  -- by its time): one equality join per day, so that each partition filter is a constant.
  inspections AS (
    SELECT i.*
    FROM ${raw_database}.seam_inspections i
    JOIN curated_day d ON i.site = d.site AND i.dt = d.dt
    UNION ALL
    SELECT i.*
    FROM ${raw_database}.seam_inspections i
    JOIN curated_day d
      ON i.site = d.site AND CAST(date_add('day', 1, CAST(i.dt AS date)) AS varchar) = d.dt
  ),
  states AS (
    SELECT s.*
    FROM ${raw_database}.asset_states s
    JOIN curated_day d ON s.site = d.site AND s.dt = d.dt
    UNION ALL
    SELECT s.*
    FROM ${raw_database}.asset_states s
    JOIN curated_day d
      ON s.site = d.site AND CAST(date_add('day', 1, CAST(s.dt AS date)) AS varchar) = d.dt
  ),
  -- The verdict on each seam of an asset: the latest inspection (a delivery twice or a second
  -- inspection yields one seam). A failed seam is labelled with its defect class.
  inspected_seams AS (
    SELECT
      enterprise, area, line, cell, asset, seam_id, seam_start, seam_end,
      true AS seam_end_included,
      CASE verdict WHEN 'fail' THEN coalesce(nullif(trim(defect_class), ''), 'defect') ELSE 'normal' END AS label
    FROM (
      SELECT
        *,
        row_number() OVER (
          PARTITION BY enterprise, area, line, cell, asset, seam_id
          ORDER BY inspected_at DESC NULLS LAST, received_at DESC NULLS LAST, verdict, defect_class, station, inspector
        ) AS recency
      FROM inspections
      WHERE verdict IN ('pass', 'fail')
    )
    WHERE recency = 1
  ),
  -- State changes of each asset, each lasting until the asset's next change (the last one until
  -- the end of the curated day).
  state_spans AS (
    SELECT
      enterprise, area, line, cell, asset, state, seam_id, state_time,
      lead(state_time) OVER (
        PARTITION BY enterprise, area, line, cell, asset
        ORDER BY state_time, state, seam_id
      ) AS next_change
    FROM (SELECT DISTINCT enterprise, area, line, cell, asset, state_time, state, seam_id FROM states)
  ),
  -- Seams the asset welded (state `welding` with a seam id) that no inspection judged yet.
  uninspected_seams AS (
    SELECT
      s.enterprise, s.area, s.line, s.cell, s.asset, s.seam_id,
      s.state_time AS seam_start,
      coalesce(s.next_change, d.day_end) AS seam_end,
      false AS seam_end_included,
      'uninspected' AS label
    FROM state_spans s
    CROSS JOIN curated_day d
    WHERE s.state = 'welding'
      AND coalesce(s.seam_id, '') <> ''
      AND NOT EXISTS (
        SELECT 1
        FROM inspected_seams i
        WHERE i.enterprise = s.enterprise AND i.area = s.area AND i.line = s.line
          AND i.cell = s.cell AND i.asset = s.asset AND i.seam_id = s.seam_id
      )
  ),
  -- The seams that overlap the curated day, with the first and last minute of the day they span.
  seams AS (
    SELECT
      s.*,
      date_trunc('minute', greatest(s.seam_start, d.day_start)) AS first_minute,
      date_trunc('minute', least(s.seam_end, d.day_end)) AS last_minute
    FROM (
      SELECT * FROM inspected_seams
      UNION ALL
      SELECT * FROM uninspected_seams
    ) s
    CROSS JOIN curated_day d
    WHERE s.seam_start <= s.seam_end AND s.seam_start < d.day_end AND s.seam_end >= d.day_start
  ),
  -- Every seam listed once per minute it spans: samples then find their seam by an equality join
  -- on asset and minute, instead of comparing each sample with every seam of its asset.
  seam_minutes AS (
    SELECT s.*, m.minute
    FROM seams s
    CROSS JOIN UNNEST(sequence(s.first_minute, s.last_minute, INTERVAL '1' MINUTE)) AS m (minute)
  ),
  -- Each sample with the seam it lies in: an inspected seam spans [seam_start, seam_end], an
  -- uninspected one [state change, next change). Should seams overlap, the latest started wins.
  labelled AS (
    SELECT
      t.*,
      m.seam_id,
      m.label,
      row_number() OVER (
        PARTITION BY t.enterprise, t.area, t.line, t.cell, t.asset, t.channel, t.sample_time
        ORDER BY m.seam_start DESC NULLS LAST, m.seam_id
      ) AS seam_rank
    FROM samples t
    LEFT JOIN seam_minutes m
      ON m.enterprise = t.enterprise AND m.area = t.area AND m.line = t.line
      AND m.cell = t.cell AND m.asset = t.asset
      AND m.minute = date_trunc('minute', t.sample_time)
      AND t.sample_time >= m.seam_start
      AND (t.sample_time < m.seam_end OR (m.seam_end_included AND t.sample_time = m.seam_end))
  )
-- The columns of labelled_telemetry in the Glue table's order, the partition columns last.
SELECT
  enterprise, area, line, cell, asset, channel, unit, sample_time, value, quality,
  seam_id,
  coalesce(label, 'normal') AS label,
  site,
  dt
FROM labelled
WHERE seam_rank = 1
