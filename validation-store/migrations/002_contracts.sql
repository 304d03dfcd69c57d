-- The AsyncAPI contracts the validator has loaded, so that contract_version in the results can be
-- traced back to a title, a source and the channels it declared.
CREATE TABLE contracts (
  title text NOT NULL,
  version text NOT NULL,
  -- Where the contract was loaded from (file path, URL, registry reference).
  source text NOT NULL,
  -- AsyncAPI channel ids the contract declares.
  channels text[] NOT NULL,
  first_loaded_at timestamptz NOT NULL,
  last_loaded_at timestamptz NOT NULL,
  PRIMARY KEY (title, version)
);
