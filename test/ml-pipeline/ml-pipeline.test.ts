import { Match } from 'aws-cdk-lib/assertions';
import { definitionIn, stepCodeFixture, stepNamed, synthMlPipeline, templateOf } from './support';

const { stack, lakehouseStack, mlPipeline } = synthMlPipeline();
const template = templateOf(stack);

/** Every statement of every managed policy attached to a role (by logical id). */
function statementsOf(roleLogicalId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((policy) =>
      (policy.Properties.Roles as any[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function logicalId(construct: { node: { defaultChild?: unknown } } | object): string {
  return stack.getLogicalId(
    ((construct as any).node.defaultChild ?? construct) as Parameters<typeof stack.getLogicalId>[0],
  );
}

describe('ML pipeline roles', () => {
  const jobRole = logicalId(mlPipeline.jobRole);
  const pipelineRole = logicalId(mlPipeline.pipelineRole);

  it('lets only SageMaker of this account assume the job and pipeline roles, with no inline policy', () => {
    for (const role of [mlPipeline.jobRole, mlPipeline.pipelineRole]) {
      const resource = template.toJSON().Resources[logicalId(role)];
      expect(resource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ]);
      expect(resource.Properties.Policies).toBeUndefined();
    }
  });

  it('grants the job role no action wildcard and no resource wildcard but the unscopable ones', () => {
    const statements = statementsOf(jobRole);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.includes('*'))).toEqual([]);
    const unscoped = statements.filter((s) => [s.Resource].flat().includes('*'));
    expect(unscoped.map((s) => [s.Sid, s.Action, s.Condition])).toEqual([
      ['AuthenticateToRegistries', 'ecr:GetAuthorizationToken', undefined],
      [
        'PublishJobMetrics',
        'cloudwatch:PutMetricData',
        { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
      ],
    ]);
  });

  it('confines the job role to the pipeline prefix of its bucket and the step-code object', () => {
    const statements = statementsOf(jobRole);
    const artifacts = statements.find((s) => s.Sid === 'ReadWriteArtifacts');
    expect(artifacts.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          { 'Fn::GetAtt': [logicalId(mlPipeline.artifactBucket), 'Arn'] },
          `/${mlPipeline.pipelineName}/*`,
        ],
      ],
    });
    expect(statements.find((s) => s.Sid === 'ReadStepCode').Resource).toEqual(
      `arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-central-1/${mlPipeline.stepCode.fileName}`,
    );
    expect(
      statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('s3:Delete')),
    ).toEqual([]);
  });

  it('reads the labelled telemetry through the Lakehouse policy for the curated table only', () => {
    const attached = template.toJSON().Resources[jobRole].Properties.ManagedPolicyArns;
    expect(attached).toHaveLength(1);
    const lakehouseTemplate = templateOf(lakehouseStack).toJSON();
    const readPolicy = Object.entries(lakehouseTemplate.Resources).find(([id]) =>
      id.includes('CuratedTableReadlabelledtelemetry'),
    )![1] as any;
    const read = readPolicy.Properties.PolicyDocument.Statement.find(
      (s: any) => s.Sid === 'ReadTableFiles',
    );
    expect(read.Action).toBe('s3:GetObject');
    expect(JSON.stringify(read.Resource)).toContain('/labelled_telemetry/*');
    expect(JSON.stringify(read.Resource)).toContain('LakehouseStorageCurated');
  });

  it('lets the pipeline role start only pipeline jobs, register only into its group, pass only the job role', () => {
    const statements = statementsOf(pipelineRole);
    const byId = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(byId.RunPipelineJobs.Resource).toEqual([
      'arn:aws:sagemaker:eu-central-1:123456789012:processing-job/pipelines-*',
      'arn:aws:sagemaker:eu-central-1:123456789012:training-job/pipelines-*',
    ]);
    expect(byId.RegisterModelVersions.Resource).toEqual([
      `arn:aws:sagemaker:eu-central-1:123456789012:model-package-group/${mlPipeline.pipelineName}`,
      `arn:aws:sagemaker:eu-central-1:123456789012:model-package/${mlPipeline.pipelineName}/*`,
    ]);
    expect(byId.PassJobRole).toEqual({
      Sid: 'PassJobRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [jobRole, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    expect(byId.GrantVolumeEncryption.Condition).toEqual({
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    });
  });
});

describe('ML pipeline resources', () => {
  it('creates the pipeline with the pipeline role, after its policies and model package group', () => {
    const [id, pipeline] = Object.entries(template.findResources('AWS::SageMaker::Pipeline'))[0]!;
    expect(id).toBeDefined();
    expect(pipeline.Properties.PipelineName).toBe('uns-mlops-anomaly-autoencoder');
    expect(pipeline.Properties.RoleArn).toEqual({
      'Fn::GetAtt': [logicalId(mlPipeline.pipelineRole), 'Arn'],
    });
    expect(pipeline.DependsOn).toEqual(
      expect.arrayContaining([logicalId(mlPipeline.modelPackageGroup)]),
    );
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'uns-mlops-anomaly-autoencoder',
    });
  });

  it('keeps artifacts in a versioned, KMS-encrypted, TLS-only bucket with access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(mlPipeline.encryptionKey), 'Arn'] },
            },
            BucketKeyEnabled: true,
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(mlPipeline.artifactBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('starts the pipeline on a schedule with a role that may only start this pipeline', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 ? * MON *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: 'arn:aws:sagemaker:eu-central-1:123456789012:pipeline/uns-mlops-anomaly-autoencoder',
        RoleArn: { 'Fn::GetAtt': [logicalId(mlPipeline.scheduleRole), 'Arn'] },
        SageMakerPipelineParameters: { PipelineParameterList: [] },
      }),
    });
    expect(statementsOf(logicalId(mlPipeline.scheduleRole))).toEqual([
      {
        Sid: 'StartPipeline',
        Effect: 'Allow',
        Action: 'sagemaker:StartPipelineExecution',
        Resource:
          'arn:aws:sagemaker:eu-central-1:123456789012:pipeline/uns-mlops-anomaly-autoencoder',
      },
    ]);
    const trust =
      template.toJSON().Resources[logicalId(mlPipeline.scheduleRole)].Properties
        .AssumeRolePolicyDocument.Statement;
    expect(trust[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
  });

  it('registers models with the configured approval status as the parameter default', () => {
    const manual = definitionIn(template).Parameters.find((p) => p.Name === 'ModelApprovalStatus');
    expect(manual?.DefaultValue).toBe('PendingManualApproval');
    const approved = synthMlPipeline({ modelApprovalStatus: 'Approved' });
    expect(
      definitionIn(templateOf(approved.stack)).Parameters.find(
        (p) => p.Name === 'ModelApprovalStatus',
      )?.DefaultValue,
    ).toBe('Approved');
  });
});

describe('ML pipeline reading through Athena', () => {
  const athena = synthMlPipeline({ inputSource: 'athena' });
  const athenaTemplate = templateOf(athena.stack);
  const definition = definitionIn(athenaTemplate);

  it('grants the job role SELECT on the curated labelled telemetry table through Lake Formation', () => {
    athenaTemplate.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: {
        DataLakePrincipalIdentifier: {
          'Fn::GetAtt': [
            athena.stack.getLogicalId(athena.mlPipeline.jobRole.node.defaultChild as any),
            'Arn',
          ],
        },
      },
      Resource: { Table: Match.objectLike({ Name: 'labelled_telemetry' }) },
      Permissions: ['SELECT', 'DESCRIBE'],
      PermissionsWithGrantOption: [],
    });
  });

  it('feeds the preprocessing step from an Athena query parameter in the Lakehouse workgroup', () => {
    const input = stepNamed(definition, 'Preprocess').Arguments.ProcessingInputs[1];
    expect(input.InputName).toBe('data');
    expect(input.DatasetDefinition.LocalPath).toBe('/opt/ml/processing/input/data');
    expect(input.DatasetDefinition.AthenaDatasetDefinition).toEqual(
      expect.objectContaining({
        Catalog: 'AwsDataCatalog',
        QueryString: { Get: 'Parameters.AthenaQuery' },
        OutputFormat: 'PARQUET',
      }),
    );
    expect(definition.Parameters.map((p) => p.Name)).toContain('AthenaQuery');
    expect(definition.Parameters.map((p) => p.Name)).not.toContain('InputDataUri');
  });

  it('queries the labelled telemetry table, label column included, by default', () => {
    const query = definition.Parameters.find((p) => p.Name === 'AthenaQuery')!.DefaultValue;
    expect(query).toMatch(
      /^SELECT site, line, cell, asset, channel, sample_time, value, label FROM /,
    );
    expect(query).toContain('"."labelled_telemetry" WHERE ');
  });

  it('passes cdk-nag AwsSolutions and NIST 800-53 r5 with no unacknowledged finding', () => {
    const { app } = synthMlPipeline({ inputSource: 'athena' }, { compliance: true });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('ML pipeline training isolation', () => {
  it('isolates training from the network unless the step code installs requirements', () => {
    const withRequirements = synthMlPipeline({
      stepCodeDirectory: stepCodeFixture({ requirements: true }),
    });
    const train = stepNamed(definitionIn(templateOf(withRequirements.stack)), 'Train').Arguments;
    expect(train.EnableNetworkIsolation).toBe(false);
    expect(train.InputDataConfig.map((c: any) => c.ChannelName)).toEqual(['train', 'validation']);
    expect(train.HyperParameters.sagemaker_submit_directory).toMatch(/^"s3:\/\/cdk-.*\.gz"$/);
  });

  it('refuses network isolation for step code that needs packages installed', () => {
    expect(() =>
      synthMlPipeline({
        stepCodeDirectory: stepCodeFixture({ requirements: true }),
        trainingNetworkIsolation: true,
      }),
    ).toThrow(/requirements\.txt, which the training toolkit installs from PyPI/);
  });
});

describe('ML pipeline props', () => {
  it('lists every invalid prop at once', () => {
    expect(() =>
      synthMlPipeline({
        window: 0,
        stride: 100,
        minRocAuc: 1.5,
        trainingInstanceType: 'm5.large',
        scheduleExpression: 'every monday',
        channels: ['arc current'],
      }),
    ).toThrow(
      [
        'Invalid ML pipeline props at MlPipelineStack/MlPipeline:',
        '  - scheduleExpression "every monday" must be rate(<n> <unit>), cron(<6 fields>) or at(yyyy-mm-ddThh:mm:ss)',
        '  - trainingInstanceType "m5.large" must be a SageMaker instance type such as "ml.m5.xlarge"',
        '  - minRocAuc (1.5) must be between 0 and 1',
        '  - window (0) must be a whole number >= 1',
        '  - stride (100) must not exceed window (0)',
        '  - channels: "arc current" must be letters, digits or underscores, not starting with a digit',
      ].join('\n'),
    );
  });

  it('fails clearly in a region without a known Deep Learning Containers registry', () => {
    expect(() => synthMlPipeline({}, { region: 'mars-north-1' })).toThrow(
      /No AWS Deep Learning Containers registry is configured for region "mars-north-1"; supported regions: us-east-1/,
    );
  });
});
