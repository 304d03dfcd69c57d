import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Lakehouse } from '../../lib/lakehouse';
import { MlPipeline, type MlPipelineProps } from '../../lib/ml-pipeline';
import { addComplianceChecks } from '../../lib/quality/compliance';
import { newApp } from '../support/app';
import { ACCOUNT, REGION } from '../support/lakehouse';

/** A step that prints the arguments it got as JSON, so a test can see what the container passes. */
const ECHO_SCRIPT = 'import json, sys\nprint(json.dumps(sys.argv[1:]))\n';

/**
 * A step-code directory shaped like `pipelines/src`: the three entry scripts, a package, and what a
 * tarball must leave out (a `__pycache__`, compiled files, tests).
 */
export function stepCodeFixture(options: { requirements?: boolean } = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'step-code-'));
  for (const script of ['preprocess.py', 'train.py', 'evaluate.py']) {
    writeFileSync(join(directory, script), ECHO_SCRIPT);
  }
  mkdirSync(join(directory, 'uns_anomaly', '__pycache__'), { recursive: true });
  writeFileSync(join(directory, 'uns_anomaly', '__init__.py'), '');
  writeFileSync(join(directory, 'uns_anomaly', 'model.py'), 'LATENT = 16\n');
  writeFileSync(join(directory, 'uns_anomaly', '__pycache__', 'model.cpython-312.pyc'), 'x');
  writeFileSync(join(directory, 'uns_anomaly', 'stale.pyc'), 'x');
  mkdirSync(join(directory, 'tests'));
  writeFileSync(join(directory, 'tests', 'test_model.py'), 'def test(): pass\n');
  if (options.requirements === true) writeFileSync(join(directory, 'requirements.txt'), 'onnx\n');
  return directory;
}

/** The ML pipeline in its own stack, reading a Lakehouse of another stack, as the app builds them. */
export function synthMlPipeline(
  props: Partial<MlPipelineProps> = {},
  options: { region?: string; compliance?: boolean } = {},
) {
  const app = newApp({ outdir: mkdtempSync(join(tmpdir(), 'ml-pipeline-')) });
  const env = { account: ACCOUNT, region: options.region ?? REGION };
  const lakehouseStack = new Stack(app, 'LakehouseStack', { env });
  const lakehouse = new Lakehouse(lakehouseStack, 'Lakehouse', { siteIds: ['zwickau'] });
  const stack = new Stack(app, 'MlPipelineStack', { env });
  const mlPipeline = new MlPipeline(stack, 'MlPipeline', {
    lakehouse,
    stepCodeDirectory: stepCodeFixture(),
    ...props,
  });
  if (options.compliance === true) addComplianceChecks(app);
  return { app, stack, lakehouseStack, lakehouse, mlPipeline };
}

/** A synthesized template's pipeline definition, parsed; CloudFormation values become `{{...}}`. */
export function definitionIn(template: Template): PipelineDefinitionJson {
  const pipelines = Object.values(template.findResources('AWS::SageMaker::Pipeline'));
  if (pipelines.length !== 1) throw new Error(`expected one pipeline, found ${pipelines.length}`);
  const body: unknown = pipelines[0]!.Properties.PipelineDefinition.PipelineDefinitionBody;
  const parts: unknown[] =
    typeof body === 'string'
      ? [body]
      : (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts
    .map((part) => (typeof part === 'string' ? part : `{{${placeholder(part)}}}`))
    .join('');
  return JSON.parse(text) as PipelineDefinitionJson;
}

function placeholder(value: unknown): string {
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return node.Ref;
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return getAtt.join('.');
  return Object.keys(node)[0] ?? 'value';
}

/** The parts of a definition the tests read. */
export interface PipelineDefinitionJson {
  Version: string;
  Parameters: { Name: string; Type: string; DefaultValue: unknown }[];
  Steps: StepJson[];
}
export interface StepJson {
  Name: string;
  Type: string;
  Arguments: any;
  DependsOn?: string[];
  PropertyFiles?: { PropertyFileName: string; OutputName: string; FilePath: string }[];
}

/** Every step of a definition with the steps nested in conditions, in execution order. */
export function flattenSteps(steps: readonly StepJson[]): StepJson[] {
  return steps.flatMap((step) =>
    step.Type === 'Condition'
      ? [step, ...flattenSteps([...step.Arguments.IfSteps, ...step.Arguments.ElseSteps])]
      : [step],
  );
}

/** A step by name (top level or nested). */
export function stepNamed(definition: PipelineDefinitionJson, name: string): StepJson {
  const step = flattenSteps(definition.Steps).find((candidate) => candidate.Name === name);
  if (step === undefined) throw new Error(`no step ${name}`);
  return step;
}

export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}
