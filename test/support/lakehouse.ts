import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { Lakehouse, type LakehouseProps } from '../../lib/lakehouse';
import { newApp } from './app';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-central-1';

/** A Lakehouse alone in a stack, with the cdk.json feature flags, and its template. */
export function synthLakehouse(props: Partial<LakehouseProps> = {}): {
  stack: Stack;
  lakehouse: Lakehouse;
  template: Template;
} {
  const stack = new Stack(newApp(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
  const lakehouse = new Lakehouse(stack, 'Lakehouse', {
    siteIds: ['zwickau', 'mlada-boleslav'],
    ...props,
  });
  return { stack, lakehouse, template: Template.fromStack(stack) };
}

/** The logical id CloudFormation gives a construct's main resource (or the resource itself). */
export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return stack.getLogicalId(element);
}
