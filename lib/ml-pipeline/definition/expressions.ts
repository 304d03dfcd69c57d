/**
 * Expressions of the SageMaker Pipelines definition language, typed. A value in a step's arguments
 * is a literal or one of these, evaluated by SageMaker when the step runs.
 * @see https://aws-sagemaker-mlops.github.io/sagemaker-model-building-pipeline-definition-JSON-schema/
 */

/** A reference: `Parameters.<name>`, `Steps.<step>.<property path>` or `Execution.<variable>`. */
export interface Get {
  readonly Get: string;
}

/** `Std:Join`: the values, each as text, joined with `On`. */
export interface Join {
  readonly 'Std:Join': { readonly On: string; readonly Values: readonly PipelineValue[] };
}

/** `Std:JsonGet`: the value at a JSON path of a step's property file. */
export interface JsonGet {
  readonly 'Std:JsonGet': { readonly PropertyFile: Get; readonly Path: string };
}

export type Expression = Get | Join | JsonGet;
/** Any value of a definition: a literal (CDK tokens are literals to SageMaker) or an expression. */
export type PipelineValue = string | number | boolean | Expression;
/** A value that is text when the step runs. */
export type TextValue = string | Join | Get;

/** `Std:Join` of the values with a separator. */
export function join(on: string, values: readonly PipelineValue[]): Join {
  return { 'Std:Join': { On: on, Values: values } };
}

/** The value as text (container arguments and hyperparameters must be strings). */
export function asText(value: PipelineValue): TextValue {
  return typeof value === 'string' ? value : join('', [value]);
}

/**
 * The value JSON-encoded as text, as SageMaker's framework containers read hyperparameters
 * (`"train.py"` for a string, `50` for a number).
 */
export function asJsonText(value: PipelineValue, kind: 'string' | 'number'): TextValue {
  if (typeof value === 'string' || typeof value === 'number') return JSON.stringify(value);
  return kind === 'string' ? join('', ['"', value, '"']) : asText(value);
}

/** Variables of the running execution. */
export const Execution = {
  /** Id of the pipeline execution, unique per run. */
  pipelineExecutionId: { Get: 'Execution.PipelineExecutionId' } as Get,
} as const;

/** Every `Get` reference inside a value (of any depth), in document order. */
export function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Get === 'string' && Object.keys(record).length === 1) return [record.Get];
  return Object.values(record).flatMap(referencesIn);
}
