import { type CfnElement, Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The cdk-nag finding id of an IAM resource wildcard over a bucket's objects, as cdk-nag names it:
 * `AwsSolutions-IAM5[Resource::<LogicalId.Arn>/<keyPattern>]`. Acknowledging by this id covers
 * exactly that bucket and key pattern, not every wildcard of the policy.
 */
export function bucketObjectsWildcardFinding(bucket: s3.IBucket, keyPattern: string): string {
  const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
  return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${keyPattern}]`;
}
