import type { SqlExecutor } from '@uns-mlops/validation-store';
import { type CountRow, rowKey } from './count-rows';

/**
 * Every row at once, as ten parallel arrays unnested into one multi-row INSERT: one statement and
 * one round trip whatever the batch size (no limit of 65,535 parameters). A row already there
 * takes the summary's counts (SET, never +=): a summary delivered again writes what it wrote the
 * first time. The WHERE leaves rows that already hold those counts untouched (no new row version
 * for a redelivery), and the count of rows inserted or changed comes back.
 */
const UPSERT_COUNTS = `
WITH upserted AS (
  INSERT INTO validation_counts (bucket_start, bucket_seconds, site, area, line, channel,
                                 contract_version, error_kind, valid_count, invalid_count)
  SELECT * FROM unnest($1::timestamptz[], $2::integer[], $3::text[], $4::text[], $5::text[],
                       $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
  ON CONFLICT (bucket_start, bucket_seconds, site, area, line, channel, contract_version,
               error_kind)
  DO UPDATE SET valid_count = EXCLUDED.valid_count, invalid_count = EXCLUDED.invalid_count
  WHERE (validation_counts.valid_count, validation_counts.invalid_count)
        IS DISTINCT FROM (EXCLUDED.valid_count, EXCLUDED.invalid_count)
  RETURNING 1
)
SELECT count(*)::integer AS changed FROM upserted`;

/** What one write did. */
export interface UpsertResult {
  /** Rows the statement carried (one per key). */
  readonly rows: number;
  /** Rows inserted or given other counts; 0 when the batch was all redelivery. */
  readonly changed: number;
}

/**
 * One row per primary key, the last in batch order winning (a summary delivered twice in one
 * batch: PostgreSQL refuses to update one row twice in one statement), in key order, so that
 * concurrent writers lock shared rows in the same order and cannot deadlock.
 */
export function uniqueRowsInKeyOrder(rows: readonly CountRow[]): CountRow[] {
  const byKey = new Map<string, CountRow>();
  for (const row of rows) byKey.set(rowKey(row), row);
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
}

/** Upserts the count rows of one batch, in the batch's transaction `tx`. */
export async function upsertCounts(
  tx: SqlExecutor,
  rows: readonly CountRow[],
): Promise<UpsertResult> {
  const unique = uniqueRowsInKeyOrder(rows);
  if (unique.length === 0) return { rows: 0, changed: 0 };
  const column = <T>(pick: (row: CountRow) => T): T[] => unique.map(pick);
  const params = [
    column((row) => new Date(row.bucketStart).toISOString()),
    column((row) => row.bucketSeconds),
    column((row) => row.site),
    column((row) => row.area),
    column((row) => row.line),
    column((row) => row.channel),
    column((row) => row.contractVersion),
    column((row) => row.errorKind),
    column((row) => row.validCount),
    column((row) => row.invalidCount),
  ];
  const [result] = await tx.query(UPSERT_COUNTS, params);
  return { rows: unique.length, changed: Number(result?.changed ?? 0) };
}
