import { GetDeploymentCommand, GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import type { GateVerdict } from '../src/contract';
import { createRecordLastGoodHandler } from '../src/record-last-good';
import { CANARY, FakeFleet, gateInput, greengrass, ZWICKAU } from './fake-fleet';
import { FakeParameterStore, ssm } from './fake-parameter-store';
import { NEW_VERSIONS, newRelease } from './releases';

const RECORDED_AT = new Date('2025-12-04T10:42:00.000Z');

function recordLastGood() {
  return createRecordLastGoodHandler({
    greengrass: new GreengrassV2Client({ region: 'eu-central-1' }),
    ssm: new SSMClient({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'edge-rollout-gate-test', logLevel: 'SILENT' }),
    now: () => RECORDED_AT,
  });
}

const PROMOTED: GateVerdict = {
  decision: 'PROMOTE',
  targets: [
    { name: 'canary', decision: 'PROMOTE', deploymentId: 'd-ca-2', reasons: [] },
    { name: 'zwickau', decision: 'PROMOTE', deploymentId: 'd-zw-2', reasons: [] },
  ],
  summary: 'wave wave-1: PROMOTE: every target healthy (canary, zwickau)',
};

let fleet: FakeFleet;
let parameters: FakeParameterStore;
beforeEach(() => {
  fleet = new FakeFleet();
  parameters = new FakeParameterStore();
  fleet
    .deploy(CANARY, 'd-ca-2', newRelease('canary'))
    .deploy(ZWICKAU, 'd-zw-2', newRelease('zwickau'));
});

describe('recordLastGood', () => {
  it('writes each promoted deployment (components, policies, IoT job configuration) to its target’s last-good parameter', async () => {
    const result = await recordLastGood()({ input: gateInput(CANARY, ZWICKAU), verdict: PROMOTED });

    expect(greengrass.commandCalls(GetDeploymentCommand).map((call) => call.args[0].input)).toEqual(
      [{ deploymentId: 'd-ca-2' }, { deploymentId: 'd-zw-2' }],
    );
    const puts = ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input);
    expect(puts.map(({ Value, ...rest }) => ({ ...rest, Value: JSON.parse(Value ?? '') }))).toEqual(
      [
        {
          Name: '/uns-mlops/dev/edge/last-good/canary',
          Type: 'String',
          Tier: 'Intelligent-Tiering',
          Overwrite: true,
          Value: {
            deploymentId: 'd-ca-2',
            ...newRelease('canary'),
            recordedAt: '2025-12-04T10:42:00.000Z',
          },
        },
        {
          Name: '/uns-mlops/dev/edge/last-good/zwickau',
          Type: 'String',
          Tier: 'Intelligent-Tiering',
          Overwrite: true,
          Value: {
            deploymentId: 'd-zw-2',
            ...newRelease('zwickau'),
            recordedAt: '2025-12-04T10:42:00.000Z',
          },
        },
      ],
    );
    expect(result).toEqual({
      recorded: [
        { name: 'canary', deploymentId: 'd-ca-2', components: NEW_VERSIONS },
        { name: 'zwickau', deploymentId: 'd-zw-2', components: NEW_VERSIONS },
      ],
    });
  });

  it('refuses to record a target that was not promoted, writing nothing for it', async () => {
    const verdict: GateVerdict = {
      ...PROMOTED,
      targets: [
        { name: 'canary', decision: 'PROMOTE', deploymentId: 'd-ca-2', reasons: [] },
        {
          name: 'zwickau',
          decision: 'WAIT',
          deploymentId: 'd-zw-2',
          reasons: ['alarm x does not exist'],
        },
      ],
    };

    await expect(recordLastGood()({ input: gateInput(CANARY, ZWICKAU), verdict })).rejects.toThrow(
      'recordLastGood: target zwickau has no PROMOTE verdict with a deployment id (verdict: WAIT)',
    );
    expect(parameters.values.has(ZWICKAU.lastGoodParameter)).toBe(false);
  });
});
