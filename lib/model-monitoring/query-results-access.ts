import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { Lakehouse } from '../lakehouse';
import { BucketObjects } from '../quality/bucket-objects';

/**
 * The rights to the Lakehouse workgroup's query results, as a policy of `scope`'s stack can hold
 * them: the statements the Lakehouse's `queryStatements()` gives for the results (locate and list
 * the bucket, read and write the results prefix, the key), without its Athena statement, and the
 * cdk-nag finding ids of their object wildcards.
 *
 * A results bucket of another stack is referenced through a named export
 * (`<stack>-AthenaResultsBucketArn`, see {@link BucketObjects}), so that the finding ids are known
 * when the acknowledgements are written.
 */
export class QueryResultsAccess {
  readonly statements: readonly iam.PolicyStatement[];
  /** One per object wildcard of {@link statements}, e.g. `AwsSolutions-IAM5[Resource::…/athena/*]`. */
  readonly wildcardFindings: readonly string[];

  constructor(scope: Construct, lakehouse: Lakehouse) {
    const bucket = lakehouse.storage.athenaResultsBucket;
    const results = new BucketObjects(scope, bucket, 'AthenaResultsBucketArn');
    const findings = new Set<string>();
    // The Lakehouse writes each resource as the bucket's ARN (a token) followed by its key pattern.
    const rename = (resource: string): string => {
      if (!resource.startsWith(bucket.bucketArn)) return resource;
      const objects = resource.slice(bucket.bucketArn.length);
      if (objects.includes('*')) findings.add(results.wildcardFinding(objects.slice(1)));
      return `${results.bucketArn}${objects}`;
    };
    this.statements = lakehouse.analytics
      .queryStatements()
      .filter((statement) => !statement.actions.some((action) => action.startsWith('athena:')))
      .map(
        (statement) =>
          new iam.PolicyStatement({
            sid: statement.sid,
            actions: statement.actions,
            resources: statement.resources.map(rename),
            conditions: statement.conditions as Record<string, unknown>,
          }),
      );
    this.wildcardFindings = [...findings];
  }
}
