import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
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
}

const RESULTS_PREFIX = 'athena/';

/**
 * The Athena workgroup of the Lakehouse: engine v3, configuration enforced on every query
 * (clients cannot send results elsewhere or unencrypted), results SSE-KMS encrypted in the
 * results bucket, a per-query scan limit, CloudWatch metrics, and the saved common analyses.
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
}
