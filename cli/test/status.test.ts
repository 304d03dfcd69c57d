/**
 * `uns-mlops status`: the environment on one screen; the exit code is non-zero when something is
 * red, so a script or a cron job can alert on it.
 */
import { DescribeStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetBootstrapBrokersCommand, ListClustersV2Command } from '@aws-sdk/client-kafka';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  type PipelineExecutionStatus,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { stackLevel } from '../src/commands/status';
import { awsError, BROKERS, cli, cloudformation, cluster, kafka } from './support';

const glue = mockClient(GlueClient);
const cloudwatch = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);
const sagemaker = mockClient(SageMakerClient);

function stacks(statuses: Record<string, StackStatus>) {
  cloudformation.on(DescribeStacksCommand).resolves({
    Stacks: [
      ...Object.entries(statuses).map(([name, status]) => ({
        StackName: name,
        StackStatus: status,
        CreationTime: new Date('2026-11-01T08:00:00Z'),
        LastUpdatedTime: new Date('2026-12-01T09:30:00Z'),
      })),
      // Another environment's stack in the same account is not this environment's.
      {
        StackName: 'UnsMlops-Dev-Lakehouse',
        StackStatus: 'CREATE_FAILED',
        CreationTime: new Date(),
      },
    ],
  });
}

function executions(...statuses: PipelineExecutionStatus[]) {
  sagemaker.on(ListPipelineExecutionsCommand).resolves({
    PipelineExecutionSummaries: statuses.map((status, index) => ({
      PipelineExecutionArn: `arn:aws:sagemaker:eu-central-1:222222222222:pipeline/uns-mlops-anomaly-autoencoder/execution/run${index}`,
      PipelineExecutionStatus: status,
      PipelineExecutionDisplayName: `weekly-${index}`,
      StartTime: new Date(Date.UTC(2026, 10, 29 - 7 * index, 1, 0)),
      ...(status === 'Failed'
        ? { PipelineExecutionFailureReason: 'Step CheckQuality failed' }
        : {}),
    })),
  });
}

function pending(...versions: number[]) {
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: versions.map((version) => ({
      ModelPackageArn: `arn:aws:sagemaker:eu-central-1:222222222222:model-package/uns-mlops-anomaly-autoencoder/${version}`,
      ModelPackageVersion: version,
      ModelApprovalStatus: 'PendingManualApproval',
      CreationTime: new Date('2026-11-29T02:40:00Z'),
      ModelPackageStatus: 'Completed',
    })),
  });
}

/** The raw tables in the catalog, each with the days (dt partitions) it holds per site in S3. */
function rawData(days: Record<string, Record<string, string[]>>) {
  glue.on(GetTablesCommand, { DatabaseName: 'uns_mlops_raw' }).resolves({
    TableList: Object.keys(days).map((table) => ({
      Name: table,
      DatabaseName: 'uns_mlops_raw',
      StorageDescriptor: { Location: `s3://uns-mlops-raw-bucket/${table}/` },
    })),
  });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string; StartAfter: string }) => {
    const [table = '', siteLevel = ''] = input.Prefix.split('/');
    const site = siteLevel.replace('site=', '');
    return {
      CommonPrefixes: (days[table]?.[site] ?? [])
        .map((day) => `${input.Prefix}dt=${day}/`)
        .filter((prefix) => prefix > input.StartAfter)
        .map((prefix) => ({ Prefix: prefix })),
    };
  });
}

/** Alarms in ALARM, each with the tags CloudFormation gave it. */
function firing(alarms: { name: string; tags: Record<string, string> }[]) {
  const arn = (name: string) => `arn:aws:cloudwatch:eu-central-1:222222222222:alarm:${name}`;
  cloudwatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: alarms.map(({ name }) => ({
      AlarmName: name,
      AlarmArn: arn(name),
      StateValue: 'ALARM',
      StateReason: 'Threshold Crossed: 1 datapoint [0.91] was less than the threshold (0.98).',
      StateUpdatedTimestamp: new Date('2026-12-05T09:12:00Z'),
    })),
  });
  for (const { name, tags } of alarms) {
    cloudwatch.on(ListTagsForResourceCommand, { ResourceARN: arn(name) }).resolves({
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    });
  }
}

const healthy = {
  'UnsMlops-Prod-Lakehouse': 'UPDATE_COMPLETE',
  'UnsMlops-Prod-Streaming': 'CREATE_COMPLETE',
} as const;

beforeEach(() => {
  cloudformation.reset();
  kafka.reset();
  glue.reset();
  cloudwatch.reset();
  firing([]);
  s3.reset();
  sagemaker.reset();
  stacks(healthy);
  // The clock of the tests reads 2026-12-05 10:00 UTC.
  rawData({
    uns_telemetry: { zwickau: ['2026-12-04', '2026-12-05'], 'mlada-boleslav': ['2026-12-04'] },
    model_drift: { zwickau: ['2026-12-01'], 'mlada-boleslav': ['2026-12-05'] },
  });
  cluster('ACTIVE');
  executions('Succeeded', 'Failed');
  pending();
});

describe('status', () => {
  it('shows stacks, the cluster with its bootstrap brokers, the last runs and pending models; exit 0 when nothing is red', async () => {
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'uns-mlops prod (account 222222222222, eu-central-1): OK',
        '',
        'Stacks',
        '  OK    UnsMlops-Prod-Lakehouse  UPDATE_COMPLETE  2026-12-01 09:30Z',
        '  OK    UnsMlops-Prod-Streaming  CREATE_COMPLETE  2026-12-01 09:30Z',
        '',
        'MSK cluster uns-mlops',
        `  OK    provisioned  ACTIVE  bootstrap (SASL/IAM) ${BROKERS}`,
        '',
        'Raw data, newest day per site and table (UTC)',
        '  WARN  zwickau         model_drift    2026-12-01',
        '  OK    mlada-boleslav  model_drift    2026-12-05',
        '  OK    zwickau         uns_telemetry  2026-12-05',
        '  OK    mlada-boleslav  uns_telemetry  2026-12-04',
        '',
        'Pipeline uns-mlops-anomaly-autoencoder, last runs',
        '  OK    2026-11-29 01:00Z  Succeeded  weekly-0',
        '  WARN  2026-11-22 01:00Z  Failed     weekly-1: Step CheckQuality failed',
        '',
        'Models waiting for approval',
        '  OK    none',
        '',
        'Open alarms',
        '  OK    none',
        '',
      ].join('\n'),
    );
    expect(kafka.commandCalls(ListClustersV2Command)[0]!.args[0].input.ClusterNameFilter).toBe(
      'uns-mlops',
    );
    expect(sagemaker.commandCalls(ListPipelineExecutionsCommand)[0]!.args[0].input).toMatchObject({
      PipelineName: 'uns-mlops-anomaly-autoencoder',
      SortOrder: 'Descending',
    });
  });

  it('is red, exit 1, when a stack failed', async () => {
    stacks({ ...healthy, 'UnsMlops-Prod-MlPipeline': 'UPDATE_ROLLBACK_FAILED' });
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stdout).toContain('eu-central-1): RED');
    expect(stdout).toContain('  RED   UnsMlops-Prod-MlPipeline  UPDATE_ROLLBACK_FAILED');
  });

  it('is red when the newest pipeline run failed', async () => {
    executions('Failed', 'Succeeded');
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stdout).toContain(
      '  RED   2026-11-29 01:00Z  Failed     weekly-0: Step CheckQuality failed',
    );
  });

  it('is red when the cluster is not active, and shows no brokers then', async () => {
    cluster('FAILED');
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stdout).toContain('  RED   provisioned  FAILED\n');
    expect(kafka.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(0);
  });

  it('is red when a site has sent no telemetry since yesterday, and looks back 30 days', async () => {
    rawData({
      uns_telemetry: { zwickau: ['2026-12-05'], 'mlada-boleslav': ['2026-10-30', '2026-11-20'] },
    });
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stdout).toContain('  RED   mlada-boleslav  uns_telemetry  2026-11-20');
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toContainEqual({
      Bucket: 'uns-mlops-raw-bucket',
      Prefix: 'uns_telemetry/site=mlada-boleslav/',
      Delimiter: '/',
      StartAfter: 'uns_telemetry/site=mlada-boleslav/dt=2026-11-05',
    });
  });

  it('says since when a site has sent nothing at all', async () => {
    rawData({ uns_telemetry: { zwickau: ['2026-12-05'] } });
    const { stdout } = await cli(['status', '-c', 'env=prod']);
    expect(stdout).toContain('  RED   mlada-boleslav  uns_telemetry  nothing since 2026-11-05');
  });

  it('is red when the cluster is missing', async () => {
    kafka.on(ListClustersV2Command).resolves({ ClusterInfoList: [] });
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stdout).toContain('  RED   uns-mlops  MISSING');
  });

  it('lists the models waiting for approval with the command that approves them, not red', async () => {
    pending(7, 6);
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      '  WARN  version 7  PendingManualApproval  registered 2026-11-29 02:40Z; uns-mlops models approve 7 -c env=prod --reason "..."',
    );
  });

  it("is red for each of the environment's alarms in ALARM, and leaves others' alarms out", async () => {
    firing([
      {
        name: 'uns-mlops-prod-zwickau-valid-share',
        tags: { project: 'uns-mlops', environment: 'prod' },
      },
      {
        name: 'uns-mlops-dev-zwickau-valid-share',
        tags: { project: 'uns-mlops', environment: 'dev' },
      },
      { name: 'billing-over-budget', tags: {} },
    ]);
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stdout).toContain(
      'Open alarms\n  RED   uns-mlops-prod-zwickau-valid-share  since 2026-12-05 09:12Z  Threshold Crossed: 1 datapoint [0.91] was less than the threshold (0.98).\n',
    );
    expect(stdout).not.toContain('dev-zwickau');
    expect(stdout).not.toContain('billing');
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input.StateValue).toBe(
      'ALARM',
    );
  });

  it('shows a part it cannot read as red and still shows the rest', async () => {
    kafka
      .on(ListClustersV2Command)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform kafka:ListClustersV2'));
    const { code, stdout } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stdout).toContain(
      '  RED   unreadable  AccessDeniedException: not authorized to perform kafka:ListClustersV2',
    );
    expect(stdout).toContain('Succeeded  weekly-0');
  });

  it('says the environment is not deployed when it has no stack in the region, exit 1', async () => {
    stacks({});
    const { code, stderr } = await cli(['status', '-c', 'env=prod']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'error: Environment "prod" is not deployed in eu-central-1: no stack is named UnsMlops-Prod-*.',
    );
  });

  it('prints every section and the verdict as JSON with --json', async () => {
    const { stdout } = await cli(['status', '-c', 'env=prod', '--json']);
    const parsed = JSON.parse(stdout);
    expect(parsed).toMatchObject({
      environment: 'prod',
      account: '222222222222',
      region: 'eu-central-1',
      healthy: true,
    });
    expect(parsed.sections.map((section: { title: string }) => section.title)).toEqual([
      'Stacks',
      'MSK cluster uns-mlops',
      'Raw data, newest day per site and table (UTC)',
      'Pipeline uns-mlops-anomaly-autoencoder, last runs',
      'Models waiting for approval',
      'Open alarms',
    ]);
  });
});

describe('stack levels', () => {
  it.each([
    ['CREATE_COMPLETE', 'ok'],
    ['UPDATE_COMPLETE', 'ok'],
    ['UPDATE_IN_PROGRESS', 'warn'],
    ['UPDATE_ROLLBACK_COMPLETE', 'warn'],
    ['ROLLBACK_COMPLETE', 'red'],
    ['CREATE_FAILED', 'red'],
    ['UPDATE_ROLLBACK_FAILED', 'red'],
  ])('%s is %s', (status, level) => {
    expect(stackLevel(status)).toBe(level);
  });
});
