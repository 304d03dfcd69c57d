/**
 * What each part of the model rollout may do, as synthesized for dev: every right scoped to the
 * model package group, the model components, the rollout's thing groups, the serving version
 * record and the Lakehouse tables it reads; wildcards only where the name is made at run time.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { synthesizedApp } from '../support/assembly';
import { renderTemplateString } from '../support/templates';

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

let template: Template;

beforeAll(async () => {
  template = (await synthesizedApp('dev')).template('ModelRollout');
});

/** A resource as text: references written as `<intrinsic>` (see renderTemplateString). */
const render = (resource: unknown): string[] =>
  (Array.isArray(resource) ? resource : [resource]).map((value) => renderTemplateString(value));

/** The statements of the managed policy of one rollout function, by Sid (actions sorted). */
function functionPolicy(
  handler: string,
): Record<string, { actions: string[]; resources: string[]; raw: string }> {
  const [policy] = Object.values(
    template.findResources('AWS::IAM::ManagedPolicy', {
      Properties: { Description: `model rollout: ${handler}` },
    }),
  );
  expect(policy).toBeDefined();
  const statements = policy!.Properties.PolicyDocument.Statement as Statement[];
  return Object.fromEntries(
    statements.map((statement) => [
      statement.Sid ?? '',
      {
        actions: [statement.Action].flat().sort(),
        resources: render(statement.Resource).sort(),
        raw: JSON.stringify(statement.Resource),
      },
    ]),
  );
}

const ACCOUNT = 'arn:aws:sagemaker:eu-central-1:111111111111';
const GREENGRASS = 'arn:aws:greengrass:eu-central-1:111111111111';
const IOT = 'arn:aws:iot:eu-central-1:111111111111';

describe('the rollout functions', () => {
  it("readPackage describes the group's packages, reads their bundles and the serving version, nothing else", () => {
    const policy = functionPolicy('handler');
    expect(Object.keys(policy).sort()).toEqual([
      'DecryptRegisteredBundles',
      'DescribeModelPackages',
      'ReadRegisteredBundles',
      'ReadServingVersion',
      'WriteFunctionLogs',
    ]);
    expect(policy.DescribeModelPackages).toMatchObject({
      actions: ['sagemaker:DescribeModelPackage'],
      resources: [`${ACCOUNT}:model-package/uns-mlops-anomaly-autoencoder/*`],
    });
    // The pipeline's bucket, imported by a name of its own, under the pipeline's prefix.
    expect(policy.ReadRegisteredBundles).toMatchObject({
      actions: ['s3:GetObject'],
      resources: ['<Fn::ImportValue>/uns-mlops-anomaly-autoencoder/*'],
    });
    expect(policy.ReadRegisteredBundles!.raw).toContain(
      'UnsMlops-Dev-MlPipeline-ModelArtifactsBucketArn',
    );
    expect(policy.ReadServingVersion).toMatchObject({
      actions: ['ssm:GetParameter'],
      resources: [
        'arn:aws:ssm:eu-central-1:111111111111:parameter/uns-mlops-dev/models/io.unsmlops.WeldSeamAnomalyModel/serving-version',
      ],
    });
  });

  it('rejectPackage updates the packages of the group only', () => {
    expect(functionPolicy('rejectPackage').RejectModelPackages).toMatchObject({
      actions: ['sagemaker:UpdateModelPackage'],
      resources: [`${ACCOUNT}:model-package/uns-mlops-anomaly-autoencoder/*`],
    });
  });

  it('publishComponent writes the model prefix of the artifact bucket and creates versions of the two model components only', () => {
    const policy = functionPolicy('publishComponent');
    expect(policy.WriteModelArtifacts).toMatchObject({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: ['<Fn::ImportValue>/io.unsmlops.WeldSeamAnomalyModel/*'],
    });
    expect(policy.WriteModelArtifacts!.raw).toContain(
      'UnsMlops-Dev-EdgeFleet-ComponentArtifactsBucketArn',
    );
    expect(policy.CreateModelComponentVersions).toMatchObject({
      actions: ['greengrass:CreateComponentVersion'],
      resources: [
        `${GREENGRASS}:components:io.unsmlops.WeldSeamAnomalyModel`,
        `${GREENGRASS}:components:io.unsmlops.WeldSeamAnomalyModelCandidate`,
      ],
    });
    expect(policy.ReadModelComponentVersions!.resources).toEqual([
      `${GREENGRASS}:components:io.unsmlops.WeldSeamAnomalyModel:versions:*`,
      `${GREENGRASS}:components:io.unsmlops.WeldSeamAnomalyModelCandidate:versions:*`,
    ]);
    expect(Object.values(policy).flatMap((statement) => statement.actions)).not.toContain(
      'greengrass:CreateDeployment',
    );
  });

  it("deploy creates deployments only through IoT jobs on the rollout's thing groups", () => {
    const policy = functionPolicy('deploy');
    expect(policy.CreateDeployments).toMatchObject({
      actions: ['greengrass:CreateDeployment'],
      resources: ['*'],
    });
    expect(policy.GreengrassDeploysThroughIotJobsOnTheRolloutGroups!.resources).toEqual([
      `${IOT}:job/*`,
      `${IOT}:thing/*`,
      `${IOT}:thinggroup/uns-mlops-dev-canary`,
      `${IOT}:thinggroup/uns-mlops-dev-zwickau`,
    ]);
    expect(policy.ReadAndTagDeployments!.resources).toEqual([`${GREENGRASS}:deployments:*`]);
  });

  it('compareShadow may only write its logs', () => {
    expect(Object.keys(functionPolicy('compareShadow'))).toEqual(['WriteFunctionLogs']);
  });
});

describe('the state machine', () => {
  const roleId = () =>
    Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('ModelRolloutStateMachineRole'),
    )!;
  /** The resources of every statement of the state machine's role granting `action`. */
  const granted = (action: string) =>
    Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: roleId() }] },
      }),
    )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) =>
        [statement.Action].flat().some((name) => name.toLowerCase() === action.toLowerCase()),
      )
      .flatMap((statement) => render(statement.Resource));

  it('records the serving version in its own parameter, lists its own executions, starts the gate', () => {
    expect(granted('ssm:PutParameter')).toEqual([
      'arn:aws:ssm:eu-central-1:111111111111:parameter/uns-mlops-dev/models/io.unsmlops.WeldSeamAnomalyModel/serving-version',
    ]);
    expect(granted('states:ListExecutions')).toEqual([
      'arn:aws:states:eu-central-1:111111111111:stateMachine:uns-mlops-dev-model-rollout',
    ]);
    expect(granted('states:StartExecution')).toEqual([
      'arn:aws:states:eu-central-1:111111111111:stateMachine:uns-mlops-dev-edge-gate',
    ]);
  });

  it('queries the Lakehouse through its workgroup, with Lake Formation SELECT on the two raw tables it reads', () => {
    const grants = Object.values(
      template.findResources('AWS::LakeFormation::PrincipalPermissions'),
    );
    expect(
      grants.map((grant) => ({
        principal: grant.Properties.Principal.DataLakePrincipalIdentifier,
        table: grant.Properties.Resource.Table.Name,
        permissions: grant.Properties.Permissions,
      })),
    ).toEqual(
      ['inference_results', 'model_status'].map((table) => ({
        principal: { 'Fn::GetAtt': [roleId(), 'Arn'] },
        table,
        permissions: ['SELECT', 'DESCRIBE'],
      })),
    );
    const role = template.findResources('AWS::IAM::Role')[roleId()]!;
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('QueryAccessPolicy');
  });
});
