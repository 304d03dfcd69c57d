import { Token } from 'aws-cdk-lib';
import { scheduleProblems } from '../schedule';
import type { LakehouseCurationProps } from './lakehouse-curation-props';

const NAME_PREFIX = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,59}$/;
/** A month of days: longer backfills name their days in the execution input. */
const MAX_LOOKBACK_DAYS = 31;
/**
 * Each partition runs one Athena DML query, and the account's quota of active DML queries (a few
 * dozen by default) is shared with every other query: curation takes at most 10 of them.
 */
const MAX_CONCURRENT_PARTITIONS = 10;

/** Props whose values can be checked before anything is created (everything but constructs). */
export type CheckableLakehouseCurationProps = Omit<
  LakehouseCurationProps,
  'lakehouse' | 'logKey' | 'removalPolicy' | 'namePrefix'
> &
  Partial<Pick<LakehouseCurationProps, 'namePrefix'>>;

/**
 * Every problem with the given curation props, each naming the prop; empty when they are valid.
 * Unresolved tokens are not checked. Shared by the construct and the environment configuration.
 */
export function lakehouseCurationPropsProblems(props: CheckableLakehouseCurationProps): string[] {
  const problems: string[] = [];
  const check = (value: unknown, ok: boolean, problem: string): void => {
    if (value !== undefined && !Token.isUnresolved(value) && !ok) problems.push(problem);
  };
  const quote = (value: unknown) => JSON.stringify(value);
  const wholeIn = (value: number | undefined, max: number) =>
    value !== undefined && Number.isInteger(value) && value >= 1 && value <= max;

  check(
    props.namePrefix,
    NAME_PREFIX.test(props.namePrefix ?? ''),
    `namePrefix ${quote(props.namePrefix)} must be 1-60 letters, digits, hyphens or underscores, starting with a letter or digit`,
  );
  check(
    props.lookbackDays,
    wholeIn(props.lookbackDays, MAX_LOOKBACK_DAYS),
    `lookbackDays (${props.lookbackDays}) must be a whole number from 1 to ${MAX_LOOKBACK_DAYS}; name older days in a run's input instead`,
  );
  check(
    props.maxConcurrentPartitions,
    wholeIn(props.maxConcurrentPartitions, MAX_CONCURRENT_PARTITIONS),
    `maxConcurrentPartitions (${props.maxConcurrentPartitions}) must be a whole number from 1 to ${MAX_CONCURRENT_PARTITIONS}: each partition runs an Athena DML query, and the account's quota of active ones is shared`,
  );
  problems.push(...scheduleProblems(props));
  check(
    props.scheduleEnabled,
    typeof props.scheduleEnabled === 'boolean',
    `scheduleEnabled (${quote(props.scheduleEnabled)}) must be true or false`,
  );
  return problems;
}
