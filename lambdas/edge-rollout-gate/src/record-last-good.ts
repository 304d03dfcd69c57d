import { GetDeploymentCommand, type GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { RecordLastGoodResult, RecordedTarget, VerdictEvent } from './contract';
import { componentVersions, toLastGoodRecord } from './last-good';

/** Dependencies of {@link createRecordLastGoodHandler}; tests pass their own clients and clock. */
export interface RecordLastGoodDependencies {
  readonly greengrass: GreengrassV2Client;
  readonly ssm: SSMClient;
  readonly logger: Logger;
  /** @default () => new Date() - the wall clock (for `recordedAt`). */
  readonly now?: () => Date;
}

/**
 * The `recordLastGood` handler, run after a PROMOTE: for each target, reads the promoted
 * deployment (components with their configuration, policies, IoT job configuration) and
 * overwrites the target's last-good SSM parameter with it, for a later rollback.
 *
 * @throws Error when a target's verdict is not PROMOTE with a deployment id (nothing unproven is
 *   ever recorded as good), or an AWS call fails (Step Functions retries).
 */
export function createRecordLastGoodHandler(
  deps: RecordLastGoodDependencies,
): (event: VerdictEvent) => Promise<RecordLastGoodResult> {
  const now = deps.now ?? (() => new Date());
  return async ({ input, verdict }) => {
    const recorded: RecordedTarget[] = [];
    for (const target of input.targets) {
      const targetVerdict = verdict.targets.find((candidate) => candidate.name === target.name);
      const deploymentId = targetVerdict?.deploymentId;
      if (targetVerdict?.decision !== 'PROMOTE' || deploymentId === undefined) {
        throw new Error(
          `recordLastGood: target ${target.name} has no PROMOTE verdict with a deployment id (verdict: ${targetVerdict?.decision ?? 'none'})`,
        );
      }
      const deployment = await deps.greengrass.send(new GetDeploymentCommand({ deploymentId }));
      const record = toLastGoodRecord(deploymentId, deployment, now());
      await deps.ssm.send(
        new PutParameterCommand({
          Name: target.lastGoodParameter,
          Type: 'String',
          Tier: 'Intelligent-Tiering',
          Overwrite: true,
          Value: JSON.stringify(record),
        }),
      );
      const components = componentVersions(record.components);
      deps.logger.info('Recorded last good deployment', {
        wave: input.wave,
        target: target.name,
        deploymentId,
        parameter: target.lastGoodParameter,
        components,
      });
      recorded.push({ name: target.name, deploymentId, components });
    }
    return { recorded };
  };
}
