/**
 * deploy against a stubbed Greengrass: each thing group's current deployment revised with only
 * the model components changed, everything else (other components and their configuration,
 * policies, IoT job settings, tags) as it was.
 */
import {
  type ComponentDeploymentSpecification,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  type GetDeploymentResponse,
  GreengrassV2Client,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import type { DeployTarget } from '../src/contract';
import { createDeployHandler, reviseComponents } from '../src/deploy';

const greengrass = mockClient(GreengrassV2Client);

const NAMES = {
  serving: 'io.unsmlops.WeldSeamAnomalyModel',
  candidate: 'io.unsmlops.WeldSeamAnomalyModelCandidate',
};
const GROUPS = 'arn:aws:iot:eu-central-1:111111111111:thinggroup';
const CANARY: DeployTarget = { name: 'canary', thingGroupArn: `${GROUPS}/uns-mlops-dev-canary` };
const ZWICKAU: DeployTarget = {
  name: 'zwickau',
  thingGroupArn: `${GROUPS}/uns-mlops-dev-zwickau`,
};
const NOW = new Date('2026-12-05T09:00:00.000Z');

/** What the delivery pipeline deployed to a plant: the four components, plant configuration. */
const PIPELINE_COMPONENTS: Record<string, ComponentDeploymentSpecification> = {
  'io.unsmlops.UnsValidator': {
    componentVersion: '1.0.5',
    configurationUpdate: { merge: '{"settings":{"broker":{"url":"mqtt://localhost:1883"}}}' },
  },
  'io.unsmlops.AnomalyInference': {
    componentVersion: '1.0.6',
    configurationUpdate: { merge: '{"settings":{"uns":{"site":"zwickau"}}}' },
    runWith: { posixUser: 'ggc_user' },
  },
  'io.unsmlops.UnsKafkaBridge': {
    componentVersion: '1.0.4',
    configurationUpdate: { merge: '{"settings":{"kafka":{"brokers":["b-1:9098"]}}}' },
  },
  [NAMES.serving]: { componentVersion: '1.0.5' },
};

/** The current deployment of a group, as GetDeployment returns it. */
function currentDeployment(
  target: DeployTarget,
  components: Record<string, ComponentDeploymentSpecification>,
): GetDeploymentResponse {
  return {
    targetArn: target.thingGroupArn,
    deploymentId: `d-${target.name}-1`,
    deploymentName: `uns-mlops-dev-${target.name}`,
    components,
    deploymentPolicies: {
      failureHandlingPolicy: 'ROLLBACK',
      componentUpdatePolicy: { action: 'NOTIFY_COMPONENTS', timeoutInSeconds: 120 },
    },
    iotJobConfiguration: { timeoutConfig: { inProgressTimeoutInMinutes: 30 } },
    tags: { environment: 'dev' },
  };
}

/** The fleet: each group's latest deployment. */
function fleet(...deployments: GetDeploymentResponse[]): void {
  greengrass.on(ListDeploymentsCommand).callsFake(({ targetArn }: { targetArn: string }) => {
    const latest = deployments.find((deployment) => deployment.targetArn === targetArn);
    return { deployments: latest === undefined ? [] : [{ deploymentId: latest.deploymentId }] };
  });
  greengrass
    .on(GetDeploymentCommand)
    .callsFake(({ deploymentId }: { deploymentId: string }) =>
      deployments.find((deployment) => deployment.deploymentId === deploymentId),
    );
  greengrass.on(CreateDeploymentCommand).callsFake(({ targetArn }: { targetArn: string }) => ({
    deploymentId: `d-${targetArn.split('-').at(-1)}-2`,
  }));
}

function deploy() {
  return createDeployHandler({
    greengrass: new GreengrassV2Client({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'model-rollout-test', logLevel: 'SILENT' }),
    components: NAMES,
    now: () => NOW,
  });
}

const created = () =>
  greengrass.commandCalls(CreateDeploymentCommand).map((call) => call.args[0].input);

beforeEach(() => greengrass.reset());

describe('reviseComponents', () => {
  const others = Object.fromEntries(
    Object.entries(PIPELINE_COMPONENTS).filter(([name]) => name !== NAMES.serving),
  );

  it('adds the candidate beside the serving model for a shadow trial', () => {
    expect(reviseComponents(PIPELINE_COMPONENTS, 'shadow', '1.7.0', NAMES)).toEqual({
      ...PIPELINE_COMPONENTS,
      [NAMES.candidate]: { componentVersion: '1.7.0' },
    });
  });

  it('promotes: the model at the new version with its settings, the candidate gone', () => {
    const withCandidate = {
      ...PIPELINE_COMPONENTS,
      [NAMES.serving]: { componentVersion: '1.0.5', runWith: { posixUser: 'ggc_user' } },
      [NAMES.candidate]: { componentVersion: '1.7.0' },
    };
    expect(reviseComponents(withCandidate, 'promote', '1.7.0', NAMES)).toEqual({
      ...others,
      [NAMES.serving]: { componentVersion: '1.7.0', runWith: { posixUser: 'ggc_user' } },
    });
  });

  it('removes the candidate and nothing else', () => {
    const withCandidate = {
      ...PIPELINE_COMPONENTS,
      [NAMES.candidate]: { componentVersion: '1.7.0' },
    };
    expect(reviseComponents(withCandidate, 'removeShadow', '1.7.0', NAMES)).toEqual(
      PIPELINE_COMPONENTS,
    );
  });

  it('refuses a deployment that runs no model', () => {
    expect(() => reviseComponents(others, 'shadow', '1.7.0', NAMES)).toThrow(
      'the deployment runs no io.unsmlops.WeldSeamAnomalyModel, so no model to change beside it',
    );
  });
});

describe('deploy', () => {
  it("revises the group's latest deployment, keeping every other component and setting", async () => {
    fleet(currentDeployment(CANARY, PIPELINE_COMPONENTS));
    const result = await deploy()({
      change: 'shadow',
      componentVersion: '1.7.0',
      targets: [CANARY],
    });

    expect(greengrass.commandCalls(ListDeploymentsCommand)[0]!.args[0].input).toEqual({
      targetArn: CANARY.thingGroupArn,
      historyFilter: 'LATEST_ONLY',
    });
    const [revision] = created();
    expect(revision).toEqual({
      targetArn: CANARY.thingGroupArn,
      deploymentName: 'uns-mlops-dev-canary: model 1.7.0 in shadow',
      components: { ...PIPELINE_COMPONENTS, [NAMES.candidate]: { componentVersion: '1.7.0' } },
      deploymentPolicies: currentDeployment(CANARY, {}).deploymentPolicies,
      iotJobConfiguration: currentDeployment(CANARY, {}).iotJobConfiguration,
      tags: { environment: 'dev' },
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(result).toEqual({
      since: NOW.toISOString(),
      deployments: [
        {
          target: 'canary',
          deploymentId: 'd-canary-2',
          revisedDeploymentId: 'd-canary-1',
          components: {
            'io.unsmlops.UnsValidator': '1.0.5',
            'io.unsmlops.AnomalyInference': '1.0.6',
            'io.unsmlops.UnsKafkaBridge': '1.0.4',
            [NAMES.serving]: '1.0.5',
            [NAMES.candidate]: '1.7.0',
          },
        },
      ],
    });
  });

  it('promotes on every target of a wave, naming each after its group, not after the last change', async () => {
    fleet(
      {
        ...currentDeployment(CANARY, {
          ...PIPELINE_COMPONENTS,
          [NAMES.candidate]: { componentVersion: '1.7.0' },
        }),
        deploymentName: 'uns-mlops-dev-canary: model 1.7.0 in shadow',
      },
      currentDeployment(ZWICKAU, PIPELINE_COMPONENTS),
    );
    await deploy()({ change: 'promote', componentVersion: '1.7.0', targets: [CANARY, ZWICKAU] });

    expect(
      created().map(({ deploymentName, components }) => ({
        deploymentName,
        model: components?.[NAMES.serving],
        candidate: components?.[NAMES.candidate],
      })),
    ).toEqual([
      {
        deploymentName: 'uns-mlops-dev-canary: model 1.7.0 serving',
        model: { componentVersion: '1.7.0' },
        candidate: undefined,
      },
      {
        deploymentName: 'uns-mlops-dev-zwickau: model 1.7.0 serving',
        model: { componentVersion: '1.7.0' },
        candidate: undefined,
      },
    ]);
  });

  it('deploys nothing twice when a task is retried: the same revision has the same client token', async () => {
    fleet(currentDeployment(CANARY, PIPELINE_COMPONENTS));
    const event = { change: 'shadow' as const, componentVersion: '1.7.0', targets: [CANARY] };
    await deploy()(event);
    await deploy()(event);
    await deploy()({ ...event, change: 'promote' });
    const [first, retried, other] = created().map((input) => input.clientToken);
    expect(retried).toBe(first);
    expect(other).not.toBe(first);
  });

  it('refuses a group that has no deployment yet', async () => {
    fleet();
    await expect(
      deploy()({ change: 'shadow', componentVersion: '1.7.0', targets: [CANARY] }),
    ).rejects.toThrow(
      `canary (${CANARY.thingGroupArn}) has no deployment to revise: deploy the edge components through the delivery pipeline first`,
    );
  });
});
