import type { Logger } from '@aws-lambda-powertools/logger';
import type { Partition, Plan, PlanEvent } from './contract';
import { isIsoDay, toIsoDay } from './days';

/**
 * Most partitions one execution curates. Each costs about 15 history events and 150 bytes of
 * state; 500 stay far below the 25,000 events and 256 KiB of a Standard execution. A longer
 * backfill runs as several executions.
 */
export const MAX_PARTITIONS = 500;

/** Where the defaults of an execution come from (the construct sets them per environment). */
export interface PlanSettings {
  /** Every site of the Lakehouse: the default sites, and the only ones accepted. */
  readonly siteIds: readonly string[];
  /** Complete UTC days before the execution's day curated by default (late data is picked up). */
  readonly lookbackDays: number;
}

/** An execution input that names no valid partitions; the execution fails without retrying. */
export class InvalidCurationInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid curation input: ${problems.join('; ')}`);
    // Lambda reports the name as the error type, which is what the state machine sees.
    this.name = 'InvalidCurationInput';
  }
}

/**
 * The partitions an execution curates: every site of `sites` (default: all of the Lakehouse) for
 * every day of `days` (default: the `lookbackDays` complete UTC days before the execution's day,
 * oldest first). Duplicates are dropped. Every problem is collected and thrown at once.
 *
 * @throws InvalidCurationInputError for an unknown key, an unknown site, a malformed or future
 *   day, an empty list, or more than {@link MAX_PARTITIONS} partitions.
 */
export function planPartitions(input: unknown, startedAt: Date, settings: PlanSettings): Plan {
  const problems: string[] = [];
  const given = (input ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new InvalidCurationInputError([
      `the input must be an object like {"sites": [...], "days": [...]}, not ${JSON.stringify(input)}`,
    ]);
  }
  for (const key of Object.keys(given).filter((k) => k !== 'sites' && k !== 'days')) {
    problems.push(`unknown key ${JSON.stringify(key)} (use "sites" and "days")`);
  }

  const today = toIsoDay(startedAt);
  const sites = listOf(given.sites, 'sites', problems) ?? settings.siteIds;
  for (const site of sites.filter((id) => !settings.siteIds.includes(id))) {
    problems.push(
      `sites: ${JSON.stringify(site)} is not a site of this Lakehouse (${settings.siteIds.join(', ')})`,
    );
  }
  const days = listOf(given.days, 'days', problems) ?? lookback(startedAt, settings.lookbackDays);
  for (const day of days) {
    if (!isIsoDay(day)) {
      problems.push(`days: ${JSON.stringify(day)} is not a day written yyyy-MM-dd`);
    } else if (day > today) {
      problems.push(`days: ${day} is after the execution's day (${today}), so it has no data yet`);
    }
  }

  const uniqueSites = [...new Set(sites)];
  const uniqueDays = [...new Set(days)].sort();
  const count = uniqueSites.length * uniqueDays.length;
  if (count > MAX_PARTITIONS) {
    problems.push(
      `${count} partitions (${uniqueSites.length} sites x ${uniqueDays.length} days) exceed ${MAX_PARTITIONS} per execution: split the days over several executions`,
    );
  }
  if (problems.length > 0) throw new InvalidCurationInputError(problems);

  const partitions: Partition[] = uniqueSites.flatMap((site) =>
    uniqueDays.map((dt) => ({ site, dt, parameters: [sqlString(site), sqlString(dt)] as const })),
  );
  return { partitions };
}

/** Dependencies of {@link createPlanHandler}. */
export interface PlanDependencies {
  readonly settings: PlanSettings;
  readonly logger: Logger;
}

/** The `plan` handler: the execution's partitions, or a failed task naming every input problem. */
export function createPlanHandler(deps: PlanDependencies): (event: PlanEvent) => Promise<Plan> {
  // Nothing to wait for, but the Node.js runtime takes promises: an error becomes the rejection.
  return (event) =>
    Promise.resolve(event).then(({ input, startedAt }) => {
      const started = new Date(startedAt);
      if (Number.isNaN(started.getTime())) {
        throw new Error(`plan: startedAt ${JSON.stringify(startedAt)} is not an ISO 8601 time`);
      }
      const plan = planPartitions(input, started, deps.settings);
      deps.logger.info('Planned curation', {
        partitions: plan.partitions.length,
        sites: [...new Set(plan.partitions.map((p) => p.site))],
        days: [...new Set(plan.partitions.map((p) => p.dt))],
      });
      return plan;
    });
}

/** A list of strings from the input, or `undefined` when the key is absent. */
function listOf(value: unknown, key: string, problems: string[]): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    problems.push(`${key} must be a list of strings, not ${JSON.stringify(value)}`);
    return [];
  }
  if (value.length === 0) problems.push(`${key} must not be empty (leave it out for the default)`);
  return value as string[];
}

/** The `days` complete UTC days before the day of `startedAt`, oldest first. */
function lookback(startedAt: Date, days: number): string[] {
  const midnight = Date.UTC(
    startedAt.getUTCFullYear(),
    startedAt.getUTCMonth(),
    startedAt.getUTCDate(),
  );
  return Array.from({ length: days }, (_, index) =>
    toIsoDay(new Date(midnight - (days - index) * 86_400_000)),
  );
}

/**
 * A SQL string literal. Site ids and days are checked above (known sites, `yyyy-MM-dd`), so they
 * hold no quote; doubling quotes still keeps the literal closed whatever the value.
 */
function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
