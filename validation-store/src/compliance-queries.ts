/**
 * The compliance API's reads: plain SQL over the store's schema, the same statements on PGlite at
 * the edge and PostgreSQL/RDS in the cloud. Every read takes a {@link SiteScope}: the edge passes
 * {@link EVERY_SITE}, the cloud the sites its caller may read, and no row of another site is ever
 * read (a cursor or a facet included). Counts over a range come from the roll-ups where they cover
 * it ({@link countsUnion}).
 */
import type {
  ComplianceOverview,
  ContractRecord,
  ContractsReport,
  FacilitiesReport,
  SiteList,
  Violation,
  ViolationFacets,
  ViolationPage,
} from '../../dashboard/src/api/types';
import {
  countsUnion,
  DAILY,
  HOURLY,
  limitSites,
  PER_SITE_5M,
  PER_SITE_HOURLY,
  type CountsRange,
} from './count-tiers';
import {
  byErrorKind,
  byText,
  facilities,
  groups,
  type SliceCount,
  type StepCount,
  totals,
  trend,
  worstOffenders,
} from './compliance-summaries';
import { EVERY_SITE, type SiteScope } from './site-scope';
import type { SqlExecutor, SqlRow } from './sql-client';
import { Conditions, count, date, payloadEncoding, text, texts } from './sql-rows';
import { type ViolationCursor, encodeCursor } from './violation-cursor';

/** A range of buckets with a trend step, over the sites a reader may see. */
export interface TrendRange extends CountsRange {
  /** Length of a trend step in seconds (buckets are summed per step, aligned on the epoch). */
  readonly stepSeconds: number;
}

/** What {@link ComplianceQueries.overview} covers. */
export interface OverviewQuery extends TrendRange {
  /** Most worst offenders returned. */
  readonly offenders: number;
}

/** What {@link ComplianceQueries.facilities} covers: every site of the scope. */
export interface FacilitiesQuery extends Omit<TrendRange, 'site'> {
  /** Most worst offenders returned per site. */
  readonly offenders: number;
}

/** What {@link ComplianceQueries.violations} returns. */
export interface ViolationsQuery {
  readonly scope: SiteScope;
  /** Most samples returned. */
  readonly limit: number;
  /** Only samples older than this position (a previous page's `nextCursor`). */
  readonly before?: ViolationCursor;
  readonly site?: string;
  readonly channel?: string;
  readonly errorKind?: string;
}

/** The sites a read covers: the scope, and within it one site when given. */
export interface SitesQuery {
  readonly scope: SiteScope;
  readonly site?: string;
}

/** The contracts a site's validator last published as in force, with its enforcement settings. */
export type ContractsInForce = Pick<ContractsReport, 'enforcement' | 'inForce'>;

/** The columns {@link toViolation} reads. */
const VIOLATION_COLUMNS = `id, received_at, topic, site, channel, contract_version, error_kind,
  error_count, schema_path, payload_path, message, assertion, payload_size, payload_encoding,
  payload_excerpt`;

/** The compliance reads over one store database. */
export class ComplianceQueries {
  constructor(private readonly sql: SqlExecutor) {}

  /** The sites with counts, alphabetical, each with the start of its newest bucket. */
  async sites(scope: SiteScope): Promise<SiteList> {
    // One index probe per site (`validation_counts_site_time`) rather than a scan of every row.
    const sql = new Conditions();
    const candidates =
      scope === EVERY_SITE
        ? `WITH RECURSIVE candidates (site) AS (
             SELECT min(site) FROM validation_counts
             UNION ALL
             SELECT (SELECT min(site) FROM validation_counts WHERE site > candidates.site)
             FROM candidates WHERE candidates.site IS NOT NULL
           )`
        : `WITH candidates (site) AS (SELECT unnest(${sql.placeholder(scope)}::text[]))`;
    const rows = await this.sql.query(
      `${candidates}
       SELECT site, last_bucket_start FROM (
         SELECT site, (SELECT max(bucket_start) FROM validation_counts counts
                       WHERE counts.site = candidates.site) AS last_bucket_start
         FROM candidates WHERE site IS NOT NULL
       ) newest
       WHERE last_bucket_start IS NOT NULL`,
      sql.params,
    );
    return {
      items: rows
        .map((row) => ({
          site: text(row.site),
          lastBucketStart: date(row.last_bucket_start).toISOString(),
        }))
        .sort((a, b) => byText(a.site, b.site)),
    };
  }

  /**
   * Compliance over `[since, until)`: totals, counts per (site, area, line, channel, contract
   * version), invalid messages per error kind, the trend per step and the worst offenders.
   */
  async overview(query: OverviewQuery): Promise<ComplianceOverview> {
    const [slices, steps] = await Promise.all([this.slices(query), this.steps(query)]);
    return {
      range: {
        since: query.since.toISOString(),
        until: query.until.toISOString(),
        stepSeconds: query.stepSeconds,
        site: query.site ?? null,
      },
      totals: totals(slices),
      groups: groups(slices),
      byErrorKind: byErrorKind(slices),
      trend: trend(steps),
      worstOffenders: worstOffenders(slices, query.offenders),
    };
  }

  /**
   * Every site of the scope with messages in `[since, until)`, lowest valid share first: its
   * totals, error kinds, trend and worst offenders.
   */
  async facilities(query: FacilitiesQuery): Promise<FacilitiesReport> {
    const [slices, steps] = await Promise.all([this.slices(query), this.steps(query)]);
    return {
      range: {
        since: query.since.toISOString(),
        until: query.until.toISOString(),
        stepSeconds: query.stepSeconds,
      },
      sites: facilities(slices, steps, query.offenders),
    };
  }

  /** The stored violation samples matching every filter, newest first, one page at a time. */
  async violations(query: ViolationsQuery): Promise<ViolationPage> {
    const where = new Conditions();
    limitSites(where, query.scope, query.site);
    if (query.channel !== undefined) where.add('channel =', query.channel);
    if (query.errorKind !== undefined) where.add('error_kind =', query.errorKind);
    if (query.before !== undefined) {
      where.add('(received_at, id) <', query.before.receivedAt, query.before.id);
    }
    // One row more than asked says whether there is a next page.
    const rows = await this.sql.query(
      `SELECT ${VIOLATION_COLUMNS} FROM violation_samples ${where.sql()}
       ORDER BY received_at DESC, id DESC
       LIMIT ${String(query.limit + 1)}`,
      where.params,
    );
    const items = rows.slice(0, query.limit).map(toViolation);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > query.limit && last !== undefined
          ? encodeCursor({ receivedAt: new Date(last.receivedAt), id: last.id })
          : null,
    };
  }

  /**
   * The sites of the stored violation samples, and their error kinds (of `site` alone when
   * given), alphabetical.
   */
  async violationFacets(query: SitesQuery): Promise<ViolationFacets> {
    // Index probes per site, then per kind of each site (`violation_samples_site_kind`), rather
    // than a scan of every sample.
    const sql = new Conditions();
    const scoped =
      query.scope === EVERY_SITE
        ? `SELECT min(site) FROM violation_samples
           UNION ALL
           SELECT (SELECT min(site) FROM violation_samples WHERE site > sites.site)
           FROM sites WHERE sites.site IS NOT NULL`
        : `SELECT site FROM unnest(${sql.placeholder(query.scope)}::text[]) AS scope (site)
           WHERE EXISTS (SELECT 1 FROM violation_samples samples WHERE samples.site = scope.site)`;
    const kindsOf =
      query.site === undefined ? 'sites' : `sites WHERE site = ${sql.placeholder(query.site)}`;
    const rows = await this.sql.query(
      `WITH RECURSIVE sites (site) AS (${scoped}),
       kinds (site, error_kind) AS (
         SELECT site, (SELECT min(error_kind) FROM violation_samples samples
                       WHERE samples.site = kinds_of.site)
         FROM (SELECT site FROM ${kindsOf}) kinds_of WHERE site IS NOT NULL
         UNION ALL
         SELECT site, (SELECT min(error_kind) FROM violation_samples samples
                       WHERE samples.site = kinds.site AND samples.error_kind > kinds.error_kind)
         FROM kinds WHERE error_kind IS NOT NULL
       )
       SELECT 'site' AS facet, site AS value FROM sites WHERE site IS NOT NULL
       UNION
       SELECT 'errorKind', error_kind FROM kinds WHERE error_kind IS NOT NULL`,
      sql.params,
    );
    const values = (facet: string) =>
      rows
        .filter((row) => row.facet === facet)
        .map((row) => text(row.value))
        .sort(byText);
    return { sites: values('site'), errorKinds: values('errorKind') };
  }

  /** Every contract the store has a record of, most recently loaded first. */
  async contractHistory(query: SitesQuery): Promise<ContractRecord[]> {
    const where = new Conditions();
    limitSites(where, query.scope, query.site);
    const rows = await this.sql.query(
      `SELECT site, title, version, source, channels, first_loaded_at, last_loaded_at
       FROM contracts ${where.sql()}`,
      where.params,
    );
    return rows
      .map((row) => ({
        site: text(row.site),
        title: text(row.title),
        version: text(row.version),
        source: text(row.source),
        channels: texts(row.channels),
        firstLoadedAt: date(row.first_loaded_at).toISOString(),
        lastLoadedAt: date(row.last_loaded_at).toISOString(),
      }))
      .sort(
        (a, b) =>
          byText(b.lastLoadedAt, a.lastLoadedAt) ||
          byText(a.site, b.site) ||
          byText(a.title, b.title) ||
          byText(a.version, b.version),
      );
  }

  /**
   * The contracts `site`'s validator last published as in force (`contracts_in_force`), or
   * `undefined` when it published none.
   */
  async contractsInForce(site: string): Promise<ContractsInForce | undefined> {
    const [row] = await this.sql.query('SELECT report FROM contracts_in_force WHERE site = $1', [
      site,
    ]);
    if (row === undefined) return undefined;
    const report = row.report as Partial<ContractsInForce> | null;
    if (typeof report?.enforcement !== 'object' || !Array.isArray(report.inForce)) {
      throw new TypeError(`contracts_in_force of ${site} is no {enforcement, inForce} report`);
    }
    return { enforcement: report.enforcement, inForce: report.inForce };
  }

  /** Sums of the range per (site, area, line, channel, contract version, error kind). */
  private async slices(range: CountsRange): Promise<SliceCount[]> {
    const params: unknown[] = [];
    const union = countsUnion(
      range,
      [HOURLY, DAILY],
      'site, area, line, channel, contract_version, error_kind, valid_count, invalid_count',
      params,
    );
    const rows = await this.sql.query(
      `SELECT site, area, line, channel, contract_version, error_kind,
              sum(valid_count) AS valid, sum(invalid_count) AS invalid
       FROM (${union}) counts
       GROUP BY site, area, line, channel, contract_version, error_kind`,
      params,
    );
    return rows.map((row) => ({
      site: text(row.site),
      area: text(row.area),
      line: text(row.line),
      channel: text(row.channel),
      contractVersion: text(row.contract_version),
      errorKind: text(row.error_kind),
      valid: count(row.valid),
      invalid: count(row.invalid),
    }));
  }

  /**
   * Sums of the range per site and trend step. The per-site roll-ups whose periods fit in a step
   * serve it: the five-minute one for steps of whole five minutes, the hourly one for whole hours.
   */
  private async steps(range: TrendRange): Promise<StepCount[]> {
    const params: unknown[] = [];
    const rollUps = [PER_SITE_5M, PER_SITE_HOURLY].filter(
      (r) => range.stepSeconds % r.seconds === 0,
    );
    const union = countsUnion(
      range,
      rollUps,
      'site, bucket_start, valid_count, invalid_count',
      params,
    );
    const step = `$${String(params.push(range.stepSeconds))}`;
    const rows = await this.sql.query(
      `SELECT site,
              date_bin(make_interval(secs => ${step}), bucket_start, timestamptz 'epoch')
                AS step_start,
              sum(valid_count) AS valid, sum(invalid_count) AS invalid
       FROM (${union}) counts
       GROUP BY site, step_start`,
      params,
    );
    return rows.map((row) => ({
      site: text(row.site),
      stepStart: date(row.step_start),
      valid: count(row.valid),
      invalid: count(row.invalid),
    }));
  }
}

/** A `violation_samples` row (its {@link VIOLATION_COLUMNS}) as the API's violation. */
function toViolation(row: SqlRow): Violation {
  return {
    id: count(row.id),
    receivedAt: date(row.received_at).toISOString(),
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
