import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referencesIn } from '../../lib/ml-pipeline/definition';
import { EVALUATION_REPORT, PROCESSING_PATHS } from '../../lib/ml-pipeline';
import { deterministicTarGz } from '../../lib/ml-pipeline/tarball';
import {
  definitionIn,
  flattenSteps,
  stepCodeFixture,
  stepNamed,
  synthMlPipeline,
  templateOf,
  type PipelineDefinitionJson,
  type StepJson,
} from './support';

const { stack, mlPipeline } = synthMlPipeline();
const definition = definitionIn(templateOf(stack));
const steps = flattenSteps(definition.Steps);
const KEY = '{{MlPipelineKey43DD27FD.Arn}}';

/** The property paths a step of each type offers, given its declared outputs and property files. */
function propertiesOf(step: StepJson): string[] {
  if (step.Type === 'Processing') {
    return [
      ...step.Arguments.ProcessingOutputConfig.Outputs.map(
        (output: { OutputName: string }) =>
          `ProcessingOutputConfig.Outputs['${output.OutputName}'].S3Output.S3Uri`,
      ),
      ...(step.PropertyFiles ?? []).map((file) => `PropertyFiles.${file.PropertyFileName}`),
    ];
  }
  if (step.Type === 'Training') return ['ModelArtifacts.S3ModelArtifacts'];
  return [];
}

/** The steps a step runs after: those whose properties it reads or names, and a branch's condition. */
function upstreamOf(step: StepJson, all: PipelineDefinitionJson): Set<string> {
  const direct = new Set([
    ...referencesIn(step.Arguments)
      .filter((reference) => reference.startsWith('Steps.'))
      .map((reference) => reference.split('.')[1]!),
    ...(step.DependsOn ?? []),
  ]);
  for (const condition of flattenSteps(all.Steps).filter((s) => s.Type === 'Condition')) {
    const branch = [...condition.Arguments.IfSteps, ...condition.Arguments.ElseSteps];
    if (branch.some((nested: StepJson) => nested.Name === step.Name)) direct.add(condition.Name);
  }
  return direct;
}

function ownArguments(step: StepJson): unknown {
  if (step.Type !== 'Condition') return step.Arguments;
  return step.Arguments.Conditions;
}

describe('the synthesized pipeline definition', () => {
  it('is a 2020-12-01 definition with the five stages and both branches', () => {
    expect(definition.Version).toBe('2020-12-01');
    expect(steps.map((step) => [step.Name, step.Type])).toEqual([
      ['Preprocess', 'Processing'],
      ['Train', 'Training'],
      ['Evaluate', 'Processing'],
      ['CheckQuality', 'Condition'],
      ['RegisterModel', 'RegisterModel'],
      ['QualityGateFailed', 'Fail'],
    ]);
  });

  it('trains on the curated labelled telemetry by default, leaving uninspected samples out', () => {
    const defaults = Object.fromEntries(
      definition.Parameters.map((parameter) => [parameter.Name, parameter.DefaultValue]),
    );
    expect(defaults.InputDataUri).toMatch(/^s3:\/\/\{\{.+\}\}\/labelled_telemetry\/$/);
    expect(defaults.LabelColumn).toBe('label');
    expect(defaults.UnknownLabel).toBe('uninspected');
    const args: unknown[] = stepNamed(definition, 'Preprocess').Arguments.AppSpecification
      .ContainerArguments;
    const flag = args.indexOf('--unknown-label');
    expect(args[flag + 1]).toEqual({ Get: 'Parameters.UnknownLabel' });
  });

  it('defaults to what `npm run ml -- train` defaults to (the shared defaults.json)', () => {
    const shared = JSON.parse(
      readFileSync(join(__dirname, '../../pipelines/src/uns_anomaly/defaults.json'), 'utf8'),
    );
    const defaults = Object.fromEntries(
      definition.Parameters.map((parameter) => [parameter.Name, parameter.DefaultValue]),
    );
    expect({
      channels: String(defaults.Channels).split(','),
      timeColumn: defaults.TimeColumn,
      window: defaults.Window,
      stride: defaults.Stride,
      architecture: defaults.Architecture,
      latentDim: defaults.LatentDim,
      centreWindows: defaults.CentreWindows === 'true',
      epochs: defaults.Epochs,
      batchSize: defaults.BatchSize,
      learningRate: defaults.LearningRate,
      patience: defaults.Patience,
      seed: defaults.Seed,
      thresholdRule: defaults.ThresholdRule,
      thresholdQuantile: defaults.ThresholdQuantile,
      thresholdRisk: defaults.ThresholdRisk,
      modelName: defaults.ModelName,
    }).toEqual(shared);
  });

  it('resolves every parameter reference to a declared parameter, and uses every parameter', () => {
    const declared = definition.Parameters.map((parameter) => parameter.Name);
    const used = referencesIn(definition.Steps)
      .filter((reference) => reference.startsWith('Parameters.'))
      .map((reference) => reference.slice('Parameters.'.length));
    expect(used.filter((name) => !declared.includes(name))).toEqual([]);
    expect(declared.filter((name) => !used.includes(name))).toEqual([]);
  });

  it('resolves every step reference to a property an earlier step declares', () => {
    const names = steps.map((step) => step.Name);
    for (const step of steps) {
      for (const reference of referencesIn(ownArguments(step))) {
        if (!reference.startsWith('Steps.')) continue;
        const [, name, ...path] = reference.split('.');
        const target = steps.find((candidate) => candidate.Name === name);
        expect({ reference, in: step.Name, declared: target !== undefined }).toEqual({
          reference,
          in: step.Name,
          declared: true,
        });
        expect(names.indexOf(name!)).toBeLessThan(names.indexOf(step.Name));
        expect(propertiesOf(target!)).toContain(path.join('.'));
      }
    }
  });

  it('forms an acyclic graph in which each step runs after every step it reads', () => {
    const order = new Map(steps.map((step, index) => [step.Name, index]));
    for (const step of steps) {
      for (const upstream of upstreamOf(step, definition)) {
        expect(order.get(upstream)).toBeLessThan(order.get(step.Name)!);
      }
    }
    expect([...upstreamOf(stepNamed(definition, 'Train'), definition)]).toEqual(['Preprocess']);
    expect([...upstreamOf(stepNamed(definition, 'Evaluate'), definition)].sort()).toEqual([
      'Preprocess',
      'Train',
    ]);
  });

  it('gates on the property file the evaluation step writes to its evaluation output', () => {
    const evaluate = stepNamed(definition, 'Evaluate');
    expect(evaluate.PropertyFiles).toEqual([
      { PropertyFileName: 'evaluation', OutputName: 'evaluation', FilePath: 'evaluation.json' },
    ]);
    const output = evaluate.Arguments.ProcessingOutputConfig.Outputs.find(
      (candidate: { OutputName: string }) => candidate.OutputName === 'evaluation',
    );
    // The step code writes /opt/ml/processing/evaluation/evaluation.json.
    expect(`${output.S3Output.LocalPath}/${evaluate.PropertyFiles![0]!.FilePath}`).toBe(
      '/opt/ml/processing/evaluation/evaluation.json',
    );

    const condition = stepNamed(definition, 'CheckQuality').Arguments;
    expect(condition.Conditions).toEqual([
      {
        Type: 'GreaterThanOrEqualTo',
        LeftValue: {
          'Std:JsonGet': {
            PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.evaluation' },
            Path: 'metrics.roc_auc.value',
          },
        },
        RightValue: { Get: 'Parameters.MinRocAuc' },
      },
      {
        Type: 'GreaterThanOrEqualTo',
        LeftValue: {
          'Std:JsonGet': {
            PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.evaluation' },
            Path: 'metrics.f1.value',
          },
        },
        RightValue: { Get: 'Parameters.MinF1' },
      },
    ]);
  });

  it('registers the bundle the evaluation step built, and fails otherwise', () => {
    const condition = stepNamed(definition, 'CheckQuality').Arguments;
    expect(condition.IfSteps.map((step: StepJson) => step.Type)).toEqual(['RegisterModel']);
    expect(condition.ElseSteps.map((step: StepJson) => step.Type)).toEqual(['Fail']);

    const register = stepNamed(definition, 'RegisterModel').Arguments;
    expect(register.ModelPackageGroupName).toBe(mlPipeline.pipelineName);
    expect(register.ModelApprovalStatus).toEqual({ Get: 'Parameters.ModelApprovalStatus' });
    expect(register.InferenceSpecification.Containers[0].ModelDataUrl).toEqual({
      'Std:Join': {
        On: '/',
        Values: [
          { Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['bundle'].S3Output.S3Uri" },
          'model.tar.gz',
        ],
      },
    });
    expect(register.ModelMetrics.ModelQuality.Statistics).toEqual({
      ContentType: 'application/json',
      S3Uri: {
        'Std:Join': {
          On: '/',
          Values: [
            { Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" },
            EVALUATION_REPORT.fileName,
          ],
        },
      },
    });
    const bundle = stepNamed(definition, 'Evaluate').Arguments.ProcessingOutputConfig.Outputs.find(
      (output: { OutputName: string }) => output.OutputName === 'bundle',
    );
    expect(bundle.S3Output.LocalPath).toBe(PROCESSING_PATHS.bundle);
    expect(stepNamed(definition, 'QualityGateFailed').Arguments.ErrorMessage).toBeDefined();
  });

  it('passes the step-code contract: paths, arguments and hyperparameters', () => {
    const preprocess = stepNamed(definition, 'Preprocess').Arguments;
    expect(
      preprocess.ProcessingInputs.map((input: any) => [input.InputName, input.S3Input.LocalPath]),
    ).toEqual([
      ['code', '/opt/ml/processing/input/code'],
      ['data', '/opt/ml/processing/input/data'],
    ]);
    expect(preprocess.ProcessingInputs[1].S3Input.S3Uri).toEqual({
      Get: 'Parameters.InputDataUri',
    });
    expect(
      preprocess.ProcessingOutputConfig.Outputs.map((output: any) => [
        output.OutputName,
        output.S3Output.LocalPath,
      ]),
    ).toEqual([
      ['train', '/opt/ml/processing/output/train'],
      ['validation', '/opt/ml/processing/output/validation'],
      ['test', '/opt/ml/processing/output/test'],
    ]);
    const flags = preprocess.AppSpecification.ContainerArguments.filter(
      (argument: unknown) => typeof argument === 'string' && argument.startsWith('--'),
    );
    expect(flags).toEqual([
      '--channels',
      '--time-column',
      '--label-column',
      '--unknown-label',
      '--series-columns',
      '--channel-column',
      '--value-column',
      '--window',
      '--stride',
    ]);

    const train = stepNamed(definition, 'Train').Arguments;
    expect(train.InputDataConfig.map((channel: any) => channel.ChannelName)).toEqual([
      'train',
      'validation',
      'code',
    ]);
    expect(Object.keys(train.HyperParameters).sort()).toEqual(
      [
        'architecture',
        'batch-size',
        'centre-windows',
        'epochs',
        'latent-dim',
        'learning-rate',
        'patience',
        'seed',
        'sagemaker_container_log_level',
        'sagemaker_program',
        'sagemaker_region',
        'sagemaker_submit_directory',
      ].sort(),
    );
    expect(train.HyperParameters.sagemaker_program).toBe('"train.py"');
    expect(train.HyperParameters.sagemaker_region).toBe('"eu-central-1"');
    expect(train.HyperParameters.sagemaker_submit_directory).toBe(
      `"/opt/ml/input/data/code/${mlPipeline.stepCode.fileName}"`,
    );
    expect(train.HyperParameters.architecture).toEqual({
      'Std:Join': { On: '', Values: ['"', { Get: 'Parameters.Architecture' }, '"'] },
    });

    const evaluate = stepNamed(definition, 'Evaluate').Arguments;
    expect(
      evaluate.ProcessingInputs.map((input: any) => [input.InputName, input.S3Input.LocalPath]),
    ).toEqual([
      ['code', '/opt/ml/processing/input/code'],
      ['model', '/opt/ml/processing/model'],
      ['validation', '/opt/ml/processing/validation'],
      ['test', '/opt/ml/processing/test'],
    ]);
    expect(evaluate.ProcessingInputs[1].S3Input.S3Uri).toEqual({
      Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts',
    });
    expect(
      evaluate.AppSpecification.ContainerArguments.filter(
        (argument: unknown) => typeof argument === 'string' && argument.startsWith('--'),
      ),
    ).toEqual([
      '--threshold-rule',
      '--threshold-quantile',
      '--threshold-risk',
      '--model-name',
      '--model-version',
    ]);
  });

  it('runs every job on the PyTorch framework image of the stack region', () => {
    const image =
      '763104351884.dkr.ecr.eu-central-1.amazonaws.com/pytorch-training:2.8.0-cpu-py312-ubuntu22.04-sagemaker';
    expect(stepNamed(definition, 'Preprocess').Arguments.AppSpecification.ImageUri).toBe(image);
    expect(stepNamed(definition, 'Evaluate').Arguments.AppSpecification.ImageUri).toBe(image);
    expect(stepNamed(definition, 'Train').Arguments.AlgorithmSpecification.TrainingImage).toBe(
      image,
    );
    expect(
      stepNamed(definition, 'RegisterModel').Arguments.InferenceSpecification.Containers[0].Image,
    ).toMatch(/^763104351884\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/pytorch-inference:/);
  });

  it('encrypts every job volume, output and inter-container traffic with the pipeline key', () => {
    for (const name of ['Preprocess', 'Evaluate']) {
      const args = stepNamed(definition, name).Arguments;
      expect(args.ProcessingResources.ClusterConfig.VolumeKmsKeyId).toBe(KEY);
      expect(args.ProcessingOutputConfig.KmsKeyId).toBe(KEY);
      expect(args.NetworkConfig.EnableInterContainerTrafficEncryption).toBe(true);
    }
    const train = stepNamed(definition, 'Train').Arguments;
    expect(train.ResourceConfig.VolumeKmsKeyId).toBe(KEY);
    expect(train.OutputDataConfig.KmsKeyId).toBe(KEY);
    expect(train.EnableInterContainerTrafficEncryption).toBe(true);
    expect(train.EnableNetworkIsolation).toBe(true);
  });

  it('writes every output under the pipeline prefix of the artifact bucket, per execution', () => {
    const outputs = ['Preprocess', 'Evaluate'].flatMap((name) =>
      stepNamed(definition, name).Arguments.ProcessingOutputConfig.Outputs.map(
        (output: any) => output.S3Output.S3Uri,
      ),
    );
    for (const uri of [
      ...outputs,
      stepNamed(definition, 'Train').Arguments.OutputDataConfig.S3OutputPath,
    ]) {
      expect(uri['Std:Join'].Values.slice(0, 2)).toEqual([
        `s3://{{MlPipelineArtifactsB1D68670}}/${mlPipeline.pipelineName}`,
        { Get: 'Execution.PipelineExecutionId' },
      ]);
    }
  });
});

describe('the processing entrypoint', () => {
  it('unpacks the step code, installs nothing without requirements, and passes the arguments', () => {
    const entrypoint: string[] = stepNamed(definition, 'Preprocess').Arguments.AppSpecification
      .ContainerEntrypoint;
    expect(entrypoint.slice(0, 2)).toEqual(['/bin/bash', '-c']);
    expect(entrypoint[3]).toBe('--');
    const codeDir = mkdtempSync(join(tmpdir(), 'processing-code-'));
    writeFileSync(
      join(codeDir, mlPipeline.stepCode.fileName),
      deterministicTarGz(stepCodeFixture()),
    );
    const script = entrypoint[2]!.replace(PROCESSING_PATHS.code, codeDir);
    const output = execFileSync('/bin/bash', ['-c', script, '--', '--window', '64', '--a b'], {
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual(['--window', '64', '--a b']);
  });
});
