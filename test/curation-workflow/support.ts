import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CurationSettings } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { CurationStack } from '../../lib/stacks/curation-stack';
import { LakehouseStack } from '../../lib/stacks/lakehouse-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { environmentApp } from '../support/environment-app';
import { only } from '../support/resources';

/**
 * An environment's curation stack with the stacks it builds on, as `addPlatformStacks` builds them
 * (with `curation` settings changed, if given), the compliance checks registered; synthesized into
 * `outdir` by `synth()`.
 */
export function buildCuration(name: string, curation?: CurationSettings) {
  const resolved = resolveEnvironment(name);
  const built = environmentApp(
    curation === undefined
      ? resolved
      : { ...resolved, curation: { ...resolved.curation, ...curation } },
  );
  const lakehouse = built.addStack(LakehouseStack, 'Lakehouse', {});
  const network = built.addStack(NetworkStack, 'Network', {});
  const stack = built.addStack(CurationStack, 'Curation', {
    lakehouse: lakehouse.lakehouse,
    network: network.network,
  });
  return { ...built, lakehouse, network, stack };
}

/**
 * A template value as CloudFormation fills it in at deployment, as far as the templates tell:
 * `Fn::Join` joined; a weak cross-stack reference (`Fn::GetStackOutput`) followed to the resource
 * of the other stack, whose physical name is its Glue `DatabaseInput.Name` / `TableInput.Name` or
 * its Athena `Name`; `AWS::Partition` is `aws`; any other reference, attribute or import stays
 * `<LogicalId>`, `<LogicalId.Attribute>` or `<import:Name>`.
 */
export function deployedValue(value: unknown, stacks: readonly Stack[]): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, any>;
  if (node['Fn::Join'] !== undefined) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => deployedValue(part, stacks)).join(delimiter);
  }
  if (node.Ref === 'AWS::Partition') return 'aws';
  if (typeof node.Ref === 'string') return `<${node.Ref}>`;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${node['Fn::GetAtt'].join('.')}>`;
  if (node['Fn::ImportValue'] !== undefined) return `<import:${node['Fn::ImportValue']}>`;
  const output = node['Fn::GetStackOutput'];
  if (output !== undefined) {
    const owner = stacks.find((stack) => stack.stackName === output.StackName);
    if (owner === undefined) throw new Error(`no stack ${output.StackName}`);
    const json = Template.fromStack(owner).toJSON();
    const exported = json.Outputs[output.OutputName].Value as Record<string, any>;
    if (typeof exported.Ref !== 'string') return `<${output.StackName}:${output.OutputName}>`;
    const properties = json.Resources[exported.Ref].Properties;
    return (
      properties.DatabaseInput?.Name ??
      properties.TableInput?.Name ??
      properties.Name ??
      `<${exported.Ref}>`
    );
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** One state of an Amazon States Language definition, as far as the tests read it. */
export interface StateJson {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Variable: string; NumericGreaterThan?: number; Next: string }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; IntervalSeconds?: number }[];
  Resource?: string;
  Parameters?: Record<string, any>;
  ResultSelector?: Record<string, string>;
  ResultPath?: string;
  OutputPath?: string;
  TimeoutSeconds?: number;
  ItemsPath?: string;
  MaxConcurrency?: number;
  ItemProcessor?: { StartAt: string; States: Record<string, StateJson> };
  Error?: string;
  CausePath?: string;
}

/** The curation state machine of a stack, its definition as deployed and parsed. */
export function workflowDefinition(
  stack: Stack,
  stacks: readonly Stack[],
): { StartAt: string; States: Record<string, StateJson>; TimeoutSeconds?: number } {
  const { resource } = only(Template.fromStack(stack), 'AWS::StepFunctions::StateMachine');
  return JSON.parse(deployedValue(resource.Properties.DefinitionString, stacks));
}
