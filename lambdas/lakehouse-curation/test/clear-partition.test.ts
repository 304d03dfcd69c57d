import {
  DeleteObjectsCommand,
  type DeleteObjectsRequest,
  ListObjectsV2Command,
  type ListObjectsV2Request,
  S3Client,
} from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { createClearPartitionHandler } from '../src/clear-partition';

const BUCKET = 'uns-mlops-dev-curated';
const s3 = mockClient(S3Client);

/**
 * An in-memory bucket behind the mocked S3 client: ListObjectsV2 returns pages of `pageSize` keys
 * in key order with continuation tokens; DeleteObjects removes keys, except those in `refused`.
 */
class FakeBucket {
  readonly keys = new Set<string>();
  readonly refused = new Set<string>();

  constructor(pageSize = 1000) {
    s3.reset();
    s3.on(ListObjectsV2Command).callsFake((request: ListObjectsV2Request) => {
      const matching = [...this.keys].filter((key) => key.startsWith(request.Prefix ?? '')).sort();
      const start = Number(request.ContinuationToken ?? '0');
      const page = matching.slice(start, start + pageSize);
      const next = start + pageSize;
      return {
        Contents: page.map((Key) => ({ Key })),
        KeyCount: page.length,
        IsTruncated: next < matching.length,
        ...(next < matching.length && { NextContinuationToken: String(next) }),
      };
    });
    s3.on(DeleteObjectsCommand).callsFake((request: DeleteObjectsRequest) => {
      const Errors = [];
      for (const { Key = '' } of request.Delete?.Objects ?? []) {
        if (this.refused.has(Key))
          Errors.push({ Key, Code: 'AccessDenied', Message: 'Access Denied' });
        else this.keys.delete(Key);
      }
      return { Errors };
    });
  }

  add(...keys: string[]): this {
    for (const key of keys) this.keys.add(key);
    return this;
  }
}

function clear() {
  return createClearPartitionHandler({
    s3: new S3Client({ region: 'eu-central-1' }),
    settings: { bucket: BUCKET, tablePrefix: 'labelled_telemetry', siteIds: ['zwickau', 'mlada'] },
    logger: new Logger({ serviceName: 'lakehouse-curation-test', logLevel: 'SILENT' }),
  });
}

const PARTITION = 'labelled_telemetry/site=zwickau/dt=2026-12-01/';

describe('clearPartition', () => {
  it('deletes every object of the partition and nothing of other days, sites or tables', async () => {
    const bucket = new FakeBucket().add(
      `${PARTITION}20261202_023100_00001_abcde_0.parquet`,
      `${PARTITION}20261202_023100_00001_abcde_1.parquet`,
      'labelled_telemetry/site=zwickau/dt=2026-12-02/a.parquet',
      'labelled_telemetry/site=zwickau/dt=2026-12-011/a.parquet',
      'labelled_telemetry/site=mlada/dt=2026-12-01/a.parquet',
      'other_table/site=zwickau/dt=2026-12-01/a.parquet',
    );

    const result = await clear()({ site: 'zwickau', dt: '2026-12-01' });

    expect(result).toEqual({ prefix: PARTITION, deleted: 2 });
    expect([...bucket.keys].sort()).toEqual([
      'labelled_telemetry/site=mlada/dt=2026-12-01/a.parquet',
      'labelled_telemetry/site=zwickau/dt=2026-12-011/a.parquet',
      'labelled_telemetry/site=zwickau/dt=2026-12-02/a.parquet',
      'other_table/site=zwickau/dt=2026-12-01/a.parquet',
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toEqual({
      Bucket: BUCKET,
      Prefix: PARTITION,
      ContinuationToken: undefined,
    });
  });

  it('succeeds with nothing to delete on a partition that was never curated', async () => {
    new FakeBucket();
    await expect(clear()({ site: 'zwickau', dt: '2026-12-01' })).resolves.toEqual({
      prefix: PARTITION,
      deleted: 0,
    });
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it('follows the listing’s pages and deletes in batches of at most 1000 keys', async () => {
    const bucket = new FakeBucket(400);
    for (let index = 0; index < 2500; index += 1) {
      bucket.add(`${PARTITION}part-${String(index).padStart(5, '0')}.parquet`);
    }

    await expect(clear()({ site: 'zwickau', dt: '2026-12-01' })).resolves.toEqual({
      prefix: PARTITION,
      deleted: 2500,
    });
    expect(bucket.keys.size).toBe(0);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(7);
    expect(
      s3
        .commandCalls(DeleteObjectsCommand)
        .map((call) => call.args[0].input.Delete!.Objects!.length),
    ).toEqual([1000, 1000, 500]);
    expect(s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input.Delete!.Quiet).toBe(true);
  });

  it('fails, naming the keys, when S3 keeps some of them (DeleteObjects answers 200 all the same)', async () => {
    const bucket = new FakeBucket().add(`${PARTITION}a.parquet`, `${PARTITION}b.parquet`);
    bucket.refused.add(`${PARTITION}b.parquet`);

    await expect(clear()({ site: 'zwickau', dt: '2026-12-01' })).rejects.toThrow(
      `clearPartition: S3 kept 1 object(s) of s3://${BUCKET}/${PARTITION}: ${PARTITION}b.parquet (AccessDenied: Access Denied)`,
    );
  });

  it('refuses a site of no plant and a malformed day before calling S3', async () => {
    new FakeBucket();
    await expect(clear()({ site: 'zwickau/..', dt: '2026-12-01' })).rejects.toMatchObject({
      name: 'InvalidPartition',
      message: 'clearPartition: "zwickau/.." is not a site of this Lakehouse (zwickau, mlada)',
    });
    await expect(clear()({ site: 'zwickau', dt: '2026-12-01/' })).rejects.toMatchObject({
      name: 'InvalidPartition',
      message: 'clearPartition: "2026-12-01/" is not a day written yyyy-MM-dd',
    });
    expect(s3.calls()).toHaveLength(0);
  });

  it('lets an S3 error fail the task, for the state machine’s retry', async () => {
    new FakeBucket();
    s3.on(ListObjectsV2Command).rejects(
      Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' }),
    );
    await expect(clear()({ site: 'zwickau', dt: '2026-12-01' })).rejects.toMatchObject({
      name: 'SlowDown',
    });
  });
});
