-- Validation results of the Unified Namespace: time-bucketed counts of every message, and a capped
-- sample of the violations. Plain PostgreSQL: runs unchanged on PGlite (edge) and PostgreSQL/RDS.

-- One row per (bucket, site, area, line, channel, contract version, error kind). The writer
-- upserts increments: INSERT ... ON CONFLICT DO UPDATE SET valid_count = valid_count + EXCLUDED...
-- '' stands for "unknown" (no site parameter, unknown topic, no contract) and, in error_kind, for
-- valid messages. An invalid message is counted once, under the kind of its first error.
CREATE TABLE validation_counts (
  bucket_start timestamptz NOT NULL,
  bucket_seconds integer NOT NULL CHECK (bucket_seconds > 0),
  site text NOT NULL,
  area text NOT NULL,
  line text NOT NULL,
  channel text NOT NULL,
  contract_version text NOT NULL,
  error_kind text NOT NULL,
  valid_count bigint NOT NULL DEFAULT 0 CHECK (valid_count >= 0),
  invalid_count bigint NOT NULL DEFAULT 0 CHECK (invalid_count >= 0),
  PRIMARY KEY (
    bucket_start, bucket_seconds, site, area, line, channel, contract_version, error_kind
  )
);

-- Compliance summaries of one site over a time range.
CREATE INDEX validation_counts_site_time ON validation_counts (site, bucket_start);

-- A capped sample of invalid messages, each described by its first error.
CREATE TABLE violation_samples (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at timestamptz NOT NULL,
  topic text NOT NULL,
  site text NOT NULL,
  channel text NOT NULL,
  contract_version text NOT NULL,
  error_kind text NOT NULL,
  -- How many errors the verdict held (only the first is described here).
  error_count integer NOT NULL CHECK (error_count >= 1),
  schema_path text NOT NULL,
  payload_path text NOT NULL,
  message text NOT NULL,
  -- Sparkplug 3.0 assertion id of a sparkplug-rule error, '' otherwise.
  assertion text NOT NULL,
  -- Size of the whole payload; the excerpt holds at most its first bytes.
  payload_size integer NOT NULL CHECK (payload_size >= 0),
  payload_encoding text NOT NULL CHECK (payload_encoding IN ('utf8', 'base64')),
  payload_excerpt text NOT NULL
);

-- "Recent violations", overall and filtered by site, channel or error kind.
CREATE INDEX violation_samples_recent ON violation_samples (received_at DESC, id DESC);
CREATE INDEX violation_samples_site_recent ON violation_samples (site, received_at DESC, id DESC);
CREATE INDEX violation_samples_channel_recent
  ON violation_samples (channel, received_at DESC, id DESC);
CREATE INDEX violation_samples_kind_recent
  ON violation_samples (error_kind, received_at DESC, id DESC);
