/**
 * The compliance API's reads: plain SQL over the validation store's schema (`validation_counts`,
 * `violation_samples`, `contracts`), the same statements on PGlite at the edge and PostgreSQL/RDS
 * in the cloud. Takes any {@link SqlExecutor}, so the cloud's API reuses it over its own pool.
 */
import type {
  ComplianceCounts,
  ComplianceGroup,
  ComplianceOverview,
  ContractRecord,
  ErrorKindCount,
  Offender,
  TrendPoint,
  ViolationFacets,
  ViolationPage,
} from '../../../../dashboard/src/api/types';
import { isWithinDateRange } from '@uns-mlops/edge-common';
import type { SqlExecutor, SqlRow } from '../store';
import { Conditions, count, date, text, texts } from '../store/sql-rows';
import { SAMPLE_COLUMNS, toViolationSample } from '../store/sql-store';

/** What {@link ComplianceQueries.overview} covers. */
export interface OverviewQuery {
  /** Buckets starting at or after this instant. */
  readonly since: Date;
  /** Buckets starting before this instant. */
  readonly until: Date;
  /** Length of a trend step in seconds (buckets are summed per step). */
  readonly stepSeconds: number;
  /** Only this site; every site when absent. */
  readonly site?: string;
  /** Most worst offenders returned. */
  readonly offenders: number;
}

/** What {@link ComplianceQueries.violations} returns. */
export interface ViolationsQuery {
  /** Most samples returned. */
  readonly limit: number;
  /** Only samples older than this position (a previous page's `nextCursor`). */
  readonly before?: ViolationCursor;
  readonly site?: string;
  readonly channel?: string;
  readonly errorKind?: string;
}

/** A position in the newest-first order of the samples: received time, then id. */
export interface ViolationCursor {
  readonly receivedAt: Date;
  readonly id: number;
}

/** The compliance reads over one store database. */
export class ComplianceQueries {
  constructor(private readonly sql: SqlExecutor) {}

  /**
   * Compliance over `[since, until)`: totals, counts per (site, area, line, channel, contract
   * version), invalid messages per error kind, the trend per step and the worst offenders.
   */
  async overview(query: OverviewQuery): Promise<ComplianceOverview> {
    const where = new Conditions();
    where.add('bucket_start >=', query.since);
    where.add('bucket_start <', query.until);
    if (query.site !== undefined) where.add('site =', query.site);
    const filter = where.sql();
    const invalidOnly = where.copy();
    invalidOnly.addLiteral("error_kind <> ''");

    const groupRows = await this.sql.query(
      `SELECT site, area, line, channel, contract_version,
              sum(valid_count) AS valid, sum(invalid_count) AS invalid
       FROM validation_counts ${filter}
       GROUP BY site, area, line, channel, contract_version
       ORDER BY site, area, line, channel, contract_version`,
      where.params,
    );
    const kindRows = await this.sql.query(
      `SELECT error_kind, sum(invalid_count) AS invalid
       FROM validation_counts ${invalidOnly.sql()}
       GROUP BY error_kind
       HAVING sum(invalid_count) > 0
       ORDER BY sum(invalid_count) DESC, error_kind`,
      invalidOnly.params,
    );
    // bigint: the step of a range over centuries does not fit an integer.
    const step = `$${String(where.params.length + 1)}::bigint`;
    const trendRows = await this.sql.query(
      `SELECT to_timestamp((floor(extract(epoch FROM bucket_start) / ${step}) * ${step})::float8)
                AS step_start,
              sum(valid_count) AS valid, sum(invalid_count) AS invalid
       FROM validation_counts ${filter}
       GROUP BY step_start
       ORDER BY step_start`,
      [...where.params, query.stepSeconds],
    );
    const offenderRows = await this.sql.query(
      `WITH per_kind AS (
         SELECT site, area, line, channel, error_kind,
                sum(valid_count) AS valid, sum(invalid_count) AS invalid
         FROM validation_counts ${filter}
         GROUP BY site, area, line, channel, error_kind
       ), ranked AS (
         SELECT site, area, line, channel, error_kind,
                sum(valid) OVER offender AS valid, sum(invalid) OVER offender AS invalid,
                row_number() OVER (PARTITION BY site, area, line, channel
                                   ORDER BY invalid DESC, error_kind) AS kind_rank
         FROM per_kind
         WINDOW offender AS (PARTITION BY site, area, line, channel)
       )
       SELECT site, area, line, channel, error_kind AS top_error_kind, valid, invalid
       FROM ranked
       WHERE kind_rank = 1 AND invalid > 0
       ORDER BY invalid DESC, site, area, line, channel
       LIMIT ${String(query.offenders)}`,
      where.params,
    );

    const groups = groupRows.map((row): ComplianceGroup => ({
      site: text(row.site),
      area: text(row.area),
      line: text(row.line),
      channel: text(row.channel),
      contractVersion: text(row.contract_version),
      ...counts(row),
    }));
    return {
      range: {
        since: query.since.toISOString(),
        until: query.until.toISOString(),
        stepSeconds: query.stepSeconds,
        site: query.site ?? null,
      },
      totals: withShare(
        groups.reduce((sum, group) => sum + group.valid, 0),
        groups.reduce((sum, group) => sum + group.invalid, 0),
      ),
      groups,
      byErrorKind: kindRows.map((row): ErrorKindCount => ({
        errorKind: text(row.error_kind),
        invalid: count(row.invalid),
      })),
      trend: trendRows.map((row): TrendPoint => ({
        bucketStart: date(row.step_start).toISOString(),
        ...counts(row),
      })),
      worstOffenders: offenderRows.map((row): Offender => {
        const valid = count(row.valid);
        const invalid = count(row.invalid);
        return {
          site: text(row.site),
          area: text(row.area),
          line: text(row.line),
          channel: text(row.channel),
          valid,
          invalid,
          invalidShare: invalid / (valid + invalid),
          topErrorKind: text(row.top_error_kind),
        };
      }),
    };
  }

  /** The stored violation samples matching every filter, newest first, one page at a time. */
  async violations(query: ViolationsQuery): Promise<ViolationPage> {
    const where = new Conditions();
    if (query.site !== undefined) where.add('site =', query.site);
    if (query.channel !== undefined) where.add('channel =', query.channel);
    if (query.errorKind !== undefined) where.add('error_kind =', query.errorKind);
    if (query.before !== undefined) {
      where.add('(received_at, id) <', query.before.receivedAt, query.before.id);
    }
    // One row more than asked says whether there is a next page.
    const rows = await this.sql.query(
      `SELECT ${SAMPLE_COLUMNS} FROM violation_samples ${where.sql()}
       ORDER BY received_at DESC, id DESC
       LIMIT ${String(query.limit + 1)}`,
      where.params,
    );
    const items = rows.slice(0, query.limit).map((row) => {
      const sample = toViolationSample(row);
      return { ...sample, receivedAt: sample.receivedAt.toISOString() };
    });
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > query.limit && last !== undefined
          ? encodeCursor({ receivedAt: new Date(last.receivedAt), id: last.id })
          : null,
    };
  }

  /** The sites and error kinds of the stored violation samples, alphabetical. */
  async violationFacets(): Promise<ViolationFacets> {
    const sites = await this.sql.query('SELECT DISTINCT site FROM violation_samples ORDER BY site');
    const kinds = await this.sql.query(
      'SELECT DISTINCT error_kind FROM violation_samples ORDER BY error_kind',
    );
    return {
      sites: sites.map((row) => text(row.site)),
      errorKinds: kinds.map((row) => text(row.error_kind)),
    };
  }

  /** Every contract the store has a record of, most recently loaded first. */
  async contractHistory(): Promise<ContractRecord[]> {
    const rows = await this.sql.query(
      `SELECT site, title, version, source, channels, first_loaded_at, last_loaded_at
       FROM contracts ORDER BY last_loaded_at DESC, site, title, version`,
    );
    return rows.map((row) => ({
      site: text(row.site),
      title: text(row.title),
      version: text(row.version),
      source: text(row.source),
      channels: texts(row.channels),
      firstLoadedAt: date(row.first_loaded_at).toISOString(),
      lastLoadedAt: date(row.last_loaded_at).toISOString(),
    }));
  }
}

/** The opaque cursor of a position: `<received at, ms since the epoch>.<id>`. */
export function encodeCursor(cursor: ViolationCursor): string {
  return `${String(cursor.receivedAt.getTime())}.${String(cursor.id)}`;
}

/**
 * Reads a cursor {@link encodeCursor} wrote; `undefined` when `value` is not one: its time must be
 * within the years 1 to 9999 (what PostgreSQL and JavaScript both represent) and its id a row id
 * (a positive `bigint` that JavaScript holds exactly).
 */
export function decodeCursor(value: string): ViolationCursor | undefined {
  const match = /^(-?\d{1,16})\.(\d{1,16})$/.exec(value);
  if (match === null) return undefined;
  const receivedAt = new Date(Number(match[1]));
  const id = Number(match[2]);
  if (!isWithinDateRange(receivedAt) || id < 1 || !Number.isSafeInteger(id)) return undefined;
  return { receivedAt, id };
}

function counts(row: SqlRow): ComplianceCounts {
  return withShare(count(row.valid), count(row.invalid));
}

function withShare(valid: number, invalid: number): ComplianceCounts {
  return { valid, invalid, validShare: valid + invalid === 0 ? null : valid / (valid + invalid) };
}
