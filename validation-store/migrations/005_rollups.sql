-- Roll-ups of validation_counts, so that the compliance API reads a few thousand rows for a month
-- of a plant's (or every plant's) counts instead of millions: the sums per hour and per day of
-- every column, and per site only per five minutes and per hour (the trends). A roll-up row sums
-- the buckets that START in its period (UTC, periods aligned on the Unix epoch), as a read's
-- [since, until) selects buckets, so a range split into whole days, whole hours and single
-- buckets at its ends gives the same sums as the buckets alone
-- (validation-store/src/count-tiers.ts).
--
-- Statement triggers on validation_counts apply each statement's changes (inserted rows, NEW - OLD
-- of updated ones, deleted rows) to the roll-ups, so both writers keep them exact without a change
-- of their own: the validator's upserts that add increments and the cloud ingestion's upserts that
-- set absolute counts. row_count, the number of validation_counts rows a roll-up row sums, makes
-- a roll-up row exist exactly while one of its buckets does (a bucket of 0 valid and 0 invalid
-- messages included); retention's deletes remove it with its last bucket, and TRUNCATE of
-- validation_counts empties the roll-ups.
--
-- Plain PostgreSQL 14+ (date_bin, statement triggers with transition tables, PL/pgSQL); runs on
-- PGlite unchanged.

-- No write may fall between the roll-ups' backfill and their triggers (the migration function can
-- run while the ingestion writes); the lock is held until the migrations commit.
LOCK TABLE validation_counts IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE validation_counts_hourly (
  bucket_start timestamptz NOT NULL,
  site text NOT NULL,
  area text NOT NULL,
  line text NOT NULL,
  channel text NOT NULL,
  contract_version text NOT NULL,
  error_kind text NOT NULL,
  valid_count bigint NOT NULL,
  invalid_count bigint NOT NULL,
  row_count bigint NOT NULL,
  PRIMARY KEY (bucket_start, site, area, line, channel, contract_version, error_kind)
);

CREATE TABLE validation_counts_daily (
  bucket_start timestamptz NOT NULL,
  site text NOT NULL,
  area text NOT NULL,
  line text NOT NULL,
  channel text NOT NULL,
  contract_version text NOT NULL,
  error_kind text NOT NULL,
  valid_count bigint NOT NULL,
  invalid_count bigint NOT NULL,
  row_count bigint NOT NULL,
  PRIMARY KEY (bucket_start, site, area, line, channel, contract_version, error_kind)
);

CREATE TABLE validation_site_counts_5m (
  bucket_start timestamptz NOT NULL,
  site text NOT NULL,
  valid_count bigint NOT NULL,
  invalid_count bigint NOT NULL,
  row_count bigint NOT NULL,
  PRIMARY KEY (bucket_start, site)
);

CREATE TABLE validation_site_counts_hourly (
  bucket_start timestamptz NOT NULL,
  site text NOT NULL,
  valid_count bigint NOT NULL,
  invalid_count bigint NOT NULL,
  row_count bigint NOT NULL,
  PRIMARY KEY (bucket_start, site)
);

-- Applies the changes of one statement on validation_counts (its transition tables: new_rows
-- for rows that came, old_rows for rows that went; an update is both) to every roll-up, in key
-- order (concurrent writers lock roll-up rows in one order and cannot deadlock), then removes the
-- roll-up rows that no longer sum any bucket. It runs as its owner, the schema's owner, so that a
-- writer granted validation_counts alone (the cloud ingestion's database user) needs no grant on
-- the roll-ups; its search_path is the migrations' own.
CREATE FUNCTION validation_counts_roll_up() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  came constant text := 'SELECT bucket_start, site, area, line, channel, contract_version,
    error_kind, valid_count, invalid_count, 1 AS row_count FROM new_rows';
  went constant text := 'SELECT bucket_start, site, area, line, channel, contract_version,
    error_kind, -valid_count, -invalid_count, -1 FROM old_rows';
  changes text;
  first_gone timestamptz;
  last_gone timestamptz;
  roll_up record;
BEGIN
  changes := CASE TG_OP
    WHEN 'INSERT' THEN came
    WHEN 'DELETE' THEN went
    ELSE came || ' UNION ALL ' || went
  END;
  IF TG_OP <> 'INSERT' THEN
    SELECT min(bucket_start), max(bucket_start) INTO first_gone, last_gone FROM old_rows;
  END IF;
  FOR roll_up IN
    SELECT * FROM (VALUES
      ('validation_counts_hourly', '1 hour', 'site, area, line, channel, contract_version, error_kind'),
      ('validation_counts_daily', '1 day', 'site, area, line, channel, contract_version, error_kind'),
      ('validation_site_counts_5m', '5 minutes', 'site'),
      ('validation_site_counts_hourly', '1 hour', 'site')
    ) AS roll_ups (name, period, dimensions)
  LOOP
    EXECUTE format(
      $sql$
      INSERT INTO %1$I AS roll_up (bucket_start, %3$s, valid_count, invalid_count, row_count)
      SELECT date_bin(%2$L, bucket_start, timestamptz 'epoch') AS period_start, %3$s,
             sum(valid_count), sum(invalid_count), sum(row_count)
      FROM (%4$s) AS changes (bucket_start, site, area, line, channel, contract_version,
                              error_kind, valid_count, invalid_count, row_count)
      GROUP BY period_start, %3$s
      HAVING sum(valid_count) <> 0 OR sum(invalid_count) <> 0 OR sum(row_count) <> 0
      ORDER BY period_start, %3$s
      ON CONFLICT (bucket_start, %3$s)
      DO UPDATE SET valid_count = roll_up.valid_count + EXCLUDED.valid_count,
                    invalid_count = roll_up.invalid_count + EXCLUDED.invalid_count,
                    row_count = roll_up.row_count + EXCLUDED.row_count
      $sql$, roll_up.name, roll_up.period, roll_up.dimensions, changes);
    IF first_gone IS NOT NULL THEN
      EXECUTE format(
        $sql$
        DELETE FROM %1$I
        WHERE row_count = 0
          AND bucket_start BETWEEN date_bin(%2$L, $1, timestamptz 'epoch')
                               AND date_bin(%2$L, $2, timestamptz 'epoch')
        $sql$, roll_up.name, roll_up.period) USING first_gone, last_gone;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

-- TRUNCATE validation_counts empties the roll-ups with it.
CREATE FUNCTION validation_counts_emptied() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  TRUNCATE validation_counts_hourly, validation_counts_daily, validation_site_counts_5m,
           validation_site_counts_hourly;
  RETURN NULL;
END
$$;

-- The roll-ups of the rows already there (the same sums as the function's).
INSERT INTO validation_counts_hourly
SELECT date_bin('1 hour', bucket_start, timestamptz 'epoch') AS period_start,
       site, area, line, channel, contract_version, error_kind,
       sum(valid_count), sum(invalid_count), count(*)
FROM validation_counts
GROUP BY period_start, site, area, line, channel, contract_version, error_kind;

INSERT INTO validation_counts_daily
SELECT date_bin('1 day', bucket_start, timestamptz 'epoch') AS period_start,
       site, area, line, channel, contract_version, error_kind,
       sum(valid_count), sum(invalid_count), count(*)
FROM validation_counts
GROUP BY period_start, site, area, line, channel, contract_version, error_kind;

INSERT INTO validation_site_counts_5m
SELECT date_bin('5 minutes', bucket_start, timestamptz 'epoch') AS period_start, site,
       sum(valid_count), sum(invalid_count), count(*)
FROM validation_counts
GROUP BY period_start, site;

INSERT INTO validation_site_counts_hourly
SELECT date_bin('1 hour', bucket_start, timestamptz 'epoch') AS period_start, site,
       sum(valid_count), sum(invalid_count), count(*)
FROM validation_counts
GROUP BY period_start, site;

-- A transition table belongs to one event: one trigger per event.
CREATE TRIGGER validation_counts_inserted AFTER INSERT ON validation_counts
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION validation_counts_roll_up();
CREATE TRIGGER validation_counts_updated AFTER UPDATE ON validation_counts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION validation_counts_roll_up();
CREATE TRIGGER validation_counts_deleted AFTER DELETE ON validation_counts
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION validation_counts_roll_up();
CREATE TRIGGER validation_counts_truncated AFTER TRUNCATE ON validation_counts
  FOR EACH STATEMENT EXECUTE FUNCTION validation_counts_emptied();

-- Facets: the error kinds of each site's samples, one index probe per kind.
CREATE INDEX violation_samples_site_kind ON violation_samples (site, error_kind);
