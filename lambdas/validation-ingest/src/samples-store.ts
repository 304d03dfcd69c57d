import type { SqlExecutor } from '@uns-mlops/validation-store';
import type { ViolationSampleRow } from './violation-sample';

/**
 * Every sample at once, as parallel arrays unnested into one INSERT. A sample whose id the store
 * has already (delivered again) is skipped by the partial unique index on `sample_id`
 * (migration 004), and the count of samples really inserted comes back.
 */
const INSERT_SAMPLES = `
WITH inserted AS (
  INSERT INTO violation_samples (sample_id, received_at, topic, site, channel, contract_version,
                                 error_kind, error_count, schema_path, payload_path, message,
                                 assertion, payload_size, payload_encoding, payload_excerpt)
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                       $6::text[], $7::text[], $8::integer[], $9::text[], $10::text[],
                       $11::text[], $12::text[], $13::integer[], $14::text[], $15::text[])
  ON CONFLICT (sample_id) WHERE sample_id IS NOT NULL DO NOTHING
  RETURNING 1
)
SELECT count(*)::integer AS inserted FROM inserted`;

/**
 * Inserts the violation samples of one batch, in the batch's transaction `tx`: each sample id
 * once (the first in batch order), in id order, so that concurrent writers of the same samples
 * wait for each other in the same order.
 *
 * @returns how many samples were new to the store.
 */
export async function insertSamples(
  tx: SqlExecutor,
  samples: readonly ViolationSampleRow[],
): Promise<number> {
  const byId = new Map<string, ViolationSampleRow>();
  for (const sample of samples) if (!byId.has(sample.sampleId)) byId.set(sample.sampleId, sample);
  const unique = [...byId.values()].sort((a, b) => (a.sampleId < b.sampleId ? -1 : 1));
  if (unique.length === 0) return 0;
  const column = <T>(pick: (sample: ViolationSampleRow) => T): T[] => unique.map(pick);
  const [result] = await tx.query(INSERT_SAMPLES, [
    column((sample) => sample.sampleId),
    column((sample) => new Date(sample.receivedAt).toISOString()),
    column((sample) => sample.topic),
    column((sample) => sample.site),
    column((sample) => sample.channel),
    column((sample) => sample.contractVersion),
    column((sample) => sample.errorKind),
    column((sample) => sample.errorCount),
    column((sample) => sample.schemaPath),
    column((sample) => sample.payloadPath),
    column((sample) => sample.message),
    column((sample) => sample.assertion),
    column((sample) => sample.payloadSize),
    column((sample) => sample.payloadEncoding),
    column((sample) => sample.payloadExcerpt),
  ]);
  return Number(result?.inserted ?? 0);
}
