import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateDeploymentCommand, GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { createEvaluateHandler } from '../src/evaluate';
import { createRecordLastGoodHandler } from '../src/record-last-good';
import { createRollbackHandler } from '../src/rollback';
import {
  BEFORE_TIMEOUT,
  CANARY,
  FakeFleet,
  gateInput,
  greengrass,
  STARTED_AT,
  ZWICKAU,
} from './fake-fleet';
import { FakeParameterStore } from './fake-parameter-store';
import { NEW_VERSIONS, newRelease, PREVIOUS_VERSIONS, previousRelease } from './releases';

/** The three handlers as the state machine runs them, on the fake fleet and parameter store. */
function gate() {
  const clients = {
    greengrass: new GreengrassV2Client({ region: 'eu-central-1' }),
    cloudwatch: new CloudWatchClient({ region: 'eu-central-1' }),
    ssm: new SSMClient({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'edge-rollout-gate-test', logLevel: 'SILENT' }),
    now: () => BEFORE_TIMEOUT,
  };
  return {
    evaluate: createEvaluateHandler(clients),
    recordLastGood: createRecordLastGoodHandler(clients),
    rollback: createRollbackHandler(clients),
  };
}

let fleet: FakeFleet;
let parameters: FakeParameterStore;
beforeEach(() => {
  fleet = new FakeFleet();
  parameters = new FakeParameterStore();
});

describe('the gate, evaluate → recordLastGood or rollback', () => {
  it('promotes a healthy wave and records its versions as each target’s last good ones', async () => {
    fleet.healthy(CANARY, 'd-ca-1', newRelease('canary'));
    fleet.healthy(ZWICKAU, 'd-zw-1', newRelease('zwickau'));
    const { evaluate, recordLastGood } = gate();
    const input = gateInput(CANARY, ZWICKAU);

    const verdict = await evaluate({ input, startedAt: STARTED_AT });
    const { recorded } = await recordLastGood({ input, verdict });

    expect(verdict.decision).toBe('PROMOTE');
    expect(recorded).toEqual([
      { name: 'canary', deploymentId: 'd-ca-1', components: NEW_VERSIONS },
      { name: 'zwickau', deploymentId: 'd-zw-1', components: NEW_VERSIONS },
    ]);
    expect([...parameters.values.keys()]).toEqual([
      CANARY.lastGoodParameter,
      ZWICKAU.lastGoodParameter,
    ]);
  });

  it('rolls a mixed wave back, redeploying the previous versions to the failing target only', async () => {
    const { evaluate, recordLastGood, rollback } = gate();
    // Wave 0 went well: its versions are recorded as the last good ones.
    fleet.healthy(CANARY, 'd-ca-1', previousRelease('canary'));
    fleet.healthy(ZWICKAU, 'd-zw-1', previousRelease('zwickau'));
    const input = gateInput(CANARY, ZWICKAU);
    await recordLastGood({ input, verdict: await evaluate({ input, startedAt: STARTED_AT }) });
    // Wave 1: the canary takes the new release, Zwickau fails it.
    fleet.deploy(CANARY, 'd-ca-2', newRelease('canary'));
    fleet.reportExecution('gg-canary-1', 'd-ca-2', 'SUCCEEDED');
    fleet.deploy(ZWICKAU, 'd-zw-2', newRelease('zwickau'));
    fleet.reportExecution('gg-zwickau-1', 'd-zw-2', 'FAILED', {
      reason: 'com.acme.AnomalyInference 2.2.0 BROKEN',
    });

    const verdict = await evaluate({ input, startedAt: STARTED_AT });
    const result = await rollback({ input, verdict });

    expect(verdict.decision).toBe('ROLLBACK');
    expect(verdict.targets.map(({ name, decision }) => `${name} ${decision}`)).toEqual([
      'canary PROMOTE',
      'zwickau ROLLBACK',
    ]);
    const deployments = greengrass.commandCalls(CreateDeploymentCommand);
    expect(deployments).toHaveLength(1);
    expect(deployments[0]?.args[0].input).toMatchObject({
      targetArn: ZWICKAU.thingGroupArn,
      components: previousRelease('zwickau').components,
      deploymentPolicies: previousRelease('zwickau').deploymentPolicies,
      iotJobConfiguration: previousRelease('zwickau').iotJobConfiguration,
    });
    expect(result.rolledBack).toEqual([
      { name: 'zwickau', deploymentId: 'd-rollback-1', components: PREVIOUS_VERSIONS },
    ]);
    expect(fleet.latestDeploymentOf(CANARY)).toBe('d-ca-2');
    expect(fleet.latestDeploymentOf(ZWICKAU)).toBe('d-rollback-1');
  });
});
