import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import type { Logger } from '@aws-lambda-powertools/logger';
import { checkAlarms } from './alarm-health';
import type { EvaluateEvent, GateVerdict, TargetVerdict } from './contract';
import { decideTarget, decideWave, type GateClock } from './decide';
import { checkDeployment } from './deployment-health';

/** Dependencies of {@link createEvaluateHandler}; tests pass their own clients and clock. */
export interface EvaluateDependencies {
  readonly greengrass: GreengrassV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly logger: Logger;
  /** @default () => new Date() - the wall clock. */
  readonly now?: () => Date;
}

/**
 * The `evaluate` handler: judges every target of the wave (its latest Greengrass deployment on
 * each core device, the core devices' health, its KPI alarms) and returns PROMOTE, WAIT or
 * ROLLBACK for the wave, with each target's verdict and reasons.
 *
 * @throws Error when `startedAt` is not a date, or an AWS call fails (Step Functions retries).
 */
export function createEvaluateHandler(
  deps: EvaluateDependencies,
): (event: EvaluateEvent) => Promise<GateVerdict> {
  const now = deps.now ?? (() => new Date());
  return async ({ input, startedAt }) => {
    const clock: GateClock = {
      now: now(),
      startedAt: new Date(startedAt),
      timeoutSeconds: input.timeoutSeconds,
    };
    if (Number.isNaN(clock.startedAt.getTime())) {
      throw new Error(`evaluate: startedAt ${JSON.stringify(startedAt)} is not an ISO date-time`);
    }
    const targets: TargetVerdict[] = [];
    for (const target of input.targets) {
      const deployment = await checkDeployment(deps.greengrass, target);
      const alarms = await checkAlarms(deps.cloudwatch, target.kpiAlarmNames);
      const verdict = decideTarget(
        target.name,
        deployment.deploymentId,
        [...deployment.findings, ...alarms],
        clock,
      );
      deps.logger.info('Target evaluated', { wave: input.wave, ...verdict });
      targets.push(verdict);
    }
    const verdict = decideWave(input.wave, targets);
    deps.logger.info('Wave evaluated', {
      wave: input.wave,
      decision: verdict.decision,
      summary: verdict.summary,
    });
    return verdict;
  };
}
