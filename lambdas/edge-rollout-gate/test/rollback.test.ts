import {
  CreateDeploymentCommand,
  GreengrassV2Client,
  GreengrassV2ServiceException,
} from '@aws-sdk/client-greengrassv2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import type { GateVerdict, LastGoodRecord } from '../src/contract';
import { createRollbackHandler } from '../src/rollback';
import { CANARY, FakeFleet, gateInput, greengrass, target, ZWICKAU } from './fake-fleet';
import { FakeParameterStore, ssm } from './fake-parameter-store';
import { PREVIOUS_VERSIONS, previousRelease } from './releases';

function rollback() {
  return createRollbackHandler({
    greengrass: new GreengrassV2Client({ region: 'eu-central-1' }),
    ssm: new SSMClient({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'edge-rollout-gate-test', logLevel: 'SILENT' }),
  });
}

/** What recordLastGood kept for a site after its wave-0 deployment `deploymentId`. */
function lastGood(site: string, deploymentId: string): LastGoodRecord {
  const { components = {}, ...rest } = previousRelease(site);
  return { deploymentId, ...rest, components, recordedAt: '2025-12-01T09:00:00.000Z' };
}

const ZWICKAU_FAILED: GateVerdict = {
  decision: 'ROLLBACK',
  targets: [
    {
      name: 'canary',
      decision: 'PROMOTE',
      deploymentId: 'd-ca-2',
      reasons: ['core device gg-canary-1: deployment d-ca-2 SUCCEEDED'],
    },
    {
      name: 'zwickau',
      decision: 'ROLLBACK',
      deploymentId: 'd-zw-2',
      reasons: [
        'core device gg-zwickau-1: deployment d-zw-2 FAILED: com.acme.AnomalyInference BROKEN',
        'alarm uns-mlops-dev-zwickau-valid-share is in ALARM: valid share 91 % < 98 %',
      ],
    },
  ],
  summary:
    'wave wave-1: ROLLBACK: zwickau: core device gg-zwickau-1: deployment d-zw-2 FAILED: com.acme.AnomalyInference BROKEN (+1 more)',
};

let fleet: FakeFleet;
let parameters: FakeParameterStore;
beforeEach(() => {
  fleet = new FakeFleet();
  parameters = new FakeParameterStore();
  parameters.values.set(ZWICKAU.lastGoodParameter, JSON.stringify(lastGood('zwickau', 'd-zw-1')));
  parameters.values.set(CANARY.lastGoodParameter, JSON.stringify(lastGood('canary', 'd-ca-1')));
});

describe('rollback', () => {
  it('deploys exactly the last good components, with the recorded policies, to the failing target’s thing group', async () => {
    const result = await rollback()({ input: gateInput(CANARY, ZWICKAU), verdict: ZWICKAU_FAILED });

    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([
      { Name: '/uns-mlops/dev/edge/last-good/zwickau' },
    ]);
    const previous = previousRelease('zwickau');
    expect(
      greengrass.commandCalls(CreateDeploymentCommand).map((call) => call.args[0].input),
    ).toEqual([
      {
        targetArn: ZWICKAU.thingGroupArn,
        deploymentName: 'zwickau rollback to zwickau wave-0',
        components: previous.components,
        deploymentPolicies: previous.deploymentPolicies,
        iotJobConfiguration: previous.iotJobConfiguration,
        clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(fleet.latestDeploymentOf(ZWICKAU)).toBe('d-rollback-1');
    expect(result.rolledBack).toEqual([
      { name: 'zwickau', deploymentId: 'd-rollback-1', components: PREVIOUS_VERSIONS },
    ]);
    expect(result.notRolledBack).toEqual([]);
  });

  it('writes a notification saying what failed, where, why, and which versions each target went back to', async () => {
    const { message } = await rollback()({
      input: gateInput(CANARY, ZWICKAU),
      verdict: ZWICKAU_FAILED,
    });

    expect(message).toBe(
      [
        'Edge rollout gate: wave wave-1 failed; 1 of 1 failing targets rolled back.',
        ZWICKAU_FAILED.summary,
        '',
        `zwickau (${ZWICKAU.thingGroupArn}), deployment d-zw-2:`,
        '  - core device gg-zwickau-1: deployment d-zw-2 FAILED: com.acme.AnomalyInference BROKEN',
        '  - alarm uns-mlops-dev-zwickau-valid-share is in ALARM: valid share 91 % < 98 %',
        '  rolled back to "zwickau wave-0" (d-zw-1) by deployment d-rollback-1: com.acme.UnsValidator 1.4.0, com.acme.AnomalyInference 2.1.0, com.acme.AnomalyModel 7.0.0',
        '',
        'Left as they are: canary (PROMOTE)',
      ].join('\n'),
    );
  });

  it('reports a target without a last-good record (first rollout) and still rolls back the others', async () => {
    const leipzig = target('leipzig');
    const verdict: GateVerdict = {
      decision: 'ROLLBACK',
      targets: [
        {
          name: 'leipzig',
          decision: 'ROLLBACK',
          deploymentId: 'd-le-1',
          reasons: ['alarm a is in ALARM'],
        },
        {
          name: 'zwickau',
          decision: 'ROLLBACK',
          deploymentId: 'd-zw-2',
          reasons: ['alarm b is in ALARM'],
        },
      ],
      summary: 'wave wave-1: ROLLBACK: leipzig: alarm a is in ALARM; zwickau: alarm b is in ALARM',
    };

    const result = await rollback()({ input: gateInput(leipzig, ZWICKAU), verdict });

    expect(result.notRolledBack).toEqual([
      { name: 'leipzig', reason: 'no last good versions recorded for leipzig (first rollout?)' },
    ]);
    expect(result.rolledBack.map((rolledBack) => rolledBack.name)).toEqual(['zwickau']);
    expect(
      greengrass.commandCalls(CreateDeploymentCommand).map((call) => call.args[0].input.targetArn),
    ).toEqual([ZWICKAU.thingGroupArn]);
    expect(result.message).toContain(
      '  NOT rolled back: no last good versions recorded for leipzig (first rollout?)',
    );
    expect(result.message.split('\n')[0]).toBe(
      'Edge rollout gate: wave wave-1 failed; 1 of 2 failing targets rolled back.',
    );
  });

  it('does not deploy a last-good record it cannot read, and says why', async () => {
    parameters.values.set(ZWICKAU.lastGoodParameter, '{"deploymentId":"d-zw-1","components":{}}');

    const result = await rollback()({ input: gateInput(CANARY, ZWICKAU), verdict: ZWICKAU_FAILED });

    expect(result.notRolledBack).toEqual([
      {
        name: 'zwickau',
        reason:
          'last good record /uns-mlops/dev/edge/last-good/zwickau of zwickau is unusable: components must map each component name to a componentVersion',
      },
    ]);
    expect(greengrass.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('names the rollback after the last good deployment id when the record has no name', async () => {
    const unnamed = { ...lastGood('zwickau', 'd-zw-1'), deploymentName: undefined };
    parameters.values.set(ZWICKAU.lastGoodParameter, JSON.stringify(unnamed));

    await rollback()({ input: gateInput(CANARY, ZWICKAU), verdict: ZWICKAU_FAILED });

    expect(greengrass.commandCalls(CreateDeploymentCommand)[0]?.args[0].input.deploymentName).toBe(
      'zwickau rollback to d-zw-1',
    );
  });

  it('sends the same client token when the task is retried, and a new one for another failed deployment', async () => {
    await rollback()({ input: gateInput(CANARY, ZWICKAU), verdict: ZWICKAU_FAILED });
    await rollback()({ input: gateInput(CANARY, ZWICKAU), verdict: ZWICKAU_FAILED });
    const laterWave = structuredClone(ZWICKAU_FAILED);
    laterWave.targets[1]!.deploymentId = 'd-zw-3';
    await rollback()({ input: gateInput(CANARY, ZWICKAU), verdict: laterWave });

    const tokens = greengrass
      .commandCalls(CreateDeploymentCommand)
      .map((call) => call.args[0].input.clientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('lets AWS errors (throttling) fail the task, for Step Functions to retry', async () => {
    greengrass.on(CreateDeploymentCommand).rejects(
      new GreengrassV2ServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 429 },
        message: 'Rate exceeded',
      }),
    );

    await expect(
      rollback()({ input: gateInput(CANARY, ZWICKAU), verdict: ZWICKAU_FAILED }),
    ).rejects.toThrow('Rate exceeded');
  });
});
