import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EnvironmentConfig, ROLLOUT_DEFAULTS } from '../config/environment';
import { KPI_ALARMS, KPI_DEFAULTS } from './edge-kpis';
import type { PublishedVersion } from './published-components';
import { rolloutSteps } from './rollout-steps';

/** What a rollout of one environment does: the versions, then the steps in order. */
export interface RolloutPlan {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly components: readonly PublishedVersion[];
  readonly steps: readonly {
    readonly name: string;
    readonly targets: readonly {
      name: string;
      thingGroup: string;
      siteId: string;
      brokerUrl: string;
    }[];
  }[];
  readonly bakeMinutes: number;
  readonly gateTimeoutMinutes: number;
  readonly kpis: typeof KPI_DEFAULTS;
}

/** The rollout plan of `config` with the given component versions. */
export function rolloutPlan(
  config: EnvironmentConfig,
  components: readonly PublishedVersion[],
): RolloutPlan {
  return {
    environment: config.name,
    account: config.account,
    region: config.region,
    components,
    steps: rolloutSteps(config),
    bakeMinutes: config.edgeRollout.bakeMinutes ?? ROLLOUT_DEFAULTS.bakeMinutes,
    gateTimeoutMinutes:
      config.edgeRollout.gateTimeoutMinutes ?? ROLLOUT_DEFAULTS.gateTimeoutMinutes,
    kpis: { ...KPI_DEFAULTS, ...config.edgeRollout.kpis },
  };
}

/** Where synthesis keeps the plan of an environment, in the cloud assembly folder. */
export const planFile = (outdir: string, environment: string) =>
  join(outdir, `rollout-plan.${environment}.json`);

/** Saves `plan` as the last synthesized plan of its environment. */
export function savePlan(outdir: string, plan: RolloutPlan): void {
  mkdirSync(outdir, { recursive: true });
  writeFileSync(planFile(outdir, plan.environment), `${JSON.stringify(plan, null, 2)}\n`);
}

/** The last synthesized plan of `environment`, if there is one. */
export function lastSynthesizedPlan(outdir: string, environment: string): RolloutPlan | undefined {
  const file = planFile(outdir, environment);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RolloutPlan) : undefined;
}

/** The differences between two plans of one environment, one line each. */
export function planChanges(previous: RolloutPlan, current: RolloutPlan): string[] {
  const changes: string[] = [];
  const before = new Map(previous.components.map((c) => [c.name, c.version]));
  for (const { name, version } of current.components) {
    const old = before.get(name);
    if (old === undefined) changes.push(`${name}: new, ${version}`);
    else if (old !== version) changes.push(`${name}: ${old} -> ${version}`);
    before.delete(name);
  }
  for (const name of before.keys()) changes.push(`${name}: no longer deployed`);
  const route = (plan: RolloutPlan) =>
    plan.steps.map((step) => `${step.name}: ${step.targets.map((t) => t.thingGroup).join(', ')}`);
  const [oldRoute, newRoute] = [route(previous), route(current)];
  if (oldRoute.join('\n') !== newRoute.join('\n')) {
    changes.push(`rollout order: [${oldRoute.join('; ')}] -> [${newRoute.join('; ')}]`);
  }
  return changes;
}

/** The plan as people read it before they push. */
export function formatPlan(plan: RolloutPlan, previous: RolloutPlan | undefined): string {
  const width = Math.max(...plan.components.map((c) => c.name.length));
  const lines = [
    `Rollout plan for ${plan.environment} (account ${plan.account}, ${plan.region})`,
    '',
    'Component versions:',
    ...plan.components.map((c) => `  ${c.name.padEnd(width)}  ${c.version}`),
    '',
    `Order (each step bakes ${plan.bakeMinutes} min, then its gate judges the KPI alarms ${KPI_ALARMS.join(', ')} and every core device's deployment, within ${plan.gateTimeoutMinutes} min):`,
    ...plan.steps.map(
      (step, index) =>
        `  ${index + 1}. ${step.name}: ${step.targets
          .map((t) => `${t.thingGroup} (site ${t.siteId}, broker ${t.brokerUrl})`)
          .join(', ')}`,
    ),
    '',
    `KPI limits: valid share >= ${plan.kpis.minValidSharePercent} %, anomaly rate <= ${plan.kpis.maxAnomalyRatePercent} %, inference errors <= ${plan.kpis.maxInferenceErrors}, spool <= ${plan.kpis.maxSpoolRecords} records, no stalled bridge (per ${plan.kpis.periodMinutes} min)`,
    '',
  ];
  if (previous === undefined) {
    lines.push('No synthesized plan to compare with yet (run `npx cdk synth` once).');
  } else {
    const changes = planChanges(previous, plan);
    lines.push(
      changes.length === 0
        ? 'Unchanged since the last synthesized plan.'
        : 'Changes since the last synthesized plan:',
      ...changes.map((change) => `  - ${change}`),
    );
  }
  return lines.join('\n');
}
