/**
 * `npm run rollout:plan -- -c env=<name>`: prints, without AWS access, which component versions go
 * to which canary group, wave and plant, and what changed since the plan of the last `cdk synth`
 * (kept in cdk.out). Components changed without a recorded version are named, with the command
 * that records one.
 */
import { plantComponents } from '../lib/delivery/components';
import { publishedVersions } from '../lib/delivery/published-components';
import { formatPlan, lastSynthesizedPlan, rolloutPlan } from '../lib/delivery/rollout-plan';
import { StaleComponentVersionError } from '../lib/delivery/versions';
import { EnvironmentConfigError, resolveEnvironment } from '../lib/config/resolve';

function requestedEnvironment(args: readonly string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    const value =
      arg === '-c' || arg === '--context' ? args[index + 1] : arg.replace(/^--context=/, '');
    const match = value?.match(/^env=(.+)$/);
    if (match !== null && match !== undefined) return match[1];
  }
  return undefined;
}

try {
  const config = resolveEnvironment(requestedEnvironment(process.argv.slice(2)));
  const plan = rolloutPlan(config, publishedVersions(plantComponents()));
  console.log(formatPlan(plan, lastSynthesizedPlan('cdk.out', config.name)));
} catch (error) {
  if (!(error instanceof EnvironmentConfigError || error instanceof StaleComponentVersionError)) {
    throw error;
  }
  console.error(error.message);
  process.exit(1);
}
