import { Token } from 'aws-cdk-lib';
import { COMPLIANCE_STORE_DEFAULTS, type ComplianceStoreSettings } from './compliance-store-props';

const INSTANCE_TYPE = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const INSTANCE_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;
const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];

/** Whether RDS accepts a Performance Insights retention: 7, 31 × 1-23 months, or 731 days. */
function validInsightsRetention(days: number): boolean {
  return days === 7 || days === 731 || (days % 31 === 0 && days >= 31 && days <= 713);
}

/**
 * Every problem with the given compliance store settings, each naming the setting; empty when
 * they are valid. Unresolved tokens are not checked. Shared by the construct and the environment
 * configuration.
 */
export function complianceStoreSettingsProblems(
  settings: ComplianceStoreSettings & { instanceIdentifier?: string },
): string[] {
  const problems: string[] = [];
  const known = <T>(value: T | undefined): value is T =>
    value !== undefined && !Token.isUnresolved(value);
  const wholeIn = (name: string, value: number | undefined, min: number, max: number) => {
    if (known(value) && !(Number.isInteger(value) && value >= min && value <= max)) {
      problems.push(`${name} (${value}) must be a whole number in ${min}-${max}`);
    }
  };
  if (known(settings.instanceType) && !INSTANCE_TYPE.test(settings.instanceType)) {
    problems.push(
      `instanceType ${JSON.stringify(settings.instanceType)} must be an RDS instance class such as "db.t4g.small"`,
    );
  }
  wholeIn('backupRetentionDays', settings.backupRetentionDays, 1, 35);
  wholeIn('allocatedStorageGiB', settings.allocatedStorageGiB, 20, 65536);
  wholeIn('maxAllocatedStorageGiB', settings.maxAllocatedStorageGiB, 21, 65536);
  const allocated = settings.allocatedStorageGiB ?? COMPLIANCE_STORE_DEFAULTS.allocatedStorageGiB;
  const max = settings.maxAllocatedStorageGiB ?? COMPLIANCE_STORE_DEFAULTS.maxAllocatedStorageGiB;
  if (known(allocated) && known(max) && max <= allocated) {
    problems.push(
      `maxAllocatedStorageGiB (${max}) must be above allocatedStorageGiB (${allocated}), or storage cannot grow`,
    );
  }
  const insights = settings.performanceInsightsRetentionDays;
  if (known(insights) && !validInsightsRetention(insights)) {
    problems.push(
      `performanceInsightsRetentionDays (${insights}) must be 7, a multiple of 31 up to 713, or 731`,
    );
  }
  const interval = settings.monitoringIntervalSeconds;
  if (known(interval) && !MONITORING_INTERVALS.includes(interval)) {
    problems.push(
      `monitoringIntervalSeconds (${interval}) must be one of ${MONITORING_INTERVALS.join(', ')}`,
    );
  }
  wholeIn('secretRotationDays', settings.secretRotationDays, 1, 365);
  const identifier = settings.instanceIdentifier;
  if (known(identifier) && !INSTANCE_IDENTIFIER.test(identifier)) {
    problems.push(
      `instanceIdentifier ${JSON.stringify(identifier)} must be 2-63 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen`,
    );
  }
  return problems;
}
