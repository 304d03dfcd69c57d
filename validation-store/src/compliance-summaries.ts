/**
 * The compliance API's figures from the sums the store returns: one statement sums the counts of
 * a range per (site, area, line, channel, contract version, error kind), another per site and
 * trend step; the groups, error kinds, worst offenders, totals and trends are folded from those
 * few thousand rows here rather than by one more scan of the store each.
 *
 * Text is ordered by UTF-16 code units (as `<` orders strings), the same on every engine and
 * database collation.
 */
import type {
  ComplianceCounts,
  ComplianceGroup,
  ErrorKindCount,
  FacilityComparison,
  Offender,
  TrendPoint,
} from '../../dashboard/src/api/types';

/** The counts of one (site, area, line, channel, contract version, error kind) in a range. */
export interface SliceCount {
  readonly site: string;
  readonly area: string;
  readonly line: string;
  readonly channel: string;
  readonly contractVersion: string;
  /** `''` for valid messages. */
  readonly errorKind: string;
  readonly valid: number;
  readonly invalid: number;
}

/** The counts of one site in one trend step. */
export interface StepCount {
  readonly site: string;
  readonly stepStart: Date;
  readonly valid: number;
  readonly invalid: number;
}

/** Orders text by UTF-16 code units. */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders by each key in turn. */
function byKeys<T>(...keys: ((item: T) => string)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const order = byText(key(a), key(b));
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** Valid and invalid counts with the valid share (`null` when nothing was counted). */
export function withShare(valid: number, invalid: number): ComplianceCounts {
  return { valid, invalid, validShare: valid + invalid === 0 ? null : valid / (valid + invalid) };
}

/** Sums `items` per key, in order of first appearance. */
function sumBy<T extends { valid: number; invalid: number }, K>(
  items: readonly T[],
  key: (item: T) => string,
  make: (item: T) => K,
): Map<string, K & { valid: number; invalid: number }> {
  const sums = new Map<string, K & { valid: number; invalid: number }>();
  for (const item of items) {
    const id = key(item);
    const sum = sums.get(id) ?? { ...make(item), valid: 0, invalid: 0 };
    sum.valid += item.valid;
    sum.invalid += item.invalid;
    sums.set(id, sum);
  }
  return sums;
}

/** Totals of `slices`. */
export function totals(slices: readonly { valid: number; invalid: number }[]): ComplianceCounts {
  let valid = 0;
  let invalid = 0;
  for (const slice of slices) {
    valid += slice.valid;
    invalid += slice.invalid;
  }
  return withShare(valid, invalid);
}

/** Counts per (site, area, line, channel, contract version), ordered by those. */
export function groups(slices: readonly SliceCount[]): ComplianceGroup[] {
  const sums = sumBy(
    slices,
    (s) => [s.site, s.area, s.line, s.channel, s.contractVersion].join('\u0000'),
    ({ site, area, line, channel, contractVersion }) => ({
      site,
      area,
      line,
      channel,
      contractVersion,
    }),
  );
  return [...sums.values()]
    .sort(
      byKeys(
        (g) => g.site,
        (g) => g.area,
        (g) => g.line,
        (g) => g.channel,
        (g) => g.contractVersion,
      ),
    )
    .map((g) => ({ ...g, ...withShare(g.valid, g.invalid) }));
}

/** Invalid messages per error kind, most first (ties by kind); kinds without any left out. */
export function byErrorKind(slices: readonly SliceCount[]): ErrorKindCount[] {
  const sums = sumBy(
    slices.filter((s) => s.errorKind !== ''),
    (s) => s.errorKind,
    ({ errorKind }) => ({ errorKind }),
  );
  return [...sums.values()]
    .filter((kind) => kind.invalid > 0)
    .sort((a, b) => b.invalid - a.invalid || byText(a.errorKind, b.errorKind))
    .map(({ errorKind, invalid }) => ({ errorKind, invalid }));
}

/**
 * The (site, area, line, channel) slices with invalid messages, most first (ties by site, area,
 * line, channel), at most `limit`, each with the error kind of most of its invalid messages
 * (ties by kind).
 */
export function worstOffenders(slices: readonly SliceCount[], limit: number): Offender[] {
  const key = (s: SliceCount) => [s.site, s.area, s.line, s.channel].join('\u0000');
  const bySlice = byKeys<Pick<Offender, 'site' | 'area' | 'line' | 'channel'>>(
    (o) => o.site,
    (o) => o.area,
    (o) => o.line,
    (o) => o.channel,
  );
  const offenders = sumBy(slices, key, ({ site, area, line, channel }) => ({
    site,
    area,
    line,
    channel,
  }));
  const kinds = sumBy(
    slices,
    (s) => `${key(s)}\u0000${s.errorKind}`,
    (s) => ({ offender: key(s), errorKind: s.errorKind }),
  );
  const topKinds = new Map<string, { errorKind: string; invalid: number }>();
  for (const kind of kinds.values()) {
    const top = topKinds.get(kind.offender);
    if (
      top === undefined ||
      kind.invalid > top.invalid ||
      (kind.invalid === top.invalid && kind.errorKind < top.errorKind)
    ) {
      topKinds.set(kind.offender, kind);
    }
  }
  return [...offenders.entries()]
    .filter(([, offender]) => offender.invalid > 0)
    .sort(([, a], [, b]) => b.invalid - a.invalid || bySlice(a, b))
    .slice(0, limit)
    .map(([id, { site, area, line, channel, valid, invalid }]) => ({
      site,
      area,
      line,
      channel,
      valid,
      invalid,
      invalidShare: invalid / (valid + invalid),
      topErrorKind: topKinds.get(id)?.errorKind ?? '',
    }));
}

/** The trend over every site of `steps`: counts per step, oldest first. */
export function trend(steps: readonly StepCount[]): TrendPoint[] {
  const sums = sumBy(
    steps,
    (s) => String(s.stepStart.getTime()),
    ({ stepStart }) => ({ stepStart }),
  );
  return [...sums.values()]
    .sort((a, b) => a.stepStart.getTime() - b.stepStart.getTime())
    .map(({ stepStart, valid, invalid }) => ({
      bucketStart: stepStart.toISOString(),
      ...withShare(valid, invalid),
    }));
}

/**
 * Each site of `slices` side by side: lowest valid share first (ties by site), sites without
 * messages left out, each with its error kinds, trend (from `steps`) and at most `offenders`
 * worst offenders.
 */
export function facilities(
  slices: readonly SliceCount[],
  steps: readonly StepCount[],
  offenders: number,
): FacilityComparison[] {
  const slicesBySite = groupBy(slices, (s) => s.site);
  const stepsBySite = groupBy(steps, (s) => s.site);
  return [...slicesBySite.entries()]
    .map(([site, siteSlices]) => ({
      site,
      ...totals(siteSlices),
      byErrorKind: byErrorKind(siteSlices),
      trend: trend(stepsBySite.get(site) ?? []),
      worstOffenders: worstOffenders(siteSlices, offenders),
    }))
    .filter((facility) => facility.validShare !== null)
    .sort((a, b) => (a.validShare ?? 0) - (b.validShare ?? 0) || byText(a.site, b.site));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const id = key(item);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [item]);
    else group.push(item);
  }
  return groups;
}
