import { type CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import { ignoreCfnLintRule } from '../network/cfn-lint';
import { acknowledgeGeneratedWildcards } from './nag-findings';

/**
 * Construct ids of the singleton functions aws-cdk-lib adds to a stack for `BucketDeployment` and
 * `AwsCustomResource`.
 */
const PROVIDER_FUNCTION_IDS = [
  /^Custom::CDKBucketDeployment/,
  /^AWS679f53fac002430cb0da5b7982bd2287$/,
];

const REASONS = {
  lambda:
    'This is a provider function of aws-cdk-lib that CloudFormation invokes only while the stack deploys; its runtime, role and packaging are fixed by aws-cdk-lib.',
  notInVpc:
    'The provider function only calls the S3 and MSK control-plane APIs while the stack deploys and handles no plant data, so it runs outside the private VPC.',
  invocation:
    'CloudFormation invokes the provider function synchronously while the stack deploys and reports a failure itself; concurrency limits and dead-letter queues do not apply.',
};

/**
 * Acknowledges the cdk-nag findings on the provider functions aws-cdk-lib adds for artifact
 * uploads and SDK lookups, which the project cannot shape (their log groups are encrypted by the
 * callers). Call after the functions exist.
 */
export function acknowledgeProviderFunctions(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!PROVIDER_FUNCTION_IDS.some((pattern) => pattern.test(child.node.id))) continue;
    Validations.of(child).acknowledge(
      { id: 'AwsSolutions-L1', reason: REASONS.lambda },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: REASONS.lambda,
      },
      { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: REASONS.lambda },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: REASONS.notInVpc },
      { id: 'NIST.800.53.R5-LambdaConcurrency', reason: REASONS.invocation },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: REASONS.invocation },
    );
    // aws-cdk-lib makes the function depend on its role explicitly, besides the role reference.
    ignoreCfnLintRule(child.node.defaultChild as CfnResource, 'W3005');
    acknowledgeGeneratedWildcards(
      child,
      `${REASONS.lambda} Its grants cover the CDK asset bucket and the artifact bucket by object prefix.`,
    );
  }
}
