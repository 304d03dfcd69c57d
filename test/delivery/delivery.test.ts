/**
 * What `cdk synth` gives for delivery, without credentials: the self-mutating pipeline with its
 * stages, approvals and gates; the published component versions; one Greengrass deployment per
 * canary group and plant with device-side rollback, abort criteria and timeouts; the core devices'
 * IAM; the KPI alarms the gates read; and no unfilled recipe placeholder anywhere.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { stackName } from '../../lib/app';
import { delivery } from '../../lib/config/delivery';
import { environments } from '../../lib/config/environments';
import { plantComponents } from '../../lib/delivery/components';
import { gateInput } from '../../lib/delivery/pipeline/gate-step';
import { readVersionLock } from '../../lib/delivery/versions';
import { rolloutSteps } from '../../lib/delivery/rollout-steps';
import { synthesizedApp, type SynthesizedApp } from '../support/assembly';
import { renderTemplateString } from '../support/templates';

const prod = environments.find((environment) => environment.name === 'prod')!;

let built: SynthesizedApp;
let pipeline: Template;

beforeAll(async () => {
  built = await synthesizedApp('prod');
  pipeline = Template.fromJSON(built.stack('UnsMlops-Delivery').template);
});

/** The Greengrass deployment stacks synthesis wrote, in the rollout's order of their targets. */
const edgeDeployments = () => {
  const deployments = built.assembly.stacks.filter((stack) =>
    /-Edge-[a-z-]+$/.test(stack.stackName),
  );
  const order = rolloutSteps(prod)
    .flatMap((step) => step.targets)
    .map((target) => stackName(prod, `Edge-${target.name}`));
  expect(deployments.map((stack) => stack.stackName).sort()).toEqual([...order].sort());
  return order.map((name) => built.stack(name));
};

/** The pipeline's stages: name and actions (name, provider, run order). */
function pipelineStages(): { name: string; actions: [string, string, number][] }[] {
  const [resource] = Object.values(pipeline.findResources('AWS::CodePipeline::Pipeline'));
  return (resource!.Properties.Stages as any[]).map((stage) => ({
    name: stage.Name,
    actions: stage.Actions.map((action: any) => [
      action.Name,
      action.ActionTypeId.Provider,
      action.RunOrder,
    ]),
  }));
}

describe('the delivery pipeline', () => {
  it('takes the source, installs PostgreSQL for the Lambda tests, checks and synthesizes, then updates itself before deploying anything', () => {
    expect(
      pipelineStages()
        .slice(0, 4)
        .map((stage) => stage.name),
    ).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets']);
    const [, build, update] = pipelineStages();
    expect(build!.actions).toEqual([['Synth', 'CodeBuild', 1]]);
    expect(update!.actions).toEqual([['SelfMutate', 'CodeBuild', 1]]);
    pipeline.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: {
        BuildSpec: Match.serializedJson(
          Match.objectLike({
            phases: {
              install: {
                commands: [
                  'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql',
                  'npm ci --no-audit --no-fund',
                ],
              },
              build: { commands: ['npm run test:cloud', 'npx cdk synth --quiet'] },
            },
            cache: { paths: ['/root/.npm/**/*', '.venv/**/*'] },
          }),
        ),
      },
      Cache: { Type: 'S3' },
    });
  });

  it('deploys each environment in the configured order, prod only after a manual approval', () => {
    const names = pipelineStages().map((stage) => stage.name);
    expect(names.slice(4)).toEqual([
      'Dev',
      'Dev-Edge-canary',
      'Dev-Edge-wave-1',
      'Prod',
      'Prod-Edge-canary',
      'Prod-Edge-wave-1',
      'Prod-Edge-wave-2',
    ]);
    const stage = (name: string) => pipelineStages().find((candidate) => candidate.name === name)!;
    expect(stage('Prod').actions[0]).toEqual(['ApproveProd', 'Manual', 1]);
    expect(
      stage('Prod')
        .actions.slice(1)
        .every(([, , order]) => order > 1),
    ).toBe(true);
    expect(stage('Dev').actions.map(([, provider]) => provider)).not.toContain('Manual');
  });

  it('gates every rollout step after its deployment, through the environment account', () => {
    for (const environment of environments) {
      for (const step of rolloutSteps(environment)) {
        const name = `${environment.name.charAt(0).toUpperCase()}${environment.name.slice(1)}-Edge-${step.name}`;
        const stage = pipelineStages().find((candidate) => candidate.name === name)!;
        const deployOrder = Math.max(
          ...stage.actions
            .filter(([, provider]) => provider === 'CloudFormation')
            .map(([, , order]) => order),
        );
        expect(stage.actions.at(-1)).toEqual([
          `Gate-${environment.name}-${step.name}`,
          'StepFunctions',
          deployOrder + 1,
        ]);
      }
    }
    pipeline.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Prod-Edge-wave-2',
          Actions: Match.arrayWith([
            Match.objectLike({
              Name: 'Gate-prod-wave-2',
              RoleArn: Match.stringLikeRegexp(
                `arn:.*:iam::${prod.account}:role/uns-mlops-prod-edge-gate-invoker`,
              ),
              Configuration: Match.objectLike({
                StateMachineArn: Match.stringLikeRegexp(
                  `:states:${prod.region}:${prod.account}:stateMachine:uns-mlops-prod-edge-gate$`,
                ),
                InputType: 'Literal',
                Input: JSON.stringify(gateInput(prod, rolloutSteps(prod)[2]!)),
              }),
            }),
          ]),
        }),
      ]),
    });
  });

  it('encrypts its artifacts with a rotated key that the environment accounts can use', () => {
    pipeline.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStore: Match.objectLike({ EncryptionKey: Match.objectLike({ Type: 'KMS' }) }),
    });
    const [key] = Object.values(
      pipeline.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } }),
    ).filter((resource) => JSON.stringify(resource).includes('deploy-role'));
    const principals = (key!.Properties.KeyPolicy.Statement as any[])
      .flatMap((statement) => [statement.Principal?.AWS ?? []].flat())
      .map(renderTemplateString);
    for (const account of new Set(environments.map((environment) => environment.account))) {
      expect(principals).toContain(
        `arn:<Ref>:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-eu-central-1`,
      );
    }
    expect(delivery.stages.map((stage) => stage.environment)).toEqual(['dev', 'prod']);
  });
});

describe('the published components', () => {
  it('are the validator, the inference runtime, the bridge and the model, at their recorded versions', () => {
    const fleet = built.template('EdgeFleet');
    const lock = readVersionLock();
    const recipes = Object.values(fleet.findResources('AWS::GreengrassV2::ComponentVersion')).map(
      (resource) => JSON.parse(renderTemplateString(resource.Properties.InlineRecipe)),
    );
    expect(recipes.map((recipe) => [recipe.ComponentName, recipe.ComponentVersion])).toEqual(
      plantComponents().map((source) => [source.name, lock[source.name]!.version]),
    );
    for (const recipe of recipes) {
      const [artifact] = recipe.Manifests[0].Artifacts;
      expect(artifact.Uri).toMatch(
        new RegExp(`^s3://<Ref>/${recipe.ComponentName}/${recipe.ComponentVersion}/[a-z-]+\\.zip$`),
      );
    }
    fleet.hasResource('AWS::GreengrassV2::ComponentVersion', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('leave no recipe placeholder unfilled in any template of the app', () => {
    const cloudAssembly = built.assembly;
    const templates = [
      ...cloudAssembly.stacks,
      ...cloudAssembly.nestedAssemblies.flatMap((nested) => nested.nestedAssembly.stacks),
    ];
    expect(templates.length).toBeGreaterThan(10);
    for (const stack of templates) {
      expect(JSON.stringify(stack.template)).not.toMatch(/\{(COMPONENT_VERSION|ARTIFACT_BUCKET)\}/);
    }
  });
});

describe('a Greengrass deployment per canary group and plant', () => {
  const deploymentOf = (target: string) =>
    Object.values(
      Template.fromJSON(
        edgeDeployments().find((stack) => stack.stackName.endsWith(`-Edge-${target}`))!.template,
      ).findResources('AWS::GreengrassV2::Deployment'),
    );

  it('targets the thing group of each rollout target', () => {
    expect(edgeDeployments().map((stack) => stack.stackName)).toEqual([
      'UnsMlops-Prod-Edge-canary',
      'UnsMlops-Prod-Edge-zwickau',
      'UnsMlops-Prod-Edge-mlada-boleslav',
    ]);
    const [canary] = deploymentOf('canary');
    expect(renderTemplateString(canary!.Properties.TargetArn)).toBe(
      `arn:aws:iot:${prod.region}:${prod.account}:thinggroup/uns-mlops-prod-canary`,
    );
  });

  it('rolls a failing device back, times out, and aborts the rollout when devices fail', () => {
    const [deployment] = deploymentOf('mlada-boleslav');
    expect(deployment!.Properties.DeploymentPolicies).toEqual({
      FailureHandlingPolicy: 'ROLLBACK',
      ComponentUpdatePolicy: { Action: 'NOTIFY_COMPONENTS', TimeoutInSeconds: 120 },
      ConfigurationValidationPolicy: { TimeoutInSeconds: 120 },
    });
    expect(deployment!.Properties.IotJobConfiguration).toEqual({
      JobExecutionsRolloutConfig: {
        ExponentialRate: {
          BaseRatePerMinute: 5,
          IncrementFactor: 1.5,
          RateIncreaseCriteria: { NumberOfSucceededThings: 5 },
        },
        MaximumPerMinute: 50,
      },
      AbortConfig: {
        CriteriaList: [
          {
            FailureType: 'FAILED',
            Action: 'CANCEL',
            ThresholdPercentage: 10,
            MinNumberOfExecutedThings: 1,
          },
          {
            FailureType: 'TIMED_OUT',
            Action: 'CANCEL',
            ThresholdPercentage: 10,
            MinNumberOfExecutedThings: 1,
          },
        ],
      },
      TimeoutConfig: { InProgressTimeoutInMinutes: 30 },
    });
  });

  it("merges the plant's site, broker and the MSK brokers into each component", () => {
    const [deployment] = deploymentOf('mlada-boleslav');
    const components = deployment!.Properties.Components;
    const merge = (name: string) =>
      JSON.parse(
        renderTemplateString(components[name].ConfigurationUpdate.Merge).replace(
          '"<Fn::Split>"',
          '"<brokers>"',
        ),
      );
    const broker = 'mqtts://uns.mlada-boleslav.acme.example:8883';
    expect(merge('io.unsmlops.UnsValidator')).toEqual({
      settings: {
        broker: { url: broker },
        summaries: { enterprise: 'acme', site: 'mlada-boleslav' },
      },
    });
    expect(merge('io.unsmlops.AnomalyInference')).toEqual({
      settings: { broker: { url: broker }, uns: { enterprise: 'acme', site: 'mlada-boleslav' } },
    });
    expect(merge('io.unsmlops.UnsKafkaBridge')).toEqual({
      settings: {
        mqtt: { url: broker },
        kafka: { brokers: ['<brokers>'] },
        heartbeat: { site: 'mlada-boleslav' },
      },
    });
    // The model at the version the environment records, so a promoted model stays promoted.
    expect(components['io.unsmlops.WeldSeamAnomalyModel']).toEqual({
      ComponentVersion:
        '{{resolve:ssm:/uns-mlops-prod/models/io.unsmlops.WeldSeamAnomalyModel/serving-version}}',
    });
  });

  it("records the repository's model version as the one that serves, until a rollout promotes another", () => {
    built.template('EdgeFleet').hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/uns-mlops-prod/models/io.unsmlops.WeldSeamAnomalyModel/serving-version',
      Type: 'String',
      Value: readVersionLock()['io.unsmlops.WeldSeamAnomalyModel']!.version,
    });
  });

  it('gives the canary the configuration of the site it serves', () => {
    const [canary] = deploymentOf('canary');
    const [zwickau] = deploymentOf('zwickau');
    expect(canary!.Properties.Components).toEqual(zwickau!.Properties.Components);
  });
});

describe('the core devices', () => {
  it('get credentials through a role alias, for a role that reads the artifacts and produces to MSK', () => {
    const fleet = built.template('EdgeFleet');
    fleet.hasResourceProperties('AWS::IoT::RoleAlias', {
      RoleAlias: 'uns-mlops-prod-core-device-tes-alias',
      CredentialDurationSeconds: 3600,
    });
    fleet.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'uns-mlops-prod-core-device-tes',
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'credentials.iot.amazonaws.com' } })],
      }),
      // The streaming part's bridge producer policy, from the Streaming stack.
      ManagedPolicyArns: [Match.objectLike({})],
    });
    fleet.hasResourceProperties('AWS::IoT::Policy', {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [Match.objectLike({ Action: 'iot:AssumeRoleWithCertificate', Effect: 'Allow' })],
      },
    });
  });
});

describe('the KPI alarms', () => {
  it('exist for every alarm a gate reads', () => {
    const fleet = built.template('EdgeFleet');
    const alarms = Object.values(fleet.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.AlarmName,
    );
    const read = rolloutSteps(prod).flatMap((step) =>
      gateInput(prod, step).targets.flatMap((target) => target.kpiAlarmNames),
    );
    expect(read.length).toBeGreaterThan(0);
    expect(alarms).toEqual(expect.arrayContaining(read));
  });

  it("treat a KPI without data as missing, and hold prod's stricter valid share", () => {
    built.template('EdgeFleet').hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'uns-mlops-prod-edge-zwickau-valid-share',
      MetricName: 'ValidShare',
      Namespace: 'UnsMlops/Edge',
      Dimensions: [{ Name: 'Site', Value: 'zwickau' }],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 98,
      TreatMissingData: 'missing',
    });
  });
});
