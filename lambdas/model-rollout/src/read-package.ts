import { readFileSync } from 'node:fs';
import { DescribeModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  checkModelAgainstContract,
  type ModelInputs,
  type TelemetryContract,
  type WindowRules,
} from '@uns-mlops/edge-common/src/model-contract-gate';
import Ajv2020 from 'ajv/dist/2020';
import type { ReadPackageEvent, ReadPackageResult } from './contract';
import {
  componentVersionOf,
  downloadBundle,
  parseS3Url,
  UnreadableBundleError,
} from './model-bundle';

/** What {@link createReadPackageHandler} reads and where. */
export interface ReadPackageSettings {
  /** The model package group the rollout serves (the SageMaker pipeline's). */
  readonly modelPackageGroupName: string;
  /** The pipeline's artifact bucket: registered bundles are read from it only. */
  readonly modelArtifactBucket: string;
  /** SSM parameter holding the model component version that serves in the environment. */
  readonly servingVersionParameter: string;
  /** pipelines/model-bundle/manifest.schema.json, as shipped in the bundle. */
  readonly manifestSchemaFile: string;
  /** Window limits of the contract gate. @default the gate's defaults */
  readonly windowRules?: WindowRules;
}

/** Dependencies of {@link createReadPackageHandler}; tests pass their own. */
export interface ReadPackageDependencies {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly logger: Logger;
  /** The UNS contract in force (loaded once per function instance). */
  readonly contract: () => Promise<TelemetryContract>;
  readonly settings: ReadPackageSettings;
}

/**
 * The `readPackage` handler: describes the approved package, and unless there is nothing to do
 * (another group, no longer approved, its version already serving) downloads its bundle, checks
 * the manifest against the bundle schema and then against the UNS contract in force (the
 * contract ↔ model gate). Returns the decision with its reason; a refusal lists every reason.
 *
 * @throws Error on AWS errors (Step Functions retries).
 */
export function createReadPackageHandler(
  deps: ReadPackageDependencies,
): (event: ReadPackageEvent) => Promise<ReadPackageResult> {
  const { settings } = deps;
  const validateManifest = new Ajv2020({
    allErrors: true,
    strict: false,
    validateFormats: false,
  }).compile(JSON.parse(readFileSync(settings.manifestSchemaFile, 'utf8')));
  return async ({ modelPackageArn }) => {
    const described = await deps.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }),
    );
    const modelPackageVersion = described.ModelPackageVersion ?? 0;
    const modelDataUrl = described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl ?? '';
    const componentVersion = componentVersionOf(modelPackageVersion);
    const base = { modelPackageArn, modelPackageVersion, modelDataUrl, componentVersion };
    const decide = (
      decision: ReadPackageResult['decision'],
      reason: string,
      extra: Partial<ReadPackageResult> = {},
    ): ReadPackageResult => {
      deps.logger.info('Model package read', { ...base, decision, reason });
      return { ...base, ...extra, decision, reason };
    };

    if (described.ModelPackageGroupName !== settings.modelPackageGroupName) {
      return decide(
        'SKIP',
        `${modelPackageArn} belongs to group ${String(described.ModelPackageGroupName)}, not to ${settings.modelPackageGroupName}, whose models this rollout carries.`,
      );
    }
    if (described.ModelApprovalStatus !== 'Approved') {
      return decide(
        'SKIP',
        `${modelPackageArn} is ${String(described.ModelApprovalStatus)} now, no longer Approved.`,
      );
    }
    const serving = await servingVersion(deps.ssm, settings.servingVersionParameter);
    if (serving === componentVersion) {
      return decide(
        'SKIP',
        `Model package version ${modelPackageVersion} already serves at the plants as component version ${componentVersion}.`,
      );
    }
    if (modelDataUrl === '' || parseS3Url(modelDataUrl).bucket !== settings.modelArtifactBucket) {
      return decide(
        'REFUSE',
        `The package's bundle ${JSON.stringify(modelDataUrl)} is not in the pipeline's artifact bucket ${settings.modelArtifactBucket}.`,
      );
    }

    let manifest: unknown;
    try {
      ({ manifest } = await downloadBundle(deps.s3, modelDataUrl));
    } catch (error) {
      if (error instanceof UnreadableBundleError) return decide('REFUSE', error.message);
      throw error;
    }
    if (!validateManifest(manifest)) {
      const problems = (validateManifest.errors ?? []).map(
        (error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
      );
      return decide(
        'REFUSE',
        `The bundle's manifest.json does not follow the model bundle schema: ${problems.join('; ')}.`,
      );
    }
    const inputs = manifest as ModelInputs;
    const model = { name: inputs.modelName, version: inputs.modelVersion };
    const contract = await deps.contract();
    const gate = checkModelAgainstContract(inputs, contract, settings.windowRules);
    const inForce = `${contract.title} ${contract.version}`;
    if (!gate.compatible) {
      return decide(
        'REFUSE',
        `Model ${model.name} ${model.version} cannot read the telemetry of the UNS contract in force (${inForce}): ${gate.reasons.join(' ')}`,
        { model, gate },
      );
    }
    return decide(
      'ROLL_OUT',
      `Model ${model.name} ${model.version} reads the telemetry of the UNS contract in force (${inForce}); it rolls out as component version ${componentVersion}${serving === undefined ? '' : `, after ${serving}`}.`,
      { model, gate },
    );
  };
}

/** The recorded serving version, or undefined before the first record. */
async function servingVersion(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}
