import { Fn, Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { bucketObjectsWildcardFinding } from '../quality/nag-findings';

/**
 * Where one curated table's objects lie (`<table>/` of the curated bucket), as ARNs a policy of
 * `scope`'s stack can name, with the cdk-nag finding id of the objects' wildcard.
 *
 * A bucket of another stack is referenced through a named export (`<stack>-CuratedBucketArn`),
 * not the project's default weak reference: cdk-nag writes the resolved ARN into the finding id,
 * and only an import by name is known when the acknowledgement is written.
 */
export class CuratedTableLocation {
  /** The curated bucket's ARN, as `scope`'s stack reaches it. */
  readonly bucketArn: string;
  /** The table's key prefix, with its slash: `labelled_telemetry/`. */
  readonly prefix: string;
  private readonly exportName?: string;

  constructor(
    scope: Construct,
    private readonly bucket: s3.IBucket,
    table: string,
  ) {
    this.prefix = `${table}/`;
    const owner = Stack.of(bucket);
    if (owner === Stack.of(scope)) {
      this.bucketArn = bucket.bucketArn;
      return;
    }
    this.exportName = `${owner.stackName}-CuratedBucketArn`;
    // One export serves every construct that names the bucket's objects (exportValue refuses a
    // second output of the same name).
    const exported = owner.node.tryFindChild(`Export${this.exportName}`) !== undefined;
    this.bucketArn = exported
      ? Fn.importValue(this.exportName)
      : owner.exportValue(bucket.bucketArn, { name: this.exportName });
  }

  /** The ARN of the table's objects: `<bucket ARN>/<table>/*`. */
  get objectsArn(): string {
    return `${this.bucketArn}/${this.prefix}*`;
  }

  /** The location Lake Formation grants on: `<bucket ARN>/<table>`. */
  get locationArn(): string {
    return `${this.bucketArn}/${this.prefix.slice(0, -1)}`;
  }

  /** The cdk-nag finding id of {@link objectsArn}'s wildcard. */
  get objectsWildcardFinding(): string {
    return this.exportName === undefined
      ? bucketObjectsWildcardFinding(this.bucket, `${this.prefix}*`)
      : `AwsSolutions-IAM5[Resource::${this.exportName}/${this.prefix}*]`;
  }
}
