/**
 * Where the counts of a time range are read from: `validation_counts` holds every bucket, and the
 * roll-ups of migration `005_rollups` hold their sums per hour, per day and (per site only) per
 * five minutes and per hour, kept exact by triggers. A range is split into the whole days a daily roll-up
 * answers, the whole hours around them an hourly one answers, and the minutes at its ends that
 * only `validation_counts` holds; the parts are read with `UNION ALL`, so a read over 30 days
 * touches a few thousand rows instead of millions, with the same sums.
 *
 * A roll-up row sums the buckets that *start* in its period (UTC, aligned on the Unix epoch), the
 * same rule as a read's `[since, until)`, so the split is exact for buckets of any length.
 */
import { Conditions } from './sql-rows';
import { EVERY_SITE, type SiteScope } from './site-scope';

/** A table of counts summed per period of `seconds` (aligned on the Unix epoch, UTC). */
export interface RollUp {
  readonly table: string;
  readonly seconds: number;
}

/** Every column of `validation_counts` but the bucket's length, summed per hour (UTC). */
export const HOURLY: RollUp = { table: 'validation_counts_hourly', seconds: 3_600 };
/** Every column of `validation_counts` but the bucket's length, summed per day (UTC). */
export const DAILY: RollUp = { table: 'validation_counts_daily', seconds: 86_400 };
/** Counts per site only, summed per five minutes: a trends' roll-up. */
export const PER_SITE_5M: RollUp = { table: 'validation_site_counts_5m', seconds: 300 };
/** Counts per site only, summed per hour: a trends' roll-up. */
export const PER_SITE_HOURLY: RollUp = { table: 'validation_site_counts_hourly', seconds: 3_600 };

/** The table of every bucket, which answers whatever no roll-up covers. */
const RAW_TABLE = 'validation_counts';

/** A part of a range and the table that answers it. */
export interface Segment {
  readonly table: string;
  readonly since: Date;
  readonly until: Date;
}

/**
 * Splits `[since, until)` into the parts the roll-ups answer (each the coarsest possible) and
 * those only `validation_counts` answers.
 *
 * @param rollUps the usable roll-ups, finest first.
 */
export function segments(since: Date, until: Date, rollUps: readonly RollUp[]): Segment[] {
  if (since >= until) return [];
  const coarsest = rollUps.at(-1);
  if (coarsest === undefined) return [{ table: RAW_TABLE, since, until }];
  const finer = rollUps.slice(0, -1);
  const period = coarsest.seconds * 1000;
  const start = Math.ceil(since.getTime() / period) * period;
  const end = Math.floor(until.getTime() / period) * period;
  if (start >= end) return segments(since, until, finer);
  return [
    ...segments(since, new Date(start), finer),
    { table: coarsest.table, since: new Date(start), until: new Date(end) },
    ...segments(new Date(end), until, finer),
  ];
}

/** What a read of counts covers. */
export interface CountsRange {
  /** Buckets starting at or after this instant. */
  readonly since: Date;
  /** Buckets starting before this instant. */
  readonly until: Date;
  /** The sites the reader may see. */
  readonly scope: SiteScope;
  /** Only this site (within the scope); every site of the scope when absent. */
  readonly site?: string;
}

/**
 * `SELECT <columns>` of the range's parts, joined by `UNION ALL`, each part filtered by its time
 * range and the sites; its parameters go to `params`. Every table named has the columns of
 * `validation_counts` that `columns` may use: `bucket_start`, `site`, `valid_count`,
 * `invalid_count`, and, but for the per-site roll-ups, `area`, `line`, `channel`,
 * `contract_version` and `error_kind`.
 */
export function countsUnion(
  range: CountsRange,
  rollUps: readonly RollUp[],
  columns: string,
  params: unknown[],
): string {
  const parts = segments(range.since, range.until, rollUps).map((segment) => {
    const where = new Conditions(params);
    where.add('bucket_start >=', segment.since);
    where.add('bucket_start <', segment.until);
    limitSites(where, range.scope, range.site);
    return `SELECT ${columns} FROM ${segment.table} ${where.sql()}`;
  });
  // An empty range reads nothing, in the shape of the parts.
  return parts.length > 0
    ? parts.join(' UNION ALL ')
    : `SELECT ${columns} FROM ${RAW_TABLE} WHERE false`;
}

/** Limits `where` to the sites of `scope` and, when given, to `site`. */
export function limitSites(where: Conditions, scope: SiteScope, site?: string): void {
  if (site !== undefined) where.add('site =', site);
  if (scope !== EVERY_SITE) where.addLiteral(`site = ANY(${where.placeholder(scope)}::text[])`);
}
