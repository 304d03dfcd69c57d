import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { BucketObjects } from '../quality/bucket-objects';

/**
 * Where one curated table's objects lie (`<table>/` of the curated bucket), as ARNs a policy of
 * `scope`'s stack can name, with the cdk-nag finding id of the objects' wildcard.
 *
 * A bucket of another stack is referenced through a named export (`<stack>-CuratedBucketArn`,
 * see {@link BucketObjects}), so that the finding id is known when the acknowledgement is written.
 */
export class CuratedTableLocation {
  /** The curated bucket's ARN, as `scope`'s stack reaches it. */
  readonly bucketArn: string;
  /** The table's key prefix, with its slash: `labelled_telemetry/`. */
  readonly prefix: string;
  private readonly objects: BucketObjects;

  constructor(scope: Construct, bucket: s3.IBucket, table: string) {
    this.prefix = `${table}/`;
    this.objects = new BucketObjects(scope, bucket, 'CuratedBucketArn');
    this.bucketArn = this.objects.bucketArn;
  }

  /** The ARN of the table's objects: `<bucket ARN>/<table>/*`. */
  get objectsArn(): string {
    return this.objects.arn(`${this.prefix}*`);
  }

  /** The location Lake Formation grants on: `<bucket ARN>/<table>`. */
  get locationArn(): string {
    return this.objects.arn(this.prefix.slice(0, -1));
  }

  /** The cdk-nag finding id of {@link objectsArn}'s wildcard. */
  get objectsWildcardFinding(): string {
    return this.objects.wildcardFinding(`${this.prefix}*`);
  }

  /** `ListCuratedTable`: listing the bucket's keys under the table's prefix, and no others. */
  listStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'ListCuratedTable',
      actions: ['s3:ListBucket'],
      resources: [this.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${this.prefix}*`] } },
    });
  }
}
