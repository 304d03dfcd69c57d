/**
 * Who may do what in the curation: the workflow's role (Athena in the Lakehouse workgroup, Lake
 * Formation SELECT on the raw tables it reads and INSERT on the table it writes, IAM writes to that
 * table's prefix only), the clear function (list and delete under that prefix), the schedule's
 * role (start this workflow only).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { CURATION_QUERIES } from '../../lib/curation';
import { byId, only } from '../support/resources';
import { buildCuration } from './support';

const dev = buildCuration('dev');
const template = Template.fromStack(dev.stack);
const resources = template.toJSON().Resources as Record<string, any>;
const stateMachineRole = only(template, 'AWS::StepFunctions::StateMachine').resource.Properties
  .RoleArn['Fn::GetAtt'][0] as string;
const exportedBucket = { 'Fn::ImportValue': 'UnsMlops-Dev-Lakehouse-CuratedBucketArn' };
const tableObjects = { 'Fn::Join': ['', [exportedBucket, '/labelled_telemetry/*']] };

/** Statements of a managed policy, by Sid. */
function statementsOf(policyIdPrefix: string): Record<string, any> {
  const policy = byId(template, 'AWS::IAM::ManagedPolicy', policyIdPrefix).resource;
  return Object.fromEntries(
    policy.Properties.PolicyDocument.Statement.map((statement: any) => [statement.Sid, statement]),
  );
}

/** Every action the project's own managed policies in the stack allow. */
function allActions(): string[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((policy: any) =>
    policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()),
  );
}

describe('the workflow role', () => {
  it('is assumed by Step Functions of this account, for its state machines only', () => {
    const trust = resources[stateMachineRole].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Principal).toEqual({ Service: 'states.amazonaws.com' });
    expect(trust.Condition.StringEquals).toEqual({ 'aws:SourceAccount': dev.config.account });
  });

  it('queries through the Lakehouse query policy and the workflow policy, both attached to it', () => {
    const workflowPolicy = byId(template, 'AWS::IAM::ManagedPolicy', 'CurationWorkflowPolicy');
    expect(workflowPolicy.resource.Properties.Roles).toEqual([{ Ref: stateMachineRole }]);
    const attached = resources[stateMachineRole].Properties.ManagedPolicyArns;
    expect(attached).toHaveLength(1);
    expect(attached[0]['Fn::GetStackOutput'].OutputName).toMatch(/LakehouseQueryAccessPolicy/);
  });

  it('adds partitions to the curated table only, and deletes nothing from the catalog', () => {
    const { AddCuratedPartitions } = statementsOf('CurationWorkflowPolicy');
    expect(AddCuratedPartitions.Action).toEqual([
      'glue:BatchCreatePartition',
      'glue:CreatePartition',
    ]);
    const names = JSON.stringify(AddCuratedPartitions.Resource);
    expect(names).toContain('LakehouseCatalogCuratedDatabase');
    expect(names).toContain('LakehouseCatalogCuratedlabelledtelemetryTable');
    expect(names).not.toMatch(/Raw|\*/);
    expect(
      allActions().filter((action) => /^glue:(Delete|Update|Create(Table|Database))/.test(action)),
    ).toEqual([]);
  });

  it('writes only objects of the curated table, and lists only its prefix', () => {
    const statements = statementsOf('CurationWorkflowPolicy');
    expect(statements.WriteCuratedTable).toEqual({
      Sid: 'WriteCuratedTable',
      Effect: 'Allow',
      Action: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:PutObject'],
      Resource: tableObjects,
    });
    expect(statements.ListCuratedTable).toMatchObject({
      Action: 's3:ListBucket',
      Resource: exportedBucket,
      Condition: { StringLike: { 's3:prefix': ['labelled_telemetry/*'] } },
    });
    expect(statements.LocateCuratedBucket).toMatchObject({
      Action: 's3:GetBucketLocation',
      Resource: exportedBucket,
    });
    expect(statements.ReadDataCatalog).toMatchObject({
      Action: 'athena:GetDataCatalog',
      Resource: 'arn:aws:athena:eu-central-1:111111111111:datacatalog/AwsDataCatalog',
    });
  });

  it('gets SELECT on exactly the raw tables the query reads, and INSERT on the table it writes', () => {
    const grants = Object.values(
      template.findResources('AWS::LakeFormation::PrincipalPermissions'),
    );
    for (const grant of grants) {
      expect(grant.Properties.Principal).toEqual({
        DataLakePrincipalIdentifier: { 'Fn::GetAtt': [stateMachineRole, 'Arn'] },
      });
      expect(grant.Properties.PermissionsWithGrantOption).toEqual([]);
    }
    const tableGrants = grants
      .filter((grant) => grant.Properties.Resource.Table !== undefined)
      .map((grant) => ({
        database: JSON.stringify(grant.Properties.Resource.Table.DatabaseName).includes('Raw')
          ? 'raw'
          : 'curated',
        table: grant.Properties.Resource.Table.Name,
        permissions: grant.Properties.Permissions,
      }));
    const query = CURATION_QUERIES['labelled-telemetry'];
    expect(tableGrants).toEqual([
      ...query.sourceTables.map((table) => ({
        database: 'raw',
        table,
        permissions: ['SELECT', 'DESCRIBE'],
      })),
      { database: 'curated', table: 'labelled_telemetry', permissions: ['INSERT', 'DESCRIBE'] },
    ]);
    const locations = grants.filter(
      (grant) => grant.Properties.Resource.DataLocation !== undefined,
    );
    expect(locations.map((grant) => grant.Properties)).toEqual([
      expect.objectContaining({
        Resource: {
          DataLocation: {
            CatalogId: dev.config.account,
            ResourceArn: { 'Fn::Join': ['', [exportedBucket, '/labelled_telemetry']] },
          },
        },
        Permissions: ['DATA_LOCATION_ACCESS'],
      }),
    ]);
  });
});

describe('the clear function', () => {
  it('lists and deletes only under the curated table’s prefix, and reads nothing', () => {
    const statements = statementsOf('CurationFunctionsClearPartitionPolicy');
    expect(statements.DeleteCuratedPartitions).toEqual({
      Sid: 'DeleteCuratedPartitions',
      Effect: 'Allow',
      Action: 's3:DeleteObject',
      Resource: tableObjects,
    });
    expect(statements.ListCuratedTable).toMatchObject({
      Action: 's3:ListBucket',
      Resource: exportedBucket,
      Condition: { StringLike: { 's3:prefix': ['labelled_telemetry/*'] } },
    });
    expect(Object.keys(statements).sort()).toEqual(
      ['DeleteCuratedPartitions', 'ListCuratedTable', 'WriteFunctionLogs'].sort(),
    );
  });

  it('is the only principal that deletes objects', () => {
    expect(allActions().filter((action) => action.startsWith('s3:Delete'))).toEqual([
      's3:DeleteObject',
    ]);
  });

  it('knows the curated bucket, the table prefix and the Lakehouse sites', () => {
    const fn = byId(template, 'AWS::Lambda::Function', 'CurationFunctionsClearPartition').resource;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      SITE_IDS: 'zwickau',
      TABLE_PREFIX: 'labelled_telemetry',
      CURATED_BUCKET: {
        'Fn::GetStackOutput': expect.objectContaining({ StackName: 'UnsMlops-Dev-Lakehouse' }),
      },
    });
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(
      dev.config.curation!.maxConcurrentPartitions,
    );
  });

  it('gives the plan and report functions no rights but their own logs', () => {
    for (const prefix of ['CurationFunctionsPlanPolicy', 'CurationFunctionsReportPolicy']) {
      expect(Object.keys(statementsOf(prefix))).toEqual(['WriteFunctionLogs']);
    }
  });
});

describe('the schedule role', () => {
  it('is assumed by EventBridge Scheduler of this account and may only start this workflow', () => {
    const role = byId(template, 'AWS::IAM::Role', 'CurationScheduleRole');
    expect(role.resource.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': dev.config.account } },
    });
    expect(statementsOf('CurationSchedulePolicy')).toEqual({
      StartCuration: {
        Sid: 'StartCuration',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: { Ref: only(template, 'AWS::StepFunctions::StateMachine').id },
      },
    });
  });
});
