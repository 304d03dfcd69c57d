import {
  asJsonText,
  FailStep,
  join,
  Parameter,
  PipelineDefinition,
  ProcessingStep,
  TrainingStep,
} from '../../lib/ml-pipeline/definition';

const resources = {
  imageUri: 'image',
  roleArn: 'role',
  instanceType: 'ml.m5.large',
  volumeSizeInGb: 30,
  kmsKeyArn: 'key',
  maxRuntimeSeconds: 60,
  networkIsolation: true,
};

function processing(name: string, s3Uri: string | { Get: string } = 's3://in/') {
  return new ProcessingStep(name, {
    ...resources,
    entrypoint: ['python3', 'x.py'],
    arguments: [],
    inputs: [{ kind: 's3', name: 'in', s3Uri, localPath: '/opt/ml/processing/input' }],
    outputs: { out: { localPath: '/opt/ml/processing/out', s3Uri: 's3://out/' } },
    propertyFiles: { report: { output: 'out', filePath: 'report.json' } },
  });
}

describe('pipeline definition builders', () => {
  it('reference parameters, step outputs and property files as SageMaker writes them', () => {
    const window = Parameter.integer('Window', 64);
    const step = processing('Prepare');
    expect(window.ref).toEqual({ Get: 'Parameters.Window' });
    expect(window.asText()).toEqual({
      'Std:Join': { On: '', Values: [{ Get: 'Parameters.Window' }] },
    });
    expect(step.outputUri('out')).toEqual({
      Get: "Steps.Prepare.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri",
    });
    expect(step.jsonGet('report', 'metrics.f1.value')).toEqual({
      'Std:JsonGet': {
        PropertyFile: { Get: 'Steps.Prepare.PropertyFiles.report' },
        Path: 'metrics.f1.value',
      },
    });
    expect(
      new TrainingStep('Fit', {
        ...resources,
        channels: {},
        hyperparameters: {},
        outputS3Uri: 's3://m/',
      }).modelArtifacts,
    ).toEqual({
      Get: 'Steps.Fit.ModelArtifacts.S3ModelArtifacts',
    });
  });

  it('encodes hyperparameters as JSON text, the way framework containers parse them', () => {
    expect(asJsonText('train.py', 'string')).toBe('"train.py"');
    expect(asJsonText(50, 'number')).toBe('50');
    expect(Parameter.string('Architecture', 'conv1d').asHyperparameter()).toEqual(
      join('', ['"', { Get: 'Parameters.Architecture' }, '"']),
    );
    expect(Parameter.float('LearningRate', 0.001).asHyperparameter()).toEqual(
      join('', [{ Get: 'Parameters.LearningRate' }]),
    );
  });

  it('rejects references to undeclared parameters or steps, duplicates and self references, all at once', () => {
    const declared = Parameter.string('Declared', 'x');
    const reader = processing('Reader', { Get: 'Parameters.Undeclared' });
    const orphan = processing('Orphan');
    const dependent = processing('Dependent', orphan.outputUri('out'));
    const self = processing('Self', {
      Get: "Steps.Self.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri",
    });
    expect(
      () =>
        new PipelineDefinition(
          [declared, Parameter.string('Declared', 'y')],
          [reader, dependent, self, new FailStep('Reader', 'duplicate')],
        ),
    ).toThrow(
      [
        'Invalid pipeline definition:',
        '  - parameter name "Declared" is used more than once',
        '  - step name "Reader" is used more than once',
        '  - step Reader references "Parameters.Undeclared", which is not a declared parameter, another step or an execution variable',
        `  - step Dependent references "Steps.Orphan.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri", which is not a declared parameter, another step or an execution variable`,
        `  - step Self references "Steps.Self.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri", which is not a declared parameter, another step or an execution variable`,
      ].join('\n'),
    );
  });

  it('rejects names SageMaker refuses and integer parameters with fractional defaults', () => {
    expect(() => processing('has space')).toThrow(/Pipeline step name "has space" must match/);
    expect(() => Parameter.string('a.b', '')).toThrow(/Pipeline parameter name "a.b" must match/);
    expect(() => Parameter.integer('Window', 1.5)).toThrow(/is an Integer; its default 1.5 is not/);
  });
});
