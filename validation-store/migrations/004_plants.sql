-- One store for every plant (the cloud's, fed by each plant's validator through MSK): contracts
-- are recorded per site, the contracts in force are kept per site as last published, and a
-- violation sample published by a plant carries its id so that redelivery stores it once.
-- At the edge the site of a contract is '' and a sample has no id.
ALTER TABLE contracts ADD COLUMN site text NOT NULL DEFAULT '';
ALTER TABLE contracts DROP CONSTRAINT contracts_pkey;
ALTER TABLE contracts ADD PRIMARY KEY (site, title, version);

ALTER TABLE violation_samples ADD COLUMN sample_id uuid;
CREATE UNIQUE INDEX violation_samples_sample_id ON violation_samples (sample_id)
  WHERE sample_id IS NOT NULL;

-- The contracts each site's validator last published as in force (`{enforcement, inForce}` of
-- the OpenAPI ContractsReport); a message older than the row is ignored.
CREATE TABLE contracts_in_force (
  site text PRIMARY KEY,
  published_at timestamptz NOT NULL,
  report jsonb NOT NULL
);
