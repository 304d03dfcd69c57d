import { Token } from 'aws-cdk-lib';
import type { ModelRolloutSettings, ModelRolloutStep } from './model-rollout-props';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY_MINUTES = 24 * 60;

/**
 * Every problem with the given model rollout settings, each naming the setting; empty when they
 * are valid. Unresolved tokens are not checked. Shared by the construct and the environment
 * configuration (`modelRollout`).
 */
export function modelRolloutSettingsProblems(settings: ModelRolloutSettings): string[] {
  const problems: string[] = [];
  const check = (value: unknown, ok: boolean, problem: string): void => {
    if (value !== undefined && !Token.isUnresolved(value) && !ok) problems.push(problem);
  };
  /** Whether `value` lies in [min, max] (a whole number when `whole`); undefined never does. */
  const within = (value: number | undefined, min: number, max: number, whole = true) =>
    value !== undefined &&
    (whole ? Number.isInteger(value) : Number.isFinite(value)) &&
    value >= min &&
    value <= max;
  const { bakeMinutes, retryMinutes, maxComparisons, minAgreement, minWindowsCompared } = settings;
  const rise = settings.maxAnomalyRateIncrease;
  check(
    bakeMinutes,
    within(bakeMinutes, 1, 7 * DAY_MINUTES),
    `bakeMinutes (${bakeMinutes}) must be a whole number of minutes from 1 to ${7 * DAY_MINUTES} (a week)`,
  );
  check(
    retryMinutes,
    within(retryMinutes, 1, DAY_MINUTES),
    `retryMinutes (${retryMinutes}) must be a whole number of minutes from 1 to ${DAY_MINUTES} (a day)`,
  );
  check(
    maxComparisons,
    within(maxComparisons, 1, 100),
    `maxComparisons (${maxComparisons}) must be a whole number from 1 to 100`,
  );
  check(
    minAgreement,
    within(minAgreement, Number.MIN_VALUE, 1, false),
    `minAgreement (${minAgreement}) must be a share above 0 and at most 1, e.g. 0.95 for 95 %`,
  );
  check(
    rise,
    within(rise, 0, 1 - Number.EPSILON, false),
    `maxAnomalyRateIncrease (${rise}) must be a share from 0 to below 1, e.g. 0.05 for five percentage points`,
  );
  check(
    minWindowsCompared,
    within(minWindowsCompared, 1, Number.MAX_SAFE_INTEGER),
    `minWindowsCompared (${minWindowsCompared}) must be a whole number of windows, at least 1`,
  );
  for (const email of settings.notificationEmails ?? []) {
    check(
      email,
      EMAIL.test(email),
      `notificationEmails: ${JSON.stringify(email)} is not an email address`,
    );
  }
  return problems;
}

/** Every problem with the rollout's steps: there must be the canary first, then any waves. */
export function modelRolloutStepsProblems(steps: readonly ModelRolloutStep[]): string[] {
  const [first] = steps;
  const problems: string[] = [];
  if (first?.name !== 'canary' || first.targets.length !== 1) {
    problems.push(
      `steps must start with the canary, one thing group where the candidate runs in shadow (got ${steps.map((step) => step.name).join(', ') || 'none'})`,
    );
  }
  for (const step of steps.filter((candidate) => candidate.targets.length === 0)) {
    problems.push(`steps: ${step.name} has no thing group`);
  }
  return problems;
}
