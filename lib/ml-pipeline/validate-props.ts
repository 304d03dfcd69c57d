import { Token } from 'aws-cdk-lib';
import { scheduleProblems } from '../schedule';
import {
  ML_PIPELINE_DEFAULTS,
  ML_PIPELINE_INPUT_SOURCES,
  MODEL_APPROVAL_STATUSES,
  type MlPipelineProps,
} from './ml-pipeline-props';

const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
const CHANNEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Props whose values can be checked before anything is created (everything but constructs). */
export type CheckableMlPipelineProps = Omit<
  MlPipelineProps,
  'lakehouse' | 'encryptionKey' | 'serverAccessLogsBucket' | 'removalPolicy'
>;

/**
 * Every problem with the given ML pipeline props, each naming the prop; empty when they are valid.
 * Unresolved tokens are not checked. Shared by the construct and the environment configuration.
 */
export function mlPipelinePropsProblems(props: CheckableMlPipelineProps): string[] {
  const problems: string[] = [];
  const check = (value: unknown, ok: boolean, problem: string): void => {
    if (value !== undefined && !Token.isUnresolved(value) && !ok) problems.push(problem);
  };
  const quote = (value: unknown) => JSON.stringify(value);

  check(
    props.pipelineName,
    PIPELINE_NAME.test(props.pipelineName ?? ''),
    `pipelineName ${quote(props.pipelineName)} must be 1-63 letters, digits or hyphens, starting and ending with a letter or digit`,
  );
  check(
    props.inputSource,
    ML_PIPELINE_INPUT_SOURCES.includes(props.inputSource ?? 's3'),
    `inputSource ${quote(props.inputSource)} must be one of ${ML_PIPELINE_INPUT_SOURCES.join(', ')}`,
  );
  check(
    props.modelApprovalStatus,
    MODEL_APPROVAL_STATUSES.includes(props.modelApprovalStatus ?? 'Approved'),
    `modelApprovalStatus ${quote(props.modelApprovalStatus)} must be one of ${MODEL_APPROVAL_STATUSES.join(', ')}`,
  );
  problems.push(...scheduleProblems(props));
  for (const name of ['processingInstanceType', 'trainingInstanceType'] as const) {
    check(
      props[name],
      INSTANCE_TYPE.test(props[name] ?? ''),
      `${name} ${quote(props[name])} must be a SageMaker instance type such as "ml.m5.xlarge"`,
    );
  }
  for (const name of ['minRocAuc', 'minF1'] as const) {
    const value = props[name];
    check(
      value,
      value !== undefined && value >= 0 && value <= 1,
      `${name} (${value}) must be between 0 and 1`,
    );
  }
  for (const name of ['window', 'stride', 'epochs'] as const) {
    const value = props[name];
    check(
      value,
      value !== undefined && Number.isInteger(value) && value >= 1,
      `${name} (${value}) must be a whole number >= 1`,
    );
  }
  const window = props.window ?? ML_PIPELINE_DEFAULTS.window;
  const stride = props.stride ?? ML_PIPELINE_DEFAULTS.stride;
  check(stride, stride <= window, `stride (${stride}) must not exceed window (${window})`);
  if (props.channels !== undefined) {
    if (props.channels.length === 0) problems.push('channels must list at least one channel');
    for (const channel of props.channels) {
      check(
        channel,
        CHANNEL.test(channel),
        `channels: ${quote(channel)} must be letters, digits or underscores, not starting with a digit`,
      );
    }
  }
  return problems;
}
