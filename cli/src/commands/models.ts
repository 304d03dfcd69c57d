import type { ModelApprovalStatus } from '@aws-sdk/client-sagemaker';
import { type Command, countOption, flag, type Invocation, stringOption } from '../command';
import { type Context, printResult } from '../context';
import { CliError, EXIT, UsageError } from '../errors';
import { formatTable, formatTime } from '../format';
import {
  describeModelVersion,
  type GateMetric,
  listModelVersions,
  MAX_REASON_LENGTH,
  type ModelVersion,
  qualityGate,
  setApproval,
} from '../models/registry';
import { requireStack } from '../stacks';

const STATUSES: readonly ModelApprovalStatus[] = ['PendingManualApproval', 'Approved', 'Rejected'];
/** The metrics of the evaluation report shown in the list, in this order. */
const LISTED_METRICS = ['roc_auc', 'f1', 'pr_auc', 'precision', 'recall'] as const;

/** `uns-mlops models list|approve|reject`: the model registry of the environment's pipeline. */
export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the registered models; approve or reject one, its evaluation shown first',
  usage: [
    'models list [--status <status>] [--max <n>] -c env=<name>',
    'models approve <version> --reason "<why>" [--yes] -c env=<name>',
    'models reject <version> --reason "<why>" [--yes] -c env=<name>',
  ],
  description: [
    "The versions of the ML pipeline's model package group, newest first, with the test metrics of",
    'their evaluation report (evaluation.json, as the pipeline registered it). `approve` and `reject`',
    'show the version, its metrics against the quality gate of the environment, then ask before',
    'setting the status (--yes: do not ask); the reason is kept as the approval description.',
    'Approving a version starts the model rollout to the plants (lib/model-rollout).',
  ].join('\n'),
  options: {
    status: {
      type: 'string',
      placeholder: '<status>',
      help: `list: only versions of this status (${STATUSES.join(', ')})`,
    },
    max: {
      type: 'string',
      placeholder: '<n>',
      help: 'list: at most this many versions (default 10)',
    },
    reason: {
      type: 'string',
      placeholder: '"<why>"',
      help: 'approve, reject: why, kept in the registry with the decision (required)',
    },
    yes: { type: 'boolean', short: 'y', help: 'approve, reject: do not ask for confirmation' },
  },
  run: async (invocation, context) => {
    const [action, ...rest] = invocation.positionals;
    if (action === 'list' && rest.length === 0) return list(invocation, context);
    if ((action === 'approve' || action === 'reject') && rest.length === 1 && rest[0]) {
      return decide(action, rest[0], invocation, context);
    }
    throw new UsageError(
      action === undefined
        ? 'models needs an action: list, approve or reject.'
        : ['list', 'approve', 'reject'].includes(action)
          ? `Wrong arguments for models ${action}.`
          : `Unknown models action "${action}".`,
      'Use `models list`, `models approve <version> --reason "..."` or `models reject <version> --reason "..."`.',
    );
  },
};

async function list(invocation: Invocation, context: Context): Promise<number> {
  const status = stringOption(invocation, 'status');
  if (status !== undefined && !STATUSES.includes(status as ModelApprovalStatus)) {
    throw new UsageError(`Unknown status "${status}".`, `Use one of ${STATUSES.join(', ')}.`);
  }
  const max = countOption(invocation, 'max', 10);
  await requireStack(context, 'MlPipeline');
  const versions = await listModelVersions(context, {
    max,
    ...(status ? { status: status as ModelApprovalStatus } : {}),
  });
  const { names, config, region } = context.target;
  printResult(
    context,
    () => {
      const heading = `Model package group ${names.modelPackageGroup} (${config.name}, ${region}): `;
      if (versions.length === 0) {
        return `${heading}no ${status ? `${status} ` : ''}versions.\n`;
      }
      const rows = versions.map((version) => [
        String(version.version),
        version.status,
        formatTime(version.created),
        ...LISTED_METRICS.map((metric) => formatMetric(version.metrics?.[metric])),
      ]);
      const unread = versions.filter((version) => version.metricsProblem);
      return [
        `${heading}${versions.length} version${versions.length === 1 ? '' : 's'}, newest first\n`,
        formatTable(
          ['VERSION', 'STATUS', 'CREATED', ...LISTED_METRICS.map((m) => m.toUpperCase())],
          rows,
        ),
        ...unread.map(
          (version) => `version ${version.version}: no metrics, ${version.metricsProblem}\n`,
        ),
      ].join('');
    },
    { modelPackageGroup: names.modelPackageGroup, versions },
  );
  return EXIT.ok;
}

async function decide(
  action: 'approve' | 'reject',
  versionOrArn: string,
  invocation: Invocation,
  context: Context,
): Promise<number> {
  const reason = stringOption(invocation, 'reason')?.trim();
  if (!reason) {
    throw new UsageError(
      `models ${action} needs a reason.`,
      `Add --reason "<why>", e.g. --reason "ROC-AUC 0.99 on last week's seams, checked with the line lead".`,
    );
  }
  if (reason.length > MAX_REASON_LENGTH) {
    throw new UsageError(
      `The reason has ${reason.length} characters; the model registry keeps at most ${MAX_REASON_LENGTH}.`,
      'Shorten --reason, and link to the longer record (a ticket, a report) instead.',
    );
  }
  const yes = flag(invocation, 'yes');
  if (!yes && !context.io.stdinIsTty) {
    throw new UsageError(
      `models ${action} asks for confirmation, and there is no terminal to answer on.`,
      'Add --yes to decide without asking.',
    );
  }
  await requireStack(context, 'MlPipeline');
  const version = await describeModelVersion(context, versionOrArn);
  const gate = qualityGate(context);
  const status = action === 'approve' ? 'Approved' : 'Rejected';
  if (!context.json) context.io.stderr(describeVersion(context, version, gate));
  if (version.status === status) {
    throw new CliError(
      `Version ${version.version} is already ${status}.`,
      'Nothing to do; `models list` shows every version and its status.',
    );
  }
  if (!yes) {
    const answer = await context.io.ask(
      `${action === 'approve' ? 'Approve' : 'Reject'} version ${version.version}? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) {
      context.io.stderr(`Left as ${version.status}.\n`);
      return EXIT.failure;
    }
  }
  await setApproval(context, version, status, reason);
  printResult(
    context,
    () =>
      `Version ${version.version} of ${context.target.names.modelPackageGroup} is ${status}: ${reason}\n` +
      (status === 'Approved'
        ? 'The model rollout takes it from here (shadow at the canary, then the waves).\n'
        : ''),
    { ...version, previousStatus: version.status, status, approvalDescription: reason },
  );
  return EXIT.ok;
}

/** The version's details and its metrics, each gate metric with its minimum and verdict. */
function describeVersion(
  context: Context,
  version: ModelVersion,
  gate: readonly GateMetric[],
): string {
  const { names, config, region } = context.target;
  const field = (name: string, value: string) => `  ${name.padEnd(12)}  ${value}\n`;
  const metadata = Object.entries(version.metadata)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  const metricLines = version.metrics
    ? Object.entries(version.metrics).map(([name, value]) => {
        const required = gate.find((metric) => metric.metric === name);
        if (!required) return `${name} ${formatMetric(value)}`;
        const met = value !== null && value >= required.minimum;
        return `${name} ${formatMetric(value)} (gate >= ${required.minimum}: ${met ? 'met' : 'MISSED'})`;
      })
    : [`none: ${version.metricsProblem ?? 'unknown'}`];
  return [
    `Model package ${names.modelPackageGroup} version ${version.version} (${config.name}, ${region})\n`,
    field('status', version.status),
    field('created', formatTime(version.created)),
    ...(version.approvalDescription ? [field('reason', version.approvalDescription)] : []),
    ...(version.generatedBy ? [field('generated by', version.generatedBy)] : []),
    ...(metadata ? [field('metadata', metadata)] : []),
    ...(version.evaluationReport ? [field('report', version.evaluationReport)] : []),
    ...metricLines.map((line, index) => field(index === 0 ? 'metrics' : '', line)),
  ].join('');
}

function formatMetric(value: number | null | undefined): string {
  return typeof value === 'number' ? value.toFixed(4) : '-';
}
