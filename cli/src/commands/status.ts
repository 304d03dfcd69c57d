import {
  CloudWatchClient,
  ListTagsForResourceCommand,
  paginateDescribeAlarms,
} from '@aws-sdk/client-cloudwatch';
import {
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { Command } from '../command';
import { type Context, printResult } from '../context';
import { CliError, EXIT } from '../errors';
import { formatTime } from '../format';
import { environmentCluster } from '../kafka-cluster';
import { lastPartitions, PARTITION_LOOKBACK_DAYS } from '../lakehouse-partitions';
import { environmentStacks } from '../stacks';

/** How a checked item stands: `red` makes `status` exit non-zero, `warn` asks for attention. */
export type Level = 'ok' | 'warn' | 'red';

/** One line of the status screen. */
export interface StatusItem {
  readonly level: Level;
  readonly name: string;
  readonly state: string;
  readonly detail?: string;
}

/** One part of the environment and how its items stand. */
export interface StatusSection {
  readonly title: string;
  readonly items: readonly StatusItem[];
}

const LAST_EXECUTIONS = 5;
/** The raw table whose silence at a site is red: no telemetry, no plant. */
const TELEMETRY_TABLE = 'uns_telemetry';
const DAY_MS = 86_400_000;

/** `uns-mlops status`: the whole environment on one screen; non-zero exit when something is red. */
export const statusCommand: Command = {
  name: 'status',
  summary:
    'the environment on one screen: stacks, MSK, newest data, pipeline runs, models to approve',
  usage: ['status -c env=<name>'],
  description: [
    "The environment's CloudFormation stacks, the MSK cluster's state and bootstrap brokers, the",
    'last runs of the SageMaker pipeline and the models waiting for approval. Exits 1 when',
    'something is red: a failed or rolled-back stack, a cluster that is not active, a failed last',
    'pipeline run, a part that cannot be read.',
  ].join('\n'),
  options: {},
  run: async (_invocation, context) => {
    const stacks = await stackSection(context);
    const others = await Promise.all([
      readable(context, `MSK cluster ${context.target.names.kafkaCluster}`, kafkaItems),
      readable(context, 'Raw data, newest day per site and table (UTC)', partitionItems),
      readable(context, `Pipeline ${context.target.names.pipeline}, last runs`, pipelineItems),
      readable(context, 'Models waiting for approval', pendingModelItems),
      readable(context, 'Open alarms', alarmItems),
    ]);
    const sections = [stacks, ...others];
    const red = sections.some((section) => section.items.some((item) => item.level === 'red'));
    const { config, region } = context.target;
    printResult(
      context,
      () =>
        [
          `uns-mlops ${config.name} (account ${config.account}, ${region}): ${red ? 'RED' : 'OK'}\n`,
          ...sections.map(formatSection),
        ].join(''),
      { environment: config.name, account: config.account, region, healthy: !red, sections },
    );
    return red ? EXIT.failure : EXIT.ok;
  },
};

function formatSection(section: StatusSection): string {
  const width = Math.max(0, ...section.items.map((item) => item.name.length));
  const stateWidth = Math.max(0, ...section.items.map((item) => item.state.length));
  const lines = section.items.map((item) =>
    `  ${item.level.toUpperCase().padEnd(4)}  ${item.name.padEnd(width)}  ${item.state.padEnd(stateWidth)}  ${item.detail ?? ''}`.trimEnd(),
  );
  return `\n${section.title}\n${lines.map((line) => `${line}\n`).join('')}`;
}

/** A section whose read failure is a red item rather than the end of the command. */
async function readable(
  context: Context,
  title: string,
  read: (context: Context) => Promise<StatusItem[]>,
): Promise<StatusSection> {
  try {
    return { title, items: await read(context) };
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { title, items: [{ level: 'red', name: 'unreadable', state: text }] };
  }
}

async function stackSection(context: Context): Promise<StatusSection> {
  const { config, region, names } = context.target;
  const stacks = await environmentStacks(context);
  if (stacks.length === 0) {
    throw new CliError(
      `Environment "${config.name}" is not deployed in ${region}: no stack is named ${names.stackPrefix}*.`,
      region === config.region
        ? `Deploy it (npx cdk deploy -c env=${config.name} --all), or check that the credentials are for account ${config.account}.`
        : `The environment lives in ${config.region}: drop --region ${region}, or deploy it there.`,
    );
  }
  return {
    title: 'Stacks',
    items: stacks.map((stack) => {
      const state = stack.StackStatus ?? 'UNKNOWN';
      return {
        level: stackLevel(state),
        name: stack.StackName ?? '',
        state,
        detail: formatTime(stack.LastUpdatedTime ?? stack.CreationTime),
      };
    }),
  };
}

/**
 * Failed and rolled-back-on-create stacks are red; a stack in progress, or kept at its previous
 * template after a failed update, needs a look.
 */
export function stackLevel(status: string): Level {
  if (status.endsWith('_FAILED') || status === 'ROLLBACK_COMPLETE') return 'red';
  if (status.endsWith('_IN_PROGRESS') || status === 'UPDATE_ROLLBACK_COMPLETE') return 'warn';
  return 'ok';
}

async function kafkaItems(context: Context): Promise<StatusItem[]> {
  const cluster = await environmentCluster(context);
  if (!cluster) {
    return [{ level: 'red', name: context.target.names.kafkaCluster, state: 'MISSING' }];
  }
  const { state, brokers } = cluster;
  const level: Level =
    state === 'ACTIVE' ? 'ok' : state === 'UPDATING' || state === 'MAINTENANCE' ? 'warn' : 'red';
  return [
    {
      level,
      name: cluster.type?.toLowerCase() ?? 'cluster',
      state,
      detail: brokers ? `bootstrap (SASL/IAM) ${brokers}` : undefined,
    },
  ];
}

/**
 * Data of today or yesterday (UTC) is fresh; a site without telemetry since is red, another table
 * only asks for a look (inspections or drift reports may pause with production).
 */
async function partitionItems(context: Context): Promise<StatusItem[]> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const now = context.io.now();
  const yesterday = day(now - DAY_MS);
  return (await lastPartitions(context)).map((partition): StatusItem => {
    const fresh = partition.lastDay !== undefined && partition.lastDay >= yesterday;
    return {
      level: fresh ? 'ok' : partition.table === TELEMETRY_TABLE ? 'red' : 'warn',
      name: partition.site,
      state: partition.table,
      detail: partition.lastDay ?? `nothing since ${day(now - PARTITION_LOOKBACK_DAYS * DAY_MS)}`,
    };
  });
}

async function pipelineItems(context: Context): Promise<StatusItem[]> {
  const client = new SageMakerClient({ region: context.target.region });
  const { PipelineExecutionSummaries: executions = [] } = await client.send(
    new ListPipelineExecutionsCommand({
      PipelineName: context.target.names.pipeline,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: LAST_EXECUTIONS,
    }),
  );
  if (executions.length === 0) {
    return [{ level: 'warn', name: 'none', state: 'NEVER RUN', detail: 'runs on its schedule' }];
  }
  return executions.map((execution, index) => {
    const state = execution.PipelineExecutionStatus ?? 'Unknown';
    // Only the newest run decides: an older failure was followed by a run that did better.
    const failed = state === 'Failed';
    return {
      level: failed ? (index === 0 ? 'red' : 'warn') : state === 'Succeeded' ? 'ok' : 'warn',
      name: formatTime(execution.StartTime),
      state,
      detail: [execution.PipelineExecutionDisplayName, execution.PipelineExecutionFailureReason]
        .filter(Boolean)
        .join(': '),
    };
  });
}

async function pendingModelItems(context: Context): Promise<StatusItem[]> {
  const client = new SageMakerClient({ region: context.target.region });
  const { ModelPackageSummaryList: pending = [] } = await client.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: context.target.names.modelPackageGroup,
      ModelApprovalStatus: 'PendingManualApproval',
      ModelPackageType: 'Versioned',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
    }),
  );
  if (pending.length === 0) return [{ level: 'ok', name: 'none', state: '' }];
  return pending.map((model) => ({
    level: 'warn',
    name: `version ${model.ModelPackageVersion ?? '?'}`,
    state: 'PendingManualApproval',
    detail: `registered ${formatTime(model.CreationTime)}; uns-mlops models approve ${model.ModelPackageVersion ?? '?'} -c env=${context.target.config.name} --reason "..."`,
  }));
}

/**
 * The alarms in ALARM that belong to the environment: CloudFormation tags every alarm of its stacks
 * with `project=uns-mlops` and `environment=<name>` (lib/app.ts), whatever the alarm is named.
 */
async function alarmItems(context: Context): Promise<StatusItem[]> {
  const client = new CloudWatchClient({ region: context.target.region });
  const firing: { arn: string; name: string; reason: string; since?: Date }[] = [];
  const pages = paginateDescribeAlarms(
    { client },
    { StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
  );
  for await (const page of pages) {
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.AlarmArn && alarm.AlarmName) {
        firing.push({
          arn: alarm.AlarmArn,
          name: alarm.AlarmName,
          reason: alarm.StateReason ?? '',
          since: alarm.StateUpdatedTimestamp,
        });
      }
    }
  }
  const tagged = await Promise.all(
    firing.map(async (alarm) => {
      const { Tags: tags = [] } = await client.send(
        new ListTagsForResourceCommand({ ResourceARN: alarm.arn }),
      );
      const tag = (key: string) => tags.find((candidate) => candidate.Key === key)?.Value;
      const ours =
        tag('project') === 'uns-mlops' && tag('environment') === context.target.config.name;
      return ours ? [alarm] : [];
    }),
  );
  const open = tagged.flat().sort((a, b) => a.name.localeCompare(b.name));
  if (open.length === 0) return [{ level: 'ok', name: 'none', state: '' }];
  return open.map((alarm) => ({
    level: 'red',
    name: alarm.name,
    state: `since ${formatTime(alarm.since)}`,
    detail: alarm.reason,
  }));
}
