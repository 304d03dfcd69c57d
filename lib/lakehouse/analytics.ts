import { Duration, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { alarmPeriod, type Alerting, notifyingAlarm } from '../alerts/alarms';
import type { NamedQueryDefinition } from './named-queries';

/** Resolved settings of {@link LakehouseAnalytics}. */
export interface LakehouseAnalyticsProps {
  readonly workGroupName: string;
  readonly resultsBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly bytesScannedCutoffGiB: number;
  /** Delete the workgroup's saved queries and history with it (throw-away environments only). */
  readonly deleteWithQueries: boolean;
  readonly namedQueries: readonly NamedQueryDefinition[];
  /**
   * Where the workgroup's alarms go.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
}

const RESULTS_PREFIX = 'athena/';

/**
 * The Athena workgroup of the Lakehouse: engine v3, configuration enforced on every query
 * (clients cannot send results elsewhere or unencrypted), results SSE-KMS encrypted in the
 * results bucket, a per-query scan limit, CloudWatch metrics, and the saved common analyses.
 *
 * Alarms (with `alerts`, over the workgroup's `AWS/Athena` metrics, dimensions `WorkGroup`,
 * `QueryState`, `QueryType`): queries cancelled (`QueryState` `CANCELED`, which is how Athena ends
 * a query that reaches the per-query scan limit; a query a user cancels counts too), and the
 * bytes the workgroup's queries scanned in a day (`ProcessedBytes`) above `dailyScanBudgetGiB`.
 */
export class LakehouseAnalytics extends Construct {
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: readonly athena.CfnNamedQuery[];
  private readonly props: LakehouseAnalyticsProps;

  constructor(scope: Construct, id: string, props: LakehouseAnalyticsProps) {
    super(scope, id);
    this.props = props;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'uns-mlops Lakehouse queries: enforced, encrypted, scan-limited',
      state: 'ENABLED',
      recursiveDeleteOption: props.deleteWithQueries,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: Math.round(props.bytesScannedCutoffGiB * 1024 ** 3),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: props.resultsBucket.s3UrlForObject(RESULTS_PREFIX),
          expectedBucketOwner: Stack.of(this).account,
          aclConfiguration: { s3AclOption: 'BUCKET_OWNER_FULL_CONTROL' },
          encryptionConfiguration: {
            encryptionOption: 'SSE_KMS',
            kmsKey: props.encryptionKey.keyArn,
          },
        },
      },
    });
    if (props.alerts !== undefined) this.alarms(props.alerts);
    this.namedQueries = props.namedQueries.map(
      (query) =>
        new athena.CfnNamedQuery(this, query.name, {
          name: query.name,
          description: query.description,
          database: query.database,
          queryString: query.sql,
          workGroup: this.workGroup.ref,
        }),
    );
  }

  /**
   * IAM statements that let a principal run queries in this workgroup and read their results:
   * Athena actions on the workgroup only, read/write of the results prefix, and the key to
   * encrypt and decrypt results. What the queries may read is decided by Lake Formation, not here.
   */
  queryStatements(): iam.PolicyStatement[] {
    const { resultsBucket, encryptionKey } = this.props;
    return [
      new iam.PolicyStatement({
        sid: 'RunQueriesInWorkGroup',
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:GetQueryRuntimeStatistics',
          'athena:GetWorkGroup',
          'athena:ListQueryExecutions',
          'athena:ListNamedQueries',
          'athena:GetNamedQuery',
          'athena:BatchGetNamedQuery',
          'athena:BatchGetQueryExecution',
        ],
        resources: [
          Stack.of(this).formatArn({
            service: 'athena',
            resource: 'workgroup',
            resourceName: this.workGroup.ref,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'LocateResultsBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [resultsBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadWriteQueryResults',
        actions: [
          's3:GetObject',
          's3:PutObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
        ],
        resources: [resultsBucket.arnForObjects(`${RESULTS_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptDecryptQueryResults',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [encryptionKey.keyArn],
      }),
    ];
  }

  /** Queries cancelled (the scan limit) and the day's scanned bytes against the budget. */
  private alarms(alerts: Alerting): void {
    const metric = (metricName: string, statistic: string, queryState: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Athena',
        metricName,
        dimensionsMap: { WorkGroup: this.workGroup.ref, QueryState: queryState, QueryType: 'DML' },
        statistic,
        period,
      });
    const scanned = (queryState: string) =>
      metric('ProcessedBytes', cloudwatch.Stats.SUM, queryState, day);
    const day = Duration.days(1);
    const cutoff = this.props.bytesScannedCutoffGiB;
    notifyingAlarm(this, 'ScanLimitAlarm', alerts, {
      name: 'athena-scan-limit',
      description: `Athena workgroup ${this.props.workGroupName}: queries were cancelled, most likely at the per-query scan limit of ${cutoff} GiB (a query a user cancels counts too). Look up the cancelled queries in the workgroup's history; narrow them by site and dt partitions, or raise athenaBytesScannedCutoffGiB.`,
      // One sample per query: the number of queries cancelled in the period.
      metric: metric(
        'TotalExecutionTime',
        cloudwatch.Stats.SAMPLE_COUNT,
        'CANCELED',
        alarmPeriod(alerts),
      ),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      notifyOk: false,
    });
    const budget = alerts.thresholds.dailyScanBudgetGiB;
    notifyingAlarm(this, 'DailyScanAlarm', alerts, {
      name: 'athena-daily-scan',
      description: `Athena workgroup ${this.props.workGroupName}: its queries scanned more than ${budget} GiB in a day (the budget, dailyScanBudgetGiB). See which queries scanned most in the workgroup's history; a dashboard or a script querying without partition filters is the usual cause.`,
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(succeeded, 0) + FILL(failed, 0) + FILL(cancelled, 0)',
        label: 'Bytes scanned in a day',
        period: day,
        usingMetrics: {
          succeeded: scanned('SUCCEEDED'),
          failed: scanned('FAILED'),
          cancelled: scanned('CANCELED'),
        },
      }),
      threshold: budget * 1024 ** 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }
}
