/**
 * The model rollout as synthesized for prod (a canary and two waves): a valid Amazon States
 * Language definition whose paths are the workflow of lib/model-rollout/README.md, started by the
 * approval of a package of the pipeline's group, with every right scoped to what it touches.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { COMPARISON_COLUMNS } from '../../lambdas/model-rollout/src/compare-shadow';
import { environments } from '../../lib/config/environments';
import { gateInput } from '../../lib/delivery/pipeline/gate-step';
import { rolloutSteps } from '../../lib/delivery/rollout-steps';
import {
  COMPARISON_PARAMETERS,
  MODEL_ROLLOUT_DEFAULTS,
  shadowComparisonSql,
} from '../../lib/model-rollout';
import { synthesizedApp } from '../support/assembly';
import { fromStack } from '../support/resources';
import { renderTemplateString } from '../support/templates';

interface StateDefinition {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: {
    Variable: string;
    StringEquals?: string;
    NumericGreaterThan?: number;
    Next: string;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Retry?: { ErrorEquals: string[] }[];
  Seconds?: number;
  Resource?: string;
  Parameters?: Record<string, any>;
  Error?: string;
  CausePath?: string;
}

const prod = environments.find((environment) => environment.name === 'prod')!;

let template: Template;
let definition: Record<string, unknown>;
let states: Record<string, StateDefinition>;

beforeAll(async () => {
  template = (await synthesizedApp('prod')).template('ModelRollout');
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  // Function, topic and table references are resolved at deployment; ARN-shaped text stands in.
  definition = JSON.parse(
    renderTemplateString(machine!.Properties.DefinitionString)
      .replaceAll('arn:<Ref>:', 'arn:aws:')
      .replaceAll(/<(Fn::GetAtt|Ref)>/g, 'arn:aws:lambda:eu-central-1:222222222222:function:f'),
  );
  states = definition.States as Record<string, StateDefinition>;
});

/** The states visited from `start` following `Next` until a state without one. */
function path(start: string): string[] {
  const visited = [start];
  while (states[visited.at(-1)!]?.Next !== undefined) visited.push(states[visited.at(-1)!]!.Next!);
  return visited;
}

const choice = (state: string, value: string) =>
  states[state]!.Choices!.find((option) => option.StringEquals === value)!.Next;
const catchOf = (state: string) => states[state]!.Catch![0]!.Next;

describe('the model rollout state machine', () => {
  it('is a valid Amazon States Language definition', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('starts nothing while another rollout runs, and says so', () => {
    expect(path(definition.StartAt as string)).toEqual([
      'CheckRunningRollouts',
      'AnotherRolloutRunning?',
    ]);
    const [busy] = states['AnotherRolloutRunning?']!.Choices!;
    expect(busy).toMatchObject({ Variable: '$.running.count', NumericGreaterThan: 1 });
    expect(path(busy!.Next)).toEqual(['NotifyBusy', 'AnotherRolloutRunning']);
    expect(states['AnotherRolloutRunning?']!.Default).toBe('ReadPackage');
  });

  it('reads the package and refuses a model that cannot read the contract: package Rejected with the reason, notified, failed', () => {
    expect(path('ReadPackage')).toEqual(['ReadPackage', 'ContractGate']);
    expect(path(choice('ContractGate', 'REFUSE'))).toEqual([
      'ContractRefused',
      'RejectPackage',
      'NotifyRejected',
      'ModelRejected',
    ]);
    expect(states.ContractRefused!.Parameters).toEqual({ 'reason.$': '$.package.reason' });
    expect(states.RejectPackage!.Parameters).toEqual({
      'modelPackageArn.$': '$.modelPackageArn',
      'reason.$': '$.rejection.reason',
    });
    expect(states.ModelRejected).toMatchObject({
      Type: 'Fail',
      Error: 'ModelRejected',
      CausePath: '$.rejection.reason',
    });
    expect(states[choice('ContractGate', 'SKIP')]!.Type).toBe('Succeed');
  });

  it('publishes the candidate, deploys it in shadow to the canary, gates it, bakes, then compares', () => {
    expect(path(states.ContractGate!.Default!)).toEqual([
      'PublishCandidate',
      'DeployShadowToCanary',
      'ShadowGate',
      'Bake',
      'StartComparison',
      'ComparisonQueryParameters',
      'QueryShadowScores',
      'ReadShadowCounts',
      'CompareShadow',
      'Judge',
    ]);
    expect(states.DeployShadowToCanary!.Parameters).toEqual({
      change: 'shadow',
      'componentVersion.$': '$.package.componentVersion',
      targets: [
        {
          name: 'canary',
          thingGroupArn: 'arn:aws:iot:eu-central-1:222222222222:thinggroup/uns-mlops-prod-canary',
        },
      ],
    });
    expect(states.Bake!.Seconds).toBe(MODEL_ROLLOUT_DEFAULTS.bakeMinutes * 60);
  });

  it("rejects the model when the canary's gate rolls the shadow deployment back", () => {
    expect(path(catchOf('ShadowGate'))).toEqual([
      'ShadowRolledBack',
      'RejectPackage',
      'NotifyRejected',
      'ModelRejected',
    ]);
  });

  it('compares again after a while when too few windows were compared', () => {
    expect(path(choice('Judge', 'WAIT'))).toEqual([
      'AwaitMoreWindows',
      'QueryShadowScores',
      'ReadShadowCounts',
      'CompareShadow',
      'Judge',
    ]);
    expect(states.AwaitMoreWindows!.Seconds).toBe(MODEL_ROLLOUT_DEFAULTS.retryMinutes * 60);
  });

  it('judges with the limits of the environment', () => {
    expect(states.CompareShadow!.Parameters).toEqual({
      'rows.$': '$.shadowQuery.results.rows',
      'attempt.$': '$.comparison.attempt',
      limits: {
        minAgreement: 0.95,
        maxAnomalyRateIncrease: 0.05,
        minWindowsCompared: 500,
        maxComparisons: 8,
      },
    });
  });

  it('on REJECT removes the candidate from the canary (through the gate) and rejects the package with the comparison’s reason', () => {
    expect(path(states.Judge!.Default!)).toEqual([
      'RemoveShadowAtCanary',
      'RemovalGate',
      'ComparisonRejected',
      'RejectPackage',
      'NotifyRejected',
      'ModelRejected',
    ]);
    expect(states.RemoveShadowAtCanary!.Parameters!.change).toBe('removeShadow');
    expect(states.ComparisonRejected!.Parameters).toEqual({ 'reason.$': '$.comparison.reason' });
    // A failed removal still rejects the model.
    expect(catchOf('RemoveShadowAtCanary')).toBe('ComparisonRejected');
    expect(catchOf('RemovalGate')).toBe('ComparisonRejected');
  });

  it('on PROMOTE serves the model at the canary, then wave by wave, each step gated, then records the version and notifies', () => {
    expect(path(choice('Judge', 'PROMOTE'))).toEqual([
      'PublishServingVersion',
      'PromoteAtCanary',
      'GateCanary',
      'DeployWave1',
      'GateWave1',
      'DeployWave2',
      'GateWave2',
      'RecordServingVersion',
      'NotifyPromoted',
      'Promoted',
    ]);
    expect(states.PublishServingVersion!.Parameters!.role).toBe('serving');
    expect(
      ['PromoteAtCanary', 'DeployWave1', 'DeployWave2'].map((state) => [
        states[state]!.Parameters!.change,
        states[state]!.Parameters!.targets.map((target: { name: string }) => target.name),
      ]),
    ).toEqual([
      ['promote', ['canary']],
      ['promote', ['zwickau']],
      ['promote', ['mlada-boleslav']],
    ]);
    expect(states.RecordServingVersion).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:ssm:putParameter',
      Parameters: {
        Name: '/uns-mlops-prod/models/io.unsmlops.WeldSeamAnomalyModel/serving-version',
        'Value.$': '$.package.componentVersion',
        Overwrite: true,
      },
    });
  });

  it('runs the edge rollout gate of each step to its end, with the input the delivery pipeline gives it', () => {
    const steps = rolloutSteps(prod);
    for (const [state, step] of [
      ['ShadowGate', steps[0]],
      ['GateCanary', steps[0]],
      ['GateWave1', steps[1]],
      ['GateWave2', steps[2]],
    ] as const) {
      expect(states[state]).toMatchObject({
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: {
          StateMachineArn:
            'arn:aws:states:eu-central-1:222222222222:stateMachine:uns-mlops-prod-edge-gate',
          Input: {
            ...gateInput(prod, step!),
            'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
          },
        },
      });
    }
  });

  it('stops at a step whose gate rolls it back (the gate restored its last good deployment), notifying why', () => {
    for (const [gate, stop] of [
      ['GateCanary', 'CanaryRolledBack'],
      ['GateWave1', 'Wave1RolledBack'],
      ['GateWave2', 'Wave2RolledBack'],
    ]) {
      expect(path(catchOf(gate!))).toEqual([stop, 'NotifyStopped', 'RolloutStopped']);
    }
    expect(states.RolloutStopped).toMatchObject({
      Type: 'Fail',
      Error: 'ModelRolloutStopped',
      CausePath: '$.stop.message',
    });
  });

  it('catches every task that can fail, so that each outcome is notified', () => {
    const tasks = Object.entries(states).filter(
      ([name, state]) => state.Type === 'Task' && !name.startsWith('Notify'),
    );
    expect(tasks.length).toBeGreaterThan(15);
    for (const [name, state] of tasks) {
      expect({ name, caught: state.Catch?.[0]?.ErrorEquals }).toEqual({
        name,
        caught: ['States.ALL'],
      });
    }
  });

  it("counts the canary site's windows with one Athena query over the raw zone, its ? filled in order", () => {
    const query = states.QueryShadowScores!;
    expect(query.Resource).toBe('arn:aws:states:::athena:startQueryExecution.sync');
    expect(query.Parameters).toMatchObject({
      QueryString: shadowComparisonSql('zwickau'),
      QueryExecutionContext: { Catalog: 'AwsDataCatalog' },
      'ExecutionParameters.$': '$.shadowQuery.parameters',
    });
    const sql = query.Parameters!.QueryString as string;
    expect(sql.match(/\?/g)).toHaveLength(COMPARISON_PARAMETERS.length);
    expect(sql).toContain("site = 'zwickau'");
    const parameters = states.ComparisonQueryParameters!.Parameters!['parameters.$'] as string;
    expect(parameters.startsWith('States.Array(')).toBe(true);
    expect(parameters.match(/States\.Format/g)).toHaveLength(COMPARISON_PARAMETERS.length);
    // The columns the comparison function reads, in its order.
    const aliases = [...sql.matchAll(/ AS (\w+)(?:,|\n|$)/g)].map((match) => match[1]);
    expect(aliases.filter((alias) => alias !== 'reason')).toEqual([...COMPARISON_COLUMNS]);
    expect(states.ReadShadowCounts!.Resource).toBe('arn:aws:states:::athena:getQueryResults');
  });
});

describe('the start of a rollout', () => {
  it("runs on the approval of a package of the pipeline's group, with the package's ARN", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: {
          ModelPackageGroupName: ['uns-mlops-anomaly-autoencoder'],
          ModelApprovalStatus: ['Approved'],
          ModelPackageStatus: ['Completed'],
        },
      },
      Targets: [
        Match.objectLike({
          InputTransformer: {
            InputPathsMap: { 'detail-ModelPackageArn': '$.detail.ModelPackageArn' },
            InputTemplate: '{"modelPackageArn":<detail-ModelPackageArn>}',
          },
        }),
      ],
    });
  });

  it('is a Standard state machine with X-Ray and every event in a KMS-encrypted log group', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'uns-mlops-prod-model-rollout',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ IncludeExecutionData: true, Level: 'ALL' }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: Match.anyValue(),
      RetentionInDays: 365,
    });
  });

  it('notifies the environment’s alert topic, whose key it may use for that (lib/alerts)', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy: any) => policy.Properties.PolicyDocument.Statement,
    );
    const alerts = fromStack('UnsMlops-Prod-Alerts');
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'sns:Publish', Resource: alerts }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: alerts,
      }),
    );
  });
});
