/** The {@link ValidationStore} in SQL, the same statements on PGlite and PostgreSQL. */
import { isEmpty, type BatchIdentity, type VerdictBatch } from './batch';
import { applyMigrations, type Migration } from '@uns-mlops/validation-store';
import type { SqlClient, SqlExecutor, SqlRow } from './sql-client';
import { Conditions, count, date, payloadEncoding, text, texts } from './sql-rows';
import type {
  ComplianceQuery,
  ComplianceRow,
  ContractRecord,
  PruneResult,
  ValidationStore,
  ViolationQuery,
  ViolationSample,
} from './store';

/** One multi-row upsert per batch; rows of equal keys are summed first (ON CONFLICT needs that). */
const UPSERT_COUNTS = `
  INSERT INTO validation_counts (bucket_start, bucket_seconds, site, area, line, channel,
                                 contract_version, error_kind, valid_count, invalid_count)
  SELECT bucket_start, bucket_seconds, site, area, line, channel, contract_version, error_kind,
         sum(valid_count), sum(invalid_count)
  FROM unnest($1::timestamptz[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::text[], $9::bigint[], $10::bigint[])
    AS batch (bucket_start, bucket_seconds, site, area, line, channel, contract_version,
              error_kind, valid_count, invalid_count)
  GROUP BY bucket_start, bucket_seconds, site, area, line, channel, contract_version, error_kind
  ON CONFLICT (bucket_start, bucket_seconds, site, area, line, channel, contract_version,
               error_kind)
  DO UPDATE SET valid_count = validation_counts.valid_count + EXCLUDED.valid_count,
                invalid_count = validation_counts.invalid_count + EXCLUDED.invalid_count`;

const INSERT_SAMPLES = `
  INSERT INTO violation_samples (received_at, topic, site, channel, contract_version, error_kind,
                                 error_count, schema_path, payload_path, message, assertion,
                                 payload_size, payload_encoding, payload_excerpt)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[],
                       $6::text[], $7::integer[], $8::text[], $9::text[], $10::text[],
                       $11::text[], $12::integer[], $13::text[], $14::text[])`;

/** The columns {@link toViolationSample} reads. */
export const SAMPLE_COLUMNS = `id, received_at, topic, site, channel, contract_version, error_kind,
  error_count, schema_path, payload_path, message, assertion, payload_size, payload_encoding,
  payload_excerpt`;

/** Most samples one {@link ValidationStore.recentViolations} call returns. */
const MAX_LIMIT = 1000;

/** A {@link ValidationStore} on any {@link SqlClient}. */
export class SqlValidationStore implements ValidationStore {
  constructor(
    private readonly client: SqlClient,
    private readonly migrations: readonly Migration[],
  ) {}

  get sql(): SqlExecutor {
    return this.client;
  }

  migrate(): Promise<readonly string[]> {
    return applyMigrations(this.client, this.migrations);
  }

  async record(batch: VerdictBatch, identity?: BatchIdentity): Promise<void> {
    if (isEmpty(batch)) return;
    await this.client.transaction(async (tx) => {
      if (identity !== undefined && !(await claimBatch(tx, identity))) return;
      await upsertCounts(tx, batch);
      await insertSamples(tx, batch);
    });
  }

  async complianceSummary(query: ComplianceQuery): Promise<ComplianceRow[]> {
    const where = new Conditions();
    where.add('bucket_start >=', query.since);
    if (query.until !== undefined) where.add('bucket_start <', query.until);
    if (query.site !== undefined) where.add('site =', query.site);
    const rows = await this.client.query(
      `SELECT site, channel, contract_version, error_kind,
              sum(valid_count) AS valid, sum(invalid_count) AS invalid
       FROM validation_counts ${where.sql()}
       GROUP BY site, channel, contract_version, error_kind
       ORDER BY site, channel, contract_version, error_kind`,
      where.params,
    );
    return foldByChannel(rows);
  }

  async recentViolations(query: ViolationQuery): Promise<ViolationSample[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${query.limit}`);
    }
    const where = new Conditions();
    if (query.site !== undefined) where.add('site =', query.site);
    if (query.channel !== undefined) where.add('channel =', query.channel);
    if (query.errorKind !== undefined) where.add('error_kind =', query.errorKind);
    const rows = await this.client.query(
      `SELECT ${SAMPLE_COLUMNS} FROM violation_samples ${where.sql()}
       ORDER BY received_at DESC, id DESC LIMIT ${query.limit}`,
      where.params,
    );
    return rows.map(toViolationSample);
  }

  async recordContract(contract: ContractRecord): Promise<void> {
    await this.client.query(
      `INSERT INTO contracts (title, version, source, channels, first_loaded_at, last_loaded_at)
       VALUES ($1, $2, $3, $4::text[], $5, $5)
       ON CONFLICT (site, title, version) DO UPDATE SET source = EXCLUDED.source,
         channels = EXCLUDED.channels, last_loaded_at = EXCLUDED.last_loaded_at`,
      [contract.title, contract.version, contract.source, contract.channels, contract.loadedAt],
    );
  }

  async contracts(): Promise<ContractRecord[]> {
    const rows = await this.client.query(
      `SELECT title, version, source, channels, last_loaded_at FROM contracts
       ORDER BY last_loaded_at DESC, title, version`,
    );
    return rows.map((row) => ({
      title: text(row.title),
      version: text(row.version),
      source: text(row.source),
      channels: texts(row.channels),
      loadedAt: date(row.last_loaded_at),
    }));
  }

  async prune(before: Date): Promise<PruneResult> {
    return this.client.transaction(async (tx) => ({
      counts: await deleteBefore(tx, 'validation_counts', 'bucket_start', before),
      samples: await deleteBefore(tx, 'violation_samples', 'received_at', before),
      batches: await deleteBefore(tx, 'applied_batches', 'formed_at', before),
    }));
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * Records that the batch is applied, in its transaction. False when its id was recorded before:
 * the batch is a retry of a write that committed although its acknowledgement was lost.
 */
async function claimBatch(tx: SqlExecutor, { id, formedAt }: BatchIdentity): Promise<boolean> {
  const claimed = await tx.query(
    `INSERT INTO applied_batches (batch_id, formed_at) VALUES ($1, $2)
     ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
    [id, formedAt],
  );
  return claimed.length > 0;
}

/** Deletes the rows of `table` whose `column` is before `before`; returns how many. */
async function deleteBefore(
  tx: SqlExecutor,
  table: string,
  column: string,
  before: Date,
): Promise<number> {
  const [row] = await tx.query(
    `WITH deleted AS (DELETE FROM ${table} WHERE ${column} < $1 RETURNING 1)
     SELECT count(*)::integer AS deleted FROM deleted`,
    [before],
  );
  return count(row?.deleted);
}

async function upsertCounts(tx: SqlExecutor, { counts }: VerdictBatch): Promise<void> {
  if (counts.length === 0) return;
  await tx.query(UPSERT_COUNTS, [
    counts.map((c) => c.bucketStart),
    counts.map((c) => c.bucketSeconds),
    counts.map((c) => c.site),
    counts.map((c) => c.area),
    counts.map((c) => c.line),
    counts.map((c) => c.channel),
    counts.map((c) => c.contractVersion),
    counts.map((c) => c.errorKind),
    counts.map((c) => c.valid),
    counts.map((c) => c.invalid),
  ]);
}

async function insertSamples(tx: SqlExecutor, { violations }: VerdictBatch): Promise<void> {
  if (violations.length === 0) return;
  await tx.query(INSERT_SAMPLES, [
    violations.map((v) => v.receivedAt),
    violations.map((v) => v.topic),
    violations.map((v) => v.site),
    violations.map((v) => v.channel),
    violations.map((v) => v.contractVersion),
    violations.map((v) => v.errorKind),
    violations.map((v) => v.errorCount),
    violations.map((v) => v.schemaPath),
    violations.map((v) => v.payloadPath),
    violations.map((v) => v.message),
    violations.map((v) => v.assertion),
    violations.map((v) => v.payloadSize),
    violations.map((v) => v.payloadEncoding),
    violations.map((v) => v.payloadExcerpt),
  ]);
}

interface Tally {
  readonly site: string;
  readonly channel: string;
  readonly contractVersion: string;
  valid: number;
  invalid: number;
  readonly invalidByKind: Record<string, number>;
}

/** Folds rows per (site, channel, contract version, error kind) into one row per channel. */
function foldByChannel(rows: readonly SqlRow[]): ComplianceRow[] {
  const tallies = new Map<string, Tally>();
  for (const row of rows) {
    const site = text(row.site);
    const channel = text(row.channel);
    const contractVersion = text(row.contract_version);
    const key = `${site}\u0000${channel}\u0000${contractVersion}`;
    let tally = tallies.get(key);
    if (tally === undefined) {
      tally = { site, channel, contractVersion, valid: 0, invalid: 0, invalidByKind: {} };
      tallies.set(key, tally);
    }
    const errorKind = text(row.error_kind);
    const invalid = count(row.invalid);
    tally.valid += count(row.valid);
    tally.invalid += invalid;
    if (errorKind !== '' && invalid > 0) {
      tally.invalidByKind[errorKind] = (tally.invalidByKind[errorKind] ?? 0) + invalid;
    }
  }
  return [...tallies.values()];
}

/** A `violation_samples` row (its {@link SAMPLE_COLUMNS}) as a {@link ViolationSample}. */
export function toViolationSample(row: SqlRow): ViolationSample {
  return {
    id: count(row.id),
    receivedAt: date(row.received_at),
    topic: text(row.topic),
    site: text(row.site),
    channel: text(row.channel),
    contractVersion: text(row.contract_version),
    errorKind: text(row.error_kind),
    errorCount: count(row.error_count),
    schemaPath: text(row.schema_path),
    payloadPath: text(row.payload_path),
    message: text(row.message),
    assertion: text(row.assertion),
    payloadSize: count(row.payload_size),
    payloadEncoding: payloadEncoding(row),
    payloadExcerpt: text(row.payload_excerpt),
  };
}
