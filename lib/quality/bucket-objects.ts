import { Fn, Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { bucketObjectsWildcardFinding } from './nag-findings';

/**
 * A bucket's ARN and the ARNs of its objects, as a policy of `scope`'s stack can name them, with
 * the cdk-nag finding id of a wildcard over them.
 *
 * A bucket of another stack is referenced through an export by name (`<owner stack>-<suffix>`,
 * e.g. `uns-mlops-dev-Lakehouse-RawBucketArn`), not the project's default weak reference: cdk-nag
 * writes the resolved ARN into the finding id, and only an import by name is known when the
 * acknowledgement is written. One export serves every construct that names the bucket's objects
 * under the same suffix (`exportValue` refuses a second output of the same name).
 */
export class BucketObjects {
  /** The bucket's ARN, as `scope`'s stack reaches it. */
  readonly bucketArn: string;
  private readonly crossStack: boolean;
  private readonly exportName: string;

  constructor(
    scope: Construct,
    private readonly bucket: s3.IBucket,
    suffix: string,
  ) {
    const owner = Stack.of(bucket);
    this.crossStack = owner !== Stack.of(scope);
    this.exportName = `${owner.stackName}-${suffix}`;
    const exported = owner.node.tryFindChild(`Export${this.exportName}`) !== undefined;
    this.bucketArn = !this.crossStack
      ? bucket.bucketArn
      : exported
        ? Fn.importValue(this.exportName)
        : owner.exportValue(bucket.bucketArn, { name: this.exportName });
  }

  /** The ARN of the objects matching `pattern`: `<bucket ARN>/<pattern>`. */
  arn(pattern: string): string {
    return `${this.bucketArn}/${pattern}`;
  }

  /** The cdk-nag finding id of a wildcard over the objects matching `pattern`. */
  wildcardFinding(pattern: string): string {
    return this.crossStack
      ? `AwsSolutions-IAM5[Resource::${this.exportName}/${pattern}]`
      : bucketObjectsWildcardFinding(this.bucket, pattern);
  }
}
