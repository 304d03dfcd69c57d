import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ClearPartitionEvent, ClearPartitionResult } from './contract';
import { isIsoDay } from './days';

/** DeleteObjects takes at most 1,000 keys per request. */
const DELETE_BATCH = 1000;

/** Where a curated table's partitions lie, and which sites may be cleared. */
export interface ClearPartitionSettings {
  /** The curated zone bucket. */
  readonly bucket: string;
  /** The table's key prefix in it, without slash, e.g. `labelled_telemetry`. */
  readonly tablePrefix: string;
  /** Every site of the Lakehouse; a partition of another site is refused. */
  readonly siteIds: readonly string[];
}

/** Dependencies of {@link createClearPartitionHandler}; tests pass a mocked client. */
export interface ClearPartitionDependencies {
  readonly s3: S3Client;
  readonly settings: ClearPartitionSettings;
  readonly logger: Logger;
}

/** A partition that names no curated partition of this Lakehouse; nothing is deleted. */
export class InvalidPartitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPartition';
  }
}

/**
 * The `clearPartition` handler: deletes every object under
 * `<tablePrefix>/site=<site>/dt=<dt>/` of the curated bucket, so that the curation query that
 * follows (an `INSERT INTO`, which appends) rewrites the partition instead of doubling it. The
 * bucket is versioned: the deleted objects stay restorable as noncurrent versions until the
 * bucket's lifecycle expires them.
 *
 * @throws InvalidPartitionError for an unknown site or a malformed day (checked before any call).
 * @throws Error when S3 refuses a call or a key (the state machine retries the task).
 */
export function createClearPartitionHandler(
  deps: ClearPartitionDependencies,
): (event: ClearPartitionEvent) => Promise<ClearPartitionResult> {
  const { bucket, tablePrefix, siteIds } = deps.settings;
  return async ({ site, dt }) => {
    if (!siteIds.includes(site)) {
      throw new InvalidPartitionError(
        `clearPartition: ${JSON.stringify(site)} is not a site of this Lakehouse (${siteIds.join(', ')})`,
      );
    }
    if (!isIsoDay(dt)) {
      throw new InvalidPartitionError(
        `clearPartition: ${JSON.stringify(dt)} is not a day written yyyy-MM-dd`,
      );
    }
    const prefix = `${tablePrefix}/site=${site}/dt=${dt}/`;
    const keys = await listKeys(deps.s3, bucket, prefix);
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const { Errors = [] } = await deps.s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }),
      );
      if (Errors.length > 0) {
        const named = Errors.slice(0, 3).map((e) => `${e.Key} (${e.Code}: ${e.Message})`);
        throw new Error(
          `clearPartition: S3 kept ${Errors.length} object(s) of s3://${bucket}/${prefix}: ${named.join(', ')}${Errors.length > 3 ? ', ...' : ''}`,
        );
      }
    }
    deps.logger.info('Cleared curated partition', { bucket, prefix, deleted: keys.length });
    return { prefix, deleted: keys.length };
  };
}

/** Every key under `prefix`, following the continuation tokens. */
async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<ObjectIdentifier[]> {
  const keys: ObjectIdentifier[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const { Key } of page.Contents ?? []) if (Key !== undefined) keys.push({ Key });
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}
