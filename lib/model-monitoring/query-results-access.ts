import { Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { Lakehouse } from '../lakehouse';
import { bucketObjectsWildcardFinding } from '../quality/nag-findings';

/**
 * The rights to the Lakehouse workgroup's query results, as a policy of `scope`'s stack can hold
 * them: the statements the Lakehouse's `queryStatements()` gives for the results (locate and list
 * the bucket, read and write the results prefix, the key), without its Athena statement, and the
 * cdk-nag finding ids of their object wildcards.
 *
 * A results bucket of another stack is referenced through a named export
 * (`<stack>-AthenaResultsBucketArn`), not the project's default weak reference: cdk-nag writes the
 * resolved ARN into the finding id, and only an import by name is known when the acknowledgement
 * is written.
 */
export class QueryResultsAccess {
  readonly statements: readonly iam.PolicyStatement[];
  /** One per object wildcard of {@link statements}, e.g. `AwsSolutions-IAM5[Resource::…/athena/*]`. */
  readonly wildcardFindings: readonly string[];

  constructor(scope: Construct, lakehouse: Lakehouse) {
    const bucket = lakehouse.storage.athenaResultsBucket;
    const owner = Stack.of(bucket);
    const exportName = `${owner.stackName}-AthenaResultsBucketArn`;
    const crossStack = owner !== Stack.of(scope);
    const exported = owner.node.tryFindChild(`Export${exportName}`) !== undefined;
    const bucketArn = !crossStack
      ? bucket.bucketArn
      : exported
        ? Fn.importValue(exportName)
        : owner.exportValue(bucket.bucketArn, { name: exportName });
    const findings = new Set<string>();
    // The Lakehouse writes each resource as the bucket's ARN (a token) followed by its key pattern.
    const rename = (resource: string): string => {
      if (!resource.startsWith(bucket.bucketArn)) return resource;
      const objects = resource.slice(bucket.bucketArn.length);
      if (objects.includes('*')) {
        const pattern = objects.slice(1);
        findings.add(
          crossStack
            ? `AwsSolutions-IAM5[Resource::${exportName}/${pattern}]`
            : bucketObjectsWildcardFinding(bucket, pattern),
        );
      }
      return `${bucketArn}${objects}`;
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
