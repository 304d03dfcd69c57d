import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Resolved settings of {@link LakehouseStorage}; the Lakehouse fills in the defaults. */
export interface LakehouseStorageProps {
  /** Key for data and query results. */
  readonly encryptionKey: kms.IKey;
  /** Removal policy of every bucket. */
  readonly removalPolicy: RemovalPolicy;
  /** Existing access-log destination; when absent a bucket is created with `accessLogsExpireAfterDays`. */
  readonly serverAccessLogsBucket?: s3.IBucket;
  readonly accessLogsExpireAfterDays: number;
  readonly rawIntelligentTieringAfterDays: number;
  readonly rawGlacierInstantRetrievalAfterDays: number;
  /** Absent: raw objects never expire. */
  readonly rawExpireAfterDays?: number;
  readonly noncurrentVersionsExpireAfterDays: number;
  readonly curatedIntelligentTieringAfterDays: number;
  readonly athenaResultsExpireAfterDays: number;
}

/** Why no Lakehouse bucket replicates: said once, acknowledged on each bucket. */
const NO_REPLICATION_REASON =
  'Cross-region replication is a per-environment disaster-recovery decision with its own cost; the Lakehouse keeps one region, and raw data is versioned and re-deliverable from the plants.';

/**
 * The Lakehouse's S3 buckets: raw zone, curated zone, Athena results and access logs.
 * Every bucket blocks public access, enforces TLS 1.2+, disables ACLs and aborts stale multipart
 * uploads; data buckets use SSE-KMS with the Lakehouse key and an S3 Bucket Key.
 */
export class LakehouseStorage extends Construct {
  /** Data as delivered from the plants (versioned). */
  readonly rawBucket: s3.Bucket;
  /** Deduplicated, contract-valid data for analysis and training (versioned). */
  readonly curatedBucket: s3.Bucket;
  /** Athena query results, expired after a few days. */
  readonly athenaResultsBucket: s3.Bucket;
  /** Destination of the buckets' S3 server access logs. */
  readonly accessLogsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: LakehouseStorageProps) {
    super(scope, id);
    this.accessLogsBucket =
      props.serverAccessLogsBucket ??
      createAccessLogsBucket(this, 'AccessLogs', {
        expireAfterDays: props.accessLogsExpireAfterDays,
        removalPolicy: props.removalPolicy,
        noReplicationReason: NO_REPLICATION_REASON,
      });

    const abortIncompleteUploads: s3.LifecycleRule = {
      id: 'abort-incomplete-multipart-uploads',
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    };
    // Rewrites (a curation re-run deletes a partition first) leave noncurrent versions and, once
    // those expire, delete markers with nothing behind them: both go.
    const expireNoncurrentVersions: s3.LifecycleRule = {
      id: 'expire-noncurrent-versions',
      noncurrentVersionExpiration: Duration.days(props.noncurrentVersionsExpireAfterDays),
      expiredObjectDeleteMarker: true,
    };

    this.rawBucket = this.createDataBucket('Raw', props, {
      versioned: true,
      lifecycleRules: [
        abortIncompleteUploads,
        expireNoncurrentVersions,
        {
          id: 'tier-raw-data',
          transitions: [
            {
              storageClass: s3.StorageClass.INTELLIGENT_TIERING,
              transitionAfter: Duration.days(props.rawIntelligentTieringAfterDays),
            },
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.rawGlacierInstantRetrievalAfterDays),
            },
          ],
          ...(props.rawExpireAfterDays === undefined
            ? {}
            : { expiration: Duration.days(props.rawExpireAfterDays) }),
        },
      ],
    });

    this.curatedBucket = this.createDataBucket('Curated', props, {
      versioned: true,
      lifecycleRules: [
        abortIncompleteUploads,
        expireNoncurrentVersions,
        {
          id: 'tier-curated-data',
          transitions: [
            {
              storageClass: s3.StorageClass.INTELLIGENT_TIERING,
              transitionAfter: Duration.days(props.curatedIntelligentTieringAfterDays),
            },
          ],
        },
      ],
    });

    this.athenaResultsBucket = this.createDataBucket('AthenaResults', props, {
      versioned: false,
      lifecycleRules: [
        abortIncompleteUploads,
        {
          id: 'expire-query-results',
          expiration: Duration.days(props.athenaResultsExpireAfterDays),
        },
      ],
    });
    Validations.of(this.athenaResultsBucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketVersioningEnabled',
      reason:
        'Athena query results are re-created by re-running the query and expire within days; versions would only keep deleted results longer.',
    });
  }

  private createDataBucket(
    id: string,
    props: LakehouseStorageProps,
    shape: Pick<s3.BucketProps, 'versioned' | 'lifecycleRules'>,
  ): s3.Bucket {
    const bucket = new s3.Bucket(this, id, {
      ...shape,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${id.toLowerCase()}/`,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(bucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: NO_REPLICATION_REASON,
    });
    return bucket;
  }
}

/** Shape of an access-log bucket made by {@link createAccessLogsBucket}. */
export interface AccessLogsBucketOptions {
  /** Days before access logs (and their replaced versions) are deleted. */
  readonly expireAfterDays: number;
  readonly removalPolicy: RemovalPolicy;
  /** Why the bucket does not replicate to another region (a cdk-nag acknowledgement). */
  readonly noReplicationReason: string;
}

/**
 * A bucket that receives S3 server access logs: SSE-S3 (log delivery cannot write SSE-KMS), TLS
 * 1.2+ only, no public access, ACLs disabled, versioned, logs expiring after the given days. Shared
 * by every part of the project that keeps buckets.
 */
export function createAccessLogsBucket(
  scope: Construct,
  id: string,
  options: AccessLogsBucketOptions,
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    // S3 server access logging cannot write to an SSE-KMS bucket, only to SSE-S3.
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    lifecycleRules: [
      {
        id: 'expire-access-logs',
        expiration: Duration.days(options.expireAfterDays),
        noncurrentVersionExpiration: Duration.days(options.expireAfterDays),
      },
    ],
    removalPolicy: options.removalPolicy,
  });
  Validations.of(bucket).acknowledge(
    {
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the access-log destination; logging its own accesses into itself would create a log loop.',
    },
    {
      id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
      reason:
        'This bucket is the access-log destination; logging its own accesses into itself would create a log loop.',
    },
    {
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason:
        'S3 server access logging delivers only to SSE-S3 buckets; SSE-KMS would make the log delivery fail.',
    },
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: options.noReplicationReason },
  );
  return bucket;
}

/** Options of {@link createEncryptedBucket}. */
export interface EncryptedBucketOptions {
  /** The key the objects are encrypted with (SSE-KMS, with an S3 bucket key). */
  readonly encryptionKey: kms.IKey;
  /** Where S3 server access logs go, and under which prefix. */
  readonly accessLogs: s3.IBucket;
  readonly accessLogsPrefix: string;
  /** Lifecycle of the objects. */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /** What happens to the bucket when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Why the bucket does not replicate to another region (a cdk-nag acknowledgement). */
  readonly noReplicationReason: string;
}

/**
 * A bucket for the project's own data outside the Lakehouse zones (pipeline artifacts, component
 * artifacts, build caches): SSE-KMS with the given key, TLS 1.2+ only, no public access, ACLs
 * disabled, versioned, server access logs to the given bucket.
 */
export function createEncryptedBucket(
  scope: Construct,
  id: string,
  options: EncryptedBucketOptions,
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: options.accessLogs,
    serverAccessLogsPrefix: options.accessLogsPrefix,
    lifecycleRules: options.lifecycleRules,
    removalPolicy: options.removalPolicy,
  });
  Validations.of(bucket).acknowledge({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason: options.noReplicationReason,
  });
  return bucket;
}
