-- The batches the validator has written, by id, so that a write retried after its acknowledgement
-- was lost (the COMMIT went through, the answer did not arrive) is recognised and not counted
-- twice. A batch's id is inserted in the same transaction as its counts and samples.
-- Pruned with retention: an id is dropped only once the buckets it wrote are older than the
-- retention limit, so a late replay could only add counts the next prune deletes again.
CREATE TABLE IF NOT EXISTS applied_batches (
  batch_id uuid PRIMARY KEY,
  -- When the writer formed the batch (its clock, the same as the buckets' received times).
  formed_at timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS applied_batches_formed_at ON applied_batches (formed_at);
