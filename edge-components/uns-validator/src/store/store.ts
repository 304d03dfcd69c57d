/**
 * Where the validator keeps its results: PGlite on the edge device, PostgreSQL in the cloud, with
 * one schema and one set of queries for both.
 */
import type { BatchIdentity, VerdictBatch, ViolationRecord } from './batch';
import { type Migration, readMigrations } from '@uns-mlops/validation-store';
import { connectPglite, connectPostgres, type SqlExecutor } from './sql-client';
import { SqlValidationStore } from './sql-store';

/** The compliance of one (site, channel, contract version) over a time range. */
export interface ComplianceRow {
  /** `''` when the topic carried no site. */
  readonly site: string;
  /** AsyncAPI channel id, `''` for unknown topics. */
  readonly channel: string;
  /** `''` when no contract judged the message (unknown topic). */
  readonly contractVersion: string;
  readonly valid: number;
  readonly invalid: number;
  /** Invalid messages per error kind (an `ErrorKind`) of their first error; absent kinds omitted. */
  readonly invalidByKind: Readonly<Record<string, number>>;
}

/**
 * A stored violation sample: a `ViolationRecord` as read back, with its row id. The error kind is
 * read as text (rows written by an older or newer validator may carry kinds this one lacks).
 */
export interface ViolationSample extends Omit<ViolationRecord, 'errorKind'> {
  readonly id: number;
  /** An `ErrorKind`. */
  readonly errorKind: string;
}

/** An AsyncAPI contract the validator loaded. */
export interface ContractRecord {
  readonly title: string;
  /** `info.version`, as in the counts' `contractVersion`. */
  readonly version: string;
  /** Where it was loaded from (file path, URL, registry reference). */
  readonly source: string;
  /** The channel ids it declares. */
  readonly channels: readonly string[];
  readonly loadedAt: Date;
}

/** Filters of {@link ValidationStore.complianceSummary}. */
export interface ComplianceQuery {
  /** Buckets starting at or after this instant are included. */
  readonly since: Date;
  /** Buckets starting before this instant are included (default: no upper bound). */
  readonly until?: Date;
  readonly site?: string;
}

/** Filters of {@link ValidationStore.recentViolations}. */
export interface ViolationQuery {
  /** Most samples returned, 1 to 1000. */
  readonly limit: number;
  readonly site?: string;
  readonly channel?: string;
  readonly errorKind?: string;
}

/** What {@link ValidationStore.prune} deleted. */
export interface PruneResult {
  /** Count rows (one per bucket and dimensions). */
  readonly counts: number;
  /** Violation samples. */
  readonly samples: number;
  /** Ids of applied batches. */
  readonly batches: number;
}

/** The validation results of a plant's UNS, as counts per time bucket and violation samples. */
export interface ValidationStore {
  /**
   * The database the store writes to, for read-only queries over its schema (the compliance
   * API's `ComplianceQueries`); writes go through the methods below.
   */
  readonly sql: SqlExecutor;
  /**
   * Brings the schema up to date (safe to call on every start, also from several processes).
   *
   * @returns the ids of the migrations applied now, empty when there were none to apply.
   */
  migrate(): Promise<readonly string[]>;
  /**
   * Adds a batch atomically: its counts are added to the stored ones (upsert per key) and its
   * samples appended. Either all of it is stored or none of it. A rejection does not always mean
   * none: the commit may have gone through and only its acknowledgement been lost. With an
   * `identity`, the write is idempotent: a batch whose id was applied before is skipped, so
   * resending the same batch with the same identity never counts twice.
   */
  record(batch: VerdictBatch, identity?: BatchIdentity): Promise<void>;
  /**
   * Valid and invalid messages per (site, channel, contract version) in the buckets starting in
   * `[since, until)`, ordered by site, channel and contract version.
   */
  complianceSummary(query: ComplianceQuery): Promise<ComplianceRow[]>;
  /** The latest violation samples matching every given filter, newest first. */
  recentViolations(query: ViolationQuery): Promise<ViolationSample[]>;
  /** Records that a contract was loaded (again): inserts it or updates source and channels. */
  recordContract(contract: ContractRecord): Promise<void>;
  /** The contracts ever loaded, most recently loaded first, `loadedAt` being the last load. */
  contracts(): Promise<ContractRecord[]>;
  /**
   * Retention: deletes the buckets starting, the samples received and the ids of the batches
   * formed before `before`, in one transaction.
   */
  prune(before: Date): Promise<PruneResult>;
  /** Closes the database (PGlite) or the connection pool (PostgreSQL). */
  close(): Promise<void>;
}

/** Where {@link openStore} keeps the results. */
export interface StoreOptions {
  /** `postgres://` or `postgresql://` URL: use PostgreSQL (takes precedence over `dataDir`). */
  readonly databaseUrl?: string;
  /** Directory PGlite persists to (created when missing). Neither option: PGlite in memory. */
  readonly dataDir?: string;
  /** The schema migrations (default: the `.sql` files next to the module, see `readMigrations`). */
  readonly migrations?: readonly Migration[];
}

/**
 * Opens the store: PostgreSQL when `databaseUrl` is given, else PGlite persisted in `dataDir`, else
 * PGlite in memory. Call {@link ValidationStore.migrate} before using it.
 */
export async function openStore(options: StoreOptions = {}): Promise<ValidationStore> {
  const migrations = options.migrations ?? readMigrations();
  const { databaseUrl, dataDir } = options;
  if (databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      throw new Error('databaseUrl must be a postgres:// or postgresql:// URL');
    }
    return new SqlValidationStore(connectPostgres(databaseUrl), migrations);
  }
  return new SqlValidationStore(await connectPglite(dataDir), migrations);
}
