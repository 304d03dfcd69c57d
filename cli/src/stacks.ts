import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateDescribeStacks,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import type { Context } from './context';
import { stackName } from './environment';
import { CliError } from './errors';

/**
 * The deployed stack of one part of the environment (`MlPipeline`, `Lakehouse`, ...).
 *
 * @throws CliError when the stack does not exist in the target region: the environment is not
 *   deployed there, or the region is wrong.
 */
export async function requireStack(context: Context, part: string): Promise<Stack> {
  const { config, region } = context.target;
  const name = stackName(config, part);
  const client = new CloudFormationClient({ region });
  try {
    const { Stacks: [stack] = [] } = await client.send(
      new DescribeStacksCommand({ StackName: name }),
    );
    if (stack) return stack;
  } catch (error) {
    if (!(error instanceof Error && /does not exist/.test(error.message))) throw error;
  }
  throw new CliError(
    `Environment "${config.name}" is not deployed in ${region}: stack ${name} does not exist.`,
    region === config.region
      ? `Deploy it (npx cdk deploy -c env=${config.name} ${name}), or check that the credentials are for account ${config.account}.`
      : `The environment lives in ${config.region}: drop --region ${region}, or deploy it there.`,
  );
}

/** Every stack of the environment that exists in the target region, in name order. */
export async function environmentStacks(context: Context): Promise<Stack[]> {
  const client = new CloudFormationClient({ region: context.target.region });
  const stacks: Stack[] = [];
  for await (const page of paginateDescribeStacks({ client }, {})) {
    for (const stack of page.Stacks ?? []) {
      if (stack.StackName?.startsWith(context.target.names.stackPrefix)) stacks.push(stack);
    }
  }
  return stacks.sort((a, b) => (a.StackName ?? '').localeCompare(b.StackName ?? ''));
}
