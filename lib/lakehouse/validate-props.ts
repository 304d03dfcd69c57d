import { Token } from 'aws-cdk-lib';
import { UNS_ID_PATTERN, UNS_ID_RULE } from '../uns-id';
import { LAKEHOUSE_DEFAULTS, type LakehouseProps } from './lakehouse-props';

/** Athena refuses a per-query scan limit under 10 MB. */
const ATHENA_MIN_CUTOFF_BYTES = 10_000_000;
const GLUE_NAME_PREFIX = /^[a-z][a-z0-9_]{0,39}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Props whose values can be checked before anything is created (everything but constructs). */
export type CheckableLakehouseProps = Omit<
  LakehouseProps,
  'encryptionKey' | 'lakeFormationAdmins' | 'personas' | 'removalPolicy' | 'siteIds'
> &
  Partial<Pick<LakehouseProps, 'siteIds' | 'serverAccessLogsBucket'>>;

/**
 * Every problem with the given Lakehouse props, each naming the prop; empty when they are valid.
 * Unresolved tokens are not checked. Shared by the construct and the environment configuration,
 * so a bad value is reported the same way at `cdk synth` and in tests.
 */
export function lakehousePropsProblems(props: CheckableLakehouseProps): string[] {
  const problems: string[] = [];
  const days = {
    rawIntelligentTieringAfterDays:
      props.rawIntelligentTieringAfterDays ?? LAKEHOUSE_DEFAULTS.rawIntelligentTieringAfterDays,
    rawGlacierInstantRetrievalAfterDays:
      props.rawGlacierInstantRetrievalAfterDays ??
      LAKEHOUSE_DEFAULTS.rawGlacierInstantRetrievalAfterDays,
    rawExpireAfterDays: props.rawExpireAfterDays,
    noncurrentVersionsExpireAfterDays:
      props.noncurrentVersionsExpireAfterDays ??
      LAKEHOUSE_DEFAULTS.noncurrentVersionsExpireAfterDays,
    curatedIntelligentTieringAfterDays:
      props.curatedIntelligentTieringAfterDays ??
      LAKEHOUSE_DEFAULTS.curatedIntelligentTieringAfterDays,
    athenaResultsExpireAfterDays:
      props.athenaResultsExpireAfterDays ?? LAKEHOUSE_DEFAULTS.athenaResultsExpireAfterDays,
    accessLogsExpireAfterDays: props.accessLogsExpireAfterDays,
  };
  const zeroAllowed = new Set([
    'rawIntelligentTieringAfterDays',
    'curatedIntelligentTieringAfterDays',
  ]);
  for (const [name, value] of Object.entries(days)) {
    const minimum = zeroAllowed.has(name) ? 0 : 1;
    if (known(value) && !(Number.isInteger(value) && value >= minimum)) {
      problems.push(`${name} (${value}) must be a whole number of days >= ${minimum}`);
    }
  }
  const tiering = days.rawIntelligentTieringAfterDays;
  const glacier = days.rawGlacierInstantRetrievalAfterDays;
  if (known(tiering) && known(glacier) && glacier <= tiering) {
    problems.push(
      `rawGlacierInstantRetrievalAfterDays (${glacier}) must be later than rawIntelligentTieringAfterDays (${tiering})`,
    );
  }
  if (known(days.rawExpireAfterDays) && known(glacier) && days.rawExpireAfterDays <= glacier) {
    problems.push(
      `rawExpireAfterDays (${days.rawExpireAfterDays}) must be later than rawGlacierInstantRetrievalAfterDays (${glacier})`,
    );
  }
  const cutoffGiB =
    props.athenaBytesScannedCutoffGiB ?? LAKEHOUSE_DEFAULTS.athenaBytesScannedCutoffGiB;
  if (known(cutoffGiB) && !(cutoffGiB * 1024 ** 3 >= ATHENA_MIN_CUTOFF_BYTES)) {
    problems.push(
      `athenaBytesScannedCutoffGiB (${cutoffGiB}) must be at least 10 MB (Athena's minimum)`,
    );
  }
  if (props.serverAccessLogsBucket !== undefined && props.accessLogsExpireAfterDays !== undefined) {
    problems.push(
      'serverAccessLogsBucket and accessLogsExpireAfterDays exclude each other: the expiry shapes only the default access-log bucket',
    );
  }
  if (props.namePrefix !== undefined && !GLUE_NAME_PREFIX.test(props.namePrefix)) {
    problems.push(
      `namePrefix ${JSON.stringify(props.namePrefix)} must be 1-40 lowercase letters, digits or underscores, starting with a letter`,
    );
  }
  if (props.firstPartitionDate !== undefined && !isIsoDate(props.firstPartitionDate)) {
    problems.push(
      `firstPartitionDate ${JSON.stringify(props.firstPartitionDate)} must be a date as yyyy-MM-dd`,
    );
  }
  if (props.siteIds !== undefined) {
    if (props.siteIds.length === 0) problems.push('siteIds must list at least one site');
    for (const siteId of props.siteIds) {
      if (!Token.isUnresolved(siteId) && !UNS_ID_PATTERN.test(siteId)) {
        problems.push(`siteIds: ${JSON.stringify(siteId)} ${UNS_ID_RULE}`);
      }
    }
  }
  return problems;
}

function known(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}
