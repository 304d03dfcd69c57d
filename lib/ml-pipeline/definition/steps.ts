import type { Get, JsonGet, PipelineValue, TextValue } from './expressions';

/** A step as the definition declares it. */
export interface StepDefinition {
  readonly Name: string;
  readonly Type: 'Processing' | 'Training' | 'Condition' | 'RegisterModel' | 'Fail';
  readonly Arguments: object;
  readonly DependsOn?: readonly string[];
  readonly PropertyFiles?: readonly PropertyFileDefinition[];
}

/** A JSON file a processing step writes to one of its outputs, readable by later steps. */
export interface PropertyFileDefinition {
  readonly PropertyFileName: string;
  readonly OutputName: string;
  readonly FilePath: string;
}

const STEP_NAME = /^[A-Za-z0-9\-_]{1,64}$/;

/** A step of the pipeline. */
export abstract class Step {
  constructor(readonly name: string) {
    if (!STEP_NAME.test(name)) {
      throw new Error(`Pipeline step name ${JSON.stringify(name)} must match ${STEP_NAME}`);
    }
  }

  /** Steps nested in this one (a condition's branches), which the definition lists only here. */
  get nestedSteps(): readonly Step[] {
    return [];
  }

  protected property(path: string): Get {
    return { Get: `Steps.${this.name}.${path}` };
  }

  abstract toJson(): StepDefinition;
}

/** Where a job runs and how its storage and traffic are protected (shared by processing and training). */
export interface JobResources {
  readonly imageUri: string;
  readonly roleArn: string;
  readonly instanceType: TextValue;
  /** @default 1 */
  readonly instanceCount?: number;
  readonly volumeSizeInGb: number;
  /** KMS key of the job's storage volume and of what it writes to S3. */
  readonly kmsKeyArn: string;
  readonly maxRuntimeSeconds: number;
  /** Run the container without any network access. */
  readonly networkIsolation: boolean;
}

/** An input of a processing job read from S3 (a prefix or one object). */
export interface S3ProcessingInput {
  readonly kind: 's3';
  readonly name: string;
  readonly s3Uri: TextValue;
  readonly localPath: string;
}

/** An input of a processing job that SageMaker produces by running an Athena query. */
export interface AthenaProcessingInput {
  readonly kind: 'athena';
  readonly name: string;
  readonly localPath: string;
  readonly database: string;
  readonly queryString: TextValue;
  readonly workGroup: string;
  /** Where Athena writes the query output that the job then reads. */
  readonly outputS3Uri: string;
  readonly kmsKeyArn: string;
}

export type ProcessingInput = S3ProcessingInput | AthenaProcessingInput;

/** An output directory of a processing job, uploaded to S3 when the job ends. */
export interface ProcessingOutput {
  readonly localPath: string;
  readonly s3Uri: TextValue;
}

/** Properties of a {@link ProcessingStep}. */
export interface ProcessingStepProps<O extends string, P extends string> extends JobResources {
  readonly entrypoint: readonly string[];
  readonly arguments: readonly TextValue[];
  readonly inputs: readonly ProcessingInput[];
  readonly outputs: Readonly<Record<O, ProcessingOutput>>;
  /** JSON files the job writes, by property-file name: which output holds them and where. */
  readonly propertyFiles?: Readonly<
    Record<P, { readonly output: NoInfer<O>; readonly filePath: string }>
  >;
}

/** A SageMaker Processing job. */
export class ProcessingStep<O extends string, P extends string = never> extends Step {
  constructor(
    name: string,
    readonly props: ProcessingStepProps<O, P>,
  ) {
    super(name);
  }

  /** S3 URI where the job uploaded the output. */
  outputUri(output: O): Get {
    return this.property(`ProcessingOutputConfig.Outputs['${output}'].S3Output.S3Uri`);
  }

  /** The value at a JSON path (e.g. `metrics.f1.value`) of one of the job's property files. */
  jsonGet(propertyFile: P, path: string): JsonGet {
    return {
      'Std:JsonGet': { PropertyFile: this.property(`PropertyFiles.${propertyFile}`), Path: path },
    };
  }

  toJson(): StepDefinition {
    const { props } = this;
    const propertyFiles = Object.entries<{ output: O; filePath: string }>(
      props.propertyFiles ?? {},
    ).map(([name, file]) => ({
      PropertyFileName: name,
      OutputName: file.output,
      FilePath: file.filePath,
    }));
    return {
      Name: this.name,
      Type: 'Processing',
      Arguments: {
        ProcessingResources: {
          ClusterConfig: {
            InstanceCount: props.instanceCount ?? 1,
            InstanceType: props.instanceType,
            VolumeSizeInGB: props.volumeSizeInGb,
            VolumeKmsKeyId: props.kmsKeyArn,
          },
        },
        AppSpecification: {
          ImageUri: props.imageUri,
          ContainerEntrypoint: props.entrypoint,
          ContainerArguments: props.arguments,
        },
        RoleArn: props.roleArn,
        ProcessingInputs: props.inputs.map(processingInputJson),
        ProcessingOutputConfig: {
          Outputs: Object.entries<ProcessingOutput>(props.outputs).map(([name, output]) => ({
            OutputName: name,
            AppManaged: false,
            S3Output: {
              S3Uri: output.s3Uri,
              LocalPath: output.localPath,
              S3UploadMode: 'EndOfJob',
            },
          })),
          KmsKeyId: props.kmsKeyArn,
        },
        NetworkConfig: {
          EnableNetworkIsolation: props.networkIsolation,
          EnableInterContainerTrafficEncryption: true,
        },
        StoppingCondition: { MaxRuntimeInSeconds: props.maxRuntimeSeconds },
      },
      ...(propertyFiles.length > 0 ? { PropertyFiles: propertyFiles } : {}),
    };
  }
}

function processingInputJson(input: ProcessingInput): object {
  if (input.kind === 's3') {
    return {
      InputName: input.name,
      AppManaged: false,
      S3Input: {
        S3Uri: input.s3Uri,
        LocalPath: input.localPath,
        S3DataType: 'S3Prefix',
        S3InputMode: 'File',
        S3DataDistributionType: 'FullyReplicated',
        S3CompressionType: 'None',
      },
    };
  }
  return {
    InputName: input.name,
    AppManaged: false,
    DatasetDefinition: {
      AthenaDatasetDefinition: {
        Catalog: 'AwsDataCatalog',
        Database: input.database,
        QueryString: input.queryString,
        WorkGroup: input.workGroup,
        OutputS3Uri: input.outputS3Uri,
        KmsKeyId: input.kmsKeyArn,
        OutputFormat: 'PARQUET',
        OutputCompression: 'SNAPPY',
      },
      LocalPath: input.localPath,
      DataDistributionType: 'FullyReplicated',
      InputMode: 'File',
    },
  };
}

/** Properties of a {@link TrainingStep}. */
export interface TrainingStepProps extends JobResources {
  /** Input channels by name (`SM_CHANNEL_<NAME>` in the container): S3 URIs. */
  readonly channels: Readonly<Record<string, TextValue>>;
  /** Hyperparameters, each JSON-encoded text as framework containers expect. */
  readonly hyperparameters: Readonly<Record<string, TextValue>>;
  /** S3 prefix under which the job writes `<job>/output/model.tar.gz`. */
  readonly outputS3Uri: TextValue;
}

/** A SageMaker Training job. */
export class TrainingStep extends Step {
  constructor(
    name: string,
    readonly props: TrainingStepProps,
  ) {
    super(name);
  }

  /** S3 URI of the job's `model.tar.gz`. */
  get modelArtifacts(): Get {
    return this.property('ModelArtifacts.S3ModelArtifacts');
  }

  toJson(): StepDefinition {
    const { props } = this;
    return {
      Name: this.name,
      Type: 'Training',
      Arguments: {
        AlgorithmSpecification: { TrainingImage: props.imageUri, TrainingInputMode: 'File' },
        RoleArn: props.roleArn,
        HyperParameters: props.hyperparameters,
        InputDataConfig: Object.entries(props.channels).map(([name, s3Uri]) => ({
          ChannelName: name,
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: s3Uri,
              S3DataDistributionType: 'FullyReplicated',
            },
          },
          InputMode: 'File',
        })),
        OutputDataConfig: { S3OutputPath: props.outputS3Uri, KmsKeyId: props.kmsKeyArn },
        ResourceConfig: {
          InstanceCount: props.instanceCount ?? 1,
          InstanceType: props.instanceType,
          VolumeSizeInGB: props.volumeSizeInGb,
          VolumeKmsKeyId: props.kmsKeyArn,
        },
        StoppingCondition: { MaxRuntimeInSeconds: props.maxRuntimeSeconds },
        EnableNetworkIsolation: props.networkIsolation,
        EnableInterContainerTrafficEncryption: true,
      },
    };
  }
}

/** A comparison a condition step evaluates. */
export interface Comparison {
  readonly Type:
    'GreaterThanOrEqualTo' | 'GreaterThan' | 'LessThan' | 'LessThanOrEqualTo' | 'Equals';
  readonly LeftValue: PipelineValue;
  readonly RightValue: PipelineValue;
}

/** Typed constructors of comparisons. */
export const Compare = {
  greaterThanOrEqualTo: (left: PipelineValue, right: PipelineValue): Comparison => ({
    Type: 'GreaterThanOrEqualTo',
    LeftValue: left,
    RightValue: right,
  }),
} as const;

/** Properties of a {@link ConditionStep}. */
export interface ConditionStepProps {
  /** All must hold for the `ifSteps` to run. */
  readonly conditions: readonly Comparison[];
  readonly ifSteps: readonly Step[];
  readonly elseSteps: readonly Step[];
}

/** Runs one branch of steps or the other, depending on conditions that must all hold. */
export class ConditionStep extends Step {
  constructor(
    name: string,
    readonly props: ConditionStepProps,
  ) {
    super(name);
  }

  override get nestedSteps(): readonly Step[] {
    return [...this.props.ifSteps, ...this.props.elseSteps];
  }

  toJson(): StepDefinition {
    return {
      Name: this.name,
      Type: 'Condition',
      Arguments: {
        Conditions: this.props.conditions,
        IfSteps: this.props.ifSteps.map((step) => step.toJson()),
        ElseSteps: this.props.elseSteps.map((step) => step.toJson()),
      },
    };
  }
}

/** Properties of a {@link RegisterModelStep}. */
export interface RegisterModelStepProps {
  readonly modelPackageGroupName: string;
  readonly approvalStatus: TextValue;
  readonly description: string;
  readonly inferenceImageUri: string;
  /** S3 URI of the model's `model.tar.gz`. */
  readonly modelDataUrl: TextValue;
  readonly contentTypes: readonly string[];
  /** S3 URI of the model-quality statistics (a JSON document). */
  readonly modelQualityStatisticsUri: TextValue;
  /** Free-form facts stored with the model package (at most 50). */
  readonly metadata?: Readonly<Record<string, TextValue>>;
}

/** Registers a model package version into a model package group. */
export class RegisterModelStep extends Step {
  constructor(
    name: string,
    readonly props: RegisterModelStepProps,
  ) {
    super(name);
  }

  toJson(): StepDefinition {
    const { props } = this;
    return {
      Name: this.name,
      Type: 'RegisterModel',
      Arguments: {
        ModelPackageGroupName: props.modelPackageGroupName,
        ModelPackageDescription: props.description,
        ModelApprovalStatus: props.approvalStatus,
        InferenceSpecification: {
          Containers: [{ Image: props.inferenceImageUri, ModelDataUrl: props.modelDataUrl }],
          SupportedContentTypes: props.contentTypes,
          SupportedResponseMIMETypes: props.contentTypes,
        },
        ModelMetrics: {
          ModelQuality: {
            Statistics: { ContentType: 'application/json', S3Uri: props.modelQualityStatisticsUri },
          },
        },
        ...(props.metadata === undefined ? {} : { CustomerMetadataProperties: props.metadata }),
      },
    };
  }
}

/** Ends the execution as failed, with a message. */
export class FailStep extends Step {
  constructor(
    name: string,
    readonly errorMessage: TextValue,
  ) {
    super(name);
  }

  toJson(): StepDefinition {
    return { Name: this.name, Type: 'Fail', Arguments: { ErrorMessage: this.errorMessage } };
  }
}
