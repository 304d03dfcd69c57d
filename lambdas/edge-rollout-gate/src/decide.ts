import type { Decision, GateVerdict, TargetVerdict } from './contract';

/**
 * What one check found about a target:
 * - `failing`: the rollout broke something (rolls back at once);
 * - `pending`: not finished yet (waits until the timeout);
 * - `missing`: evidence the gate needs is absent (waits until the timeout);
 * - `ok`: healthy.
 */
export type FindingKind = 'ok' | 'pending' | 'missing' | 'failing';

/** One observation about a target, with a sentence an operator can act on. */
export interface Finding {
  readonly kind: FindingKind;
  readonly reason: string;
}

/** When the evaluation happens, relative to the execution's start and its timeout. */
export interface GateClock {
  readonly now: Date;
  readonly startedAt: Date;
  readonly timeoutSeconds: number;
}

/**
 * Decides one target: any failing finding rolls back; else anything pending or missing waits
 * until `startedAt + timeoutSeconds` and rolls back from then on, saying what was still
 * pending or missing; else the target is promoted.
 */
export function decideTarget(
  name: string,
  deploymentId: string | undefined,
  findings: readonly Finding[],
  clock: GateClock,
): TargetVerdict {
  const reasonsOf = (...kinds: FindingKind[]) =>
    findings.filter((finding) => kinds.includes(finding.kind)).map((finding) => finding.reason);
  const verdict = (decision: Decision, reasons: string[]): TargetVerdict =>
    deploymentId === undefined
      ? { name, decision, reasons }
      : { name, decision, deploymentId, reasons };

  const failing = reasonsOf('failing');
  if (failing.length > 0) return verdict('ROLLBACK', failing);

  const unsettled = findings.filter(
    (finding) => finding.kind === 'pending' || finding.kind === 'missing',
  );
  if (unsettled.length === 0) return verdict('PROMOTE', reasonsOf('ok'));

  const deadline = clock.startedAt.getTime() + clock.timeoutSeconds * 1000;
  if (clock.now.getTime() < deadline) {
    return verdict(
      'WAIT',
      unsettled.map((finding) => finding.reason),
    );
  }
  return verdict(
    'ROLLBACK',
    unsettled.map(
      (finding) =>
        `still ${finding.kind} at the timeout (${clock.timeoutSeconds} s after the start): ${finding.reason}`,
    ),
  );
}

/**
 * Decides the wave from its targets' verdicts: any ROLLBACK rolls the wave back, else any WAIT
 * waits, else the wave is promoted. The summary names the wave and, unless it is promoted, each
 * target holding it back with its first reason.
 */
export function decideWave(wave: string, targets: TargetVerdict[]): GateVerdict {
  const decision: Decision = targets.some((target) => target.decision === 'ROLLBACK')
    ? 'ROLLBACK'
    : targets.some((target) => target.decision === 'WAIT')
      ? 'WAIT'
      : 'PROMOTE';
  return { decision, targets, summary: summarize(wave, decision, targets) };
}

function summarize(wave: string, decision: Decision, targets: readonly TargetVerdict[]): string {
  if (decision === 'PROMOTE') {
    const names = targets.map((target) => target.name).join(', ');
    return `wave ${wave}: PROMOTE: every target healthy (${names})`;
  }
  const holdingBack = targets
    .filter((target) => target.decision === decision)
    .map((target) => {
      const [first = 'no reason given', ...more] = target.reasons;
      return more.length > 0
        ? `${target.name}: ${first} (+${more.length} more)`
        : `${target.name}: ${first}`;
    });
  return `wave ${wave}: ${decision}: ${holdingBack.join('; ')}`;
}
