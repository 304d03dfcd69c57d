import { createHash } from 'node:crypto';
import { CreateDeploymentCommand, type GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  GateTarget,
  LastGoodRecord,
  RollbackResult,
  TargetVerdict,
  VerdictEvent,
} from './contract';
import { componentVersions, InvalidLastGoodRecord, parseLastGoodRecord } from './last-good';
import { rollbackMessage, type RollbackOutcome } from './rollback-message';

/** Dependencies of {@link createRollbackHandler}; tests pass their own clients. */
export interface RollbackDependencies {
  readonly greengrass: GreengrassV2Client;
  readonly ssm: SSMClient;
  readonly logger: Logger;
}

/**
 * The `rollback` handler, run after a ROLLBACK: each target whose own verdict is ROLLBACK gets a
 * new deployment of exactly its last good components, with the recorded deployment and IoT job
 * policies. A target without a usable last-good record is reported, and the others still roll
 * back. The result carries the notification text.
 *
 * @throws Error when an AWS call fails (Step Functions retries the task; the deployments are
 *   created with a client token, so a retry does not deploy twice).
 */
export function createRollbackHandler(
  deps: RollbackDependencies,
): (event: VerdictEvent) => Promise<RollbackResult> {
  return async ({ input, verdict }) => {
    const outcomes: RollbackOutcome[] = [];
    for (const target of input.targets) {
      const targetVerdict = verdict.targets.find((candidate) => candidate.name === target.name);
      if (targetVerdict?.decision !== 'ROLLBACK') continue;
      const outcome = await rollBack(deps, target, targetVerdict);
      deps.logger.info('Rollback of target', {
        wave: input.wave,
        target: target.name,
        rollbackDeploymentId: outcome.rollbackDeploymentId,
        lastGoodDeploymentId: outcome.lastGood?.deploymentId,
        notRolledBackReason: outcome.notRolledBackReason,
      });
      outcomes.push(outcome);
    }
    return {
      rolledBack: outcomes.flatMap(({ target, lastGood, rollbackDeploymentId }) =>
        lastGood === undefined || rollbackDeploymentId === undefined
          ? []
          : [
              {
                name: target.name,
                deploymentId: rollbackDeploymentId,
                components: componentVersions(lastGood.components),
              },
            ],
      ),
      notRolledBack: outcomes.flatMap(({ target, notRolledBackReason }) =>
        notRolledBackReason === undefined
          ? []
          : [{ name: target.name, reason: notRolledBackReason }],
      ),
      message: rollbackMessage(input, verdict, outcomes),
    };
  };
}

async function rollBack(
  deps: RollbackDependencies,
  target: GateTarget,
  verdict: TargetVerdict,
): Promise<RollbackOutcome> {
  const parameter = await readParameter(deps.ssm, target.lastGoodParameter);
  if (parameter === undefined) {
    return {
      target,
      verdict,
      notRolledBackReason: `no last good versions recorded for ${target.name} (first rollout?)`,
    };
  }
  let lastGood: LastGoodRecord;
  try {
    lastGood = parseLastGoodRecord(parameter);
  } catch (error) {
    if (!(error instanceof InvalidLastGoodRecord)) throw error;
    return {
      target,
      verdict,
      notRolledBackReason: `last good record ${target.lastGoodParameter} of ${target.name} is unusable: ${error.reason}`,
    };
  }
  const response = await deps.greengrass.send(
    new CreateDeploymentCommand({
      targetArn: target.thingGroupArn,
      deploymentName: `${target.name} rollback to ${lastGood.deploymentName ?? lastGood.deploymentId}`,
      components: lastGood.components,
      deploymentPolicies: lastGood.deploymentPolicies,
      iotJobConfiguration: lastGood.iotJobConfiguration,
      clientToken: clientToken(target.thingGroupArn, verdict.deploymentId, lastGood.deploymentId),
    }),
  );
  if (response.deploymentId === undefined) {
    throw new Error(`rollback: CreateDeployment for ${target.name} returned no deploymentId`);
  }
  return { target, verdict, lastGood, rollbackDeploymentId: response.deploymentId };
}

/** The parameter's value, or undefined when the parameter does not exist. */
async function readParameter(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const response = await ssm.send(new GetParameterCommand({ Name: name }));
    return response.Parameter?.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}

/**
 * The same token for the same rollback (target, failed deployment, last good deployment), so a
 * retried task gets Greengrass's cached response instead of a second deployment; a later rollout
 * fails a different deployment and gets a new token.
 */
function clientToken(
  thingGroupArn: string,
  failedDeploymentId: string | undefined,
  lastGoodDeploymentId: string,
): string {
  return createHash('sha256')
    .update([thingGroupArn, failedDeploymentId ?? 'no-deployment', lastGoodDeploymentId].join('\n'))
    .digest('hex');
}
