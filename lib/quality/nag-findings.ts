import { Aspects, type CfnElement, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The cdk-nag finding id of an IAM resource wildcard over a bucket's objects, as cdk-nag names it:
 * `AwsSolutions-IAM5[Resource::<LogicalId.Arn>/<keyPattern>]`. Acknowledging by this id covers
 * exactly that bucket and key pattern, not every wildcard of the policy.
 */
export function bucketObjectsWildcardFinding(bucket: s3.IBucket, keyPattern: string): string {
  const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
  return `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${keyPattern}]`;
}

/**
 * The cdk-nag finding id of an IAM resource wildcard, rendered as cdk-nag renders it: literal
 * parts as they are, `{"Ref": "X"}` as `<X>`, `Fn::Join` parts joined. Acknowledging by this id
 * covers exactly that resource, not every wildcard of the policy.
 */
export function wildcardFinding(scope: IConstruct, resource: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as { Ref?: unknown; 'Fn::Join'?: [string, unknown[]] };
    if (typeof node.Ref === 'string') return `<${node.Ref}>`;
    if (node['Fn::Join'] !== undefined) {
      const [delimiter, parts] = node['Fn::Join'];
      return parts.map(render).join(delimiter);
    }
    throw new Error(`Cannot name the cdk-nag finding of ${JSON.stringify(value)}`);
  };
  return `AwsSolutions-IAM5[Resource::${render(Stack.of(scope).resolve(resource))}]`;
}

/**
 * Acknowledges, with one reason, every IAM wildcard finding (AwsSolutions-IAM5) of the resources
 * under `scope` once their policies are complete. Only for policies that aws-cdk-lib generates
 * (CDK Pipelines, provider functions, Step Functions grants), whose shape the project cannot
 * change; the project's own policies acknowledge each wildcard by its id.
 */
export function acknowledgeGeneratedWildcards(scope: IConstruct, reason: string): void {
  Aspects.of(scope).add({
    visit(node: IConstruct): void {
      if (!(node instanceof CfnResource)) return;
      const findings = rules.iam.IAMNoWildcardPermissions(node);
      if (!Array.isArray(findings)) return;
      Validations.of(node).acknowledge(
        ...findings.map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason })),
      );
    },
  });
}
