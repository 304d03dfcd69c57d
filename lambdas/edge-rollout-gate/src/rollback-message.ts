import type { GateInput, GateTarget, GateVerdict, LastGoodRecord, TargetVerdict } from './contract';
import { componentVersions } from './last-good';

/** What happened to one target the gate rolled back, or tried to. */
export interface RollbackOutcome {
  readonly target: GateTarget;
  readonly verdict: TargetVerdict;
  /** The record redeployed (absent when the target could not be rolled back). */
  readonly lastGood?: LastGoodRecord;
  /** The rollback deployment's id (absent when the target could not be rolled back). */
  readonly rollbackDeploymentId?: string;
  readonly notRolledBackReason?: string;
}

/**
 * The notification text of a rollback: the wave's summary, then for each failing target where it
 * is (thing group), which deployment failed and why, and the versions it went back to or why it
 * could not; last, the targets left as they were.
 */
export function rollbackMessage(
  input: GateInput,
  verdict: GateVerdict,
  outcomes: readonly RollbackOutcome[],
): string {
  const rolledBack = outcomes.filter((outcome) => outcome.rollbackDeploymentId !== undefined);
  const lines = [
    `Edge rollout gate: wave ${input.wave} failed; ${rolledBack.length} of ${outcomes.length} failing targets rolled back.`,
    verdict.summary,
  ];
  for (const outcome of outcomes) lines.push('', ...targetLines(outcome));
  const untouched = verdict.targets.filter(
    (target) => !outcomes.some((outcome) => outcome.target.name === target.name),
  );
  if (untouched.length > 0) {
    lines.push(
      '',
      `Left as they are: ${untouched.map((target) => `${target.name} (${target.decision})`).join(', ')}`,
    );
  }
  return lines.join('\n');
}

function targetLines({
  target,
  verdict,
  lastGood,
  rollbackDeploymentId,
  notRolledBackReason,
}: RollbackOutcome): string[] {
  const failed = verdict.deploymentId ? `deployment ${verdict.deploymentId}` : 'no deployment';
  const lines = [`${target.name} (${target.thingGroupArn}), ${failed}:`];
  lines.push(...verdict.reasons.map((reason) => `  - ${reason}`));
  if (lastGood !== undefined && rollbackDeploymentId !== undefined) {
    const versions = Object.entries(componentVersions(lastGood.components))
      .map(([name, version]) => `${name} ${version}`)
      .join(', ');
    const from = lastGood.deploymentName
      ? `"${lastGood.deploymentName}" (${lastGood.deploymentId})`
      : lastGood.deploymentId;
    lines.push(`  rolled back to ${from} by deployment ${rollbackDeploymentId}: ${versions}`);
  } else {
    lines.push(`  NOT rolled back: ${notRolledBackReason ?? 'unknown reason'}`);
  }
  return lines;
}
