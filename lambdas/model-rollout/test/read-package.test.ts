/**
 * readPackage against a stubbed registry, bucket and parameter store, with bundles the pipeline's
 * own code wrote and the repository's UNS contract parsed as the function parses it: what rolls
 * out, what is refused and why, and what is left alone.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  type DescribeModelPackageOutput,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import type { TelemetryContract } from '@uns-mlops/edge-common/src/model-contract-gate';
import { mockClient } from 'aws-sdk-client-mock';
import { deterministicTarGz } from '../../../lib/ml-pipeline/tarball';
import { loadTelemetryContract } from '../src/contracts-in-force';
import { createReadPackageHandler } from '../src/read-package';
import { objectBody, registryArchives, ROOT, shippedManifest } from './registry-bundles';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const ssm = mockClient(SSMClient);

const GROUP = 'uns-mlops-anomaly-autoencoder';
const BUCKET = 'uns-mlops-dev-mlpipeline-artifacts';
const PARAMETER = '/uns-mlops-dev/models/io.unsmlops.WeldSeamAnomalyModel/serving-version';
const PACKAGE_ARN = `arn:aws:sagemaker:eu-central-1:111111111111:model-package/${GROUP}/7`;
const DATA_URL = `s3://${BUCKET}/${GROUP}/exec-7/Evaluate/bundle/model.tar.gz`;

let contract: TelemetryContract;
let archives: Record<string, Buffer>;

beforeAll(async () => {
  contract = await loadTelemetryContract(join(ROOT, 'asyncapi'));
  const shipped = shippedManifest();
  const arcCurrent = shipped.channels[0];
  const withoutWindow = Object.fromEntries(
    Object.entries(shipped).filter(([key]) => key !== 'window'),
  );
  archives = registryArchives({
    compatible: shipped,
    milliamps: {
      ...shipped,
      channels: [{ ...arcCurrent, unit: 'mA' }, ...shipped.channels.slice(1)],
    },
    schemaBroken: withoutWindow,
  });
  const onlyManifest = mkdtempSync(join(tmpdir(), 'only-manifest-'));
  writeFileSync(join(onlyManifest, 'manifest.json'), JSON.stringify(shipped));
  archives.withoutModel = deterministicTarGz(onlyManifest);
}, 60_000);

function readPackage() {
  return createReadPackageHandler({
    sagemaker: new SageMakerClient({ region: 'eu-central-1' }),
    s3: new S3Client({ region: 'eu-central-1' }),
    ssm: new SSMClient({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'model-rollout-test', logLevel: 'SILENT' }),
    contract: () => Promise.resolve(contract),
    settings: {
      modelPackageGroupName: GROUP,
      modelArtifactBucket: BUCKET,
      servingVersionParameter: PARAMETER,
      manifestSchemaFile: join(ROOT, 'pipelines', 'model-bundle', 'manifest.schema.json'),
    },
  });
}

/** The registry holds package 7 of the group, approved, with `archive` as its bundle. */
function registry(archive: string, change: Partial<DescribeModelPackageOutput> = {}): void {
  sagemaker.on(DescribeModelPackageCommand).resolves({
    ModelPackageArn: PACKAGE_ARN,
    ModelPackageGroupName: GROUP,
    ModelPackageVersion: 7,
    ModelApprovalStatus: 'Approved',
    InferenceSpecification: {
      Containers: [{ Image: 'pytorch-inference', ModelDataUrl: DATA_URL }],
      SupportedContentTypes: [],
      SupportedResponseMIMETypes: [],
    },
    ...change,
  });
  s3.on(GetObjectCommand).resolves({ Body: objectBody(archives[archive]!) });
}

/** The environment's recorded serving version (none before the first promotion). */
function serving(version: string | undefined): void {
  if (version === undefined) {
    ssm
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  } else {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: version } });
  }
}

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  ssm.reset();
  serving('1.0.5');
});

describe('readPackage', () => {
  it('rolls out an approved model that reads the contract in force, as component version 1.<package version>.0', async () => {
    registry('compatible');
    const result = await readPackage()({ modelPackageArn: PACKAGE_ARN });

    const { modelName, modelVersion } = shippedManifest();
    expect(result).toEqual({
      decision: 'ROLL_OUT',
      reason: `Model ${modelName} ${modelVersion} reads the telemetry of the UNS contract in force (UNS welding plant ${contract.version}); it rolls out as component version 1.7.0, after 1.0.5.`,
      modelPackageArn: PACKAGE_ARN,
      modelPackageVersion: 7,
      modelDataUrl: DATA_URL,
      componentVersion: '1.7.0',
      model: { name: modelName, version: modelVersion },
      gate: {
        compatible: true,
        reasons: [],
        contract: { title: 'UNS welding plant', version: contract.version },
        model: { name: modelName, version: modelVersion },
      },
    });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: `${GROUP}/exec-7/Evaluate/bundle/model.tar.gz`,
    });
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: PARAMETER });
  });

  it('rolls out the first model of an environment that has no serving record yet', async () => {
    registry('compatible');
    serving(undefined);
    const result = await readPackage()({ modelPackageArn: PACKAGE_ARN });
    expect(result.decision).toBe('ROLL_OUT');
    expect(result.reason).toMatch(/as component version 1\.7\.0\.$/);
  });

  it('refuses a model whose channel is in another unit than the contract sends, naming both', async () => {
    registry('milliamps');
    const result = await readPackage()({ modelPackageArn: PACKAGE_ARN });
    expect(result.decision).toBe('REFUSE');
    expect(result.gate?.reasons).toEqual([
      `Channel "arc_current" is in mA, but UNS welding plant ${contract.version} sends arc_current in A.`,
    ]);
    expect(result.reason).toContain(
      `cannot read the telemetry of the UNS contract in force (UNS welding plant ${contract.version}): Channel "arc_current" is in mA`,
    );
  });

  it('refuses a bundle whose manifest breaks the bundle schema', async () => {
    registry('schemaBroken');
    const result = await readPackage()({ modelPackageArn: PACKAGE_ARN });
    expect(result).toMatchObject({
      decision: 'REFUSE',
      reason:
        "The bundle's manifest.json does not follow the model bundle schema: / must have required property 'window'.",
    });
    expect(result.gate).toBeUndefined();
  });

  it('refuses a bundle without model.onnx', async () => {
    registry('withoutModel');
    const result = await readPackage()({ modelPackageArn: PACKAGE_ARN });
    expect(result).toMatchObject({
      decision: 'REFUSE',
      reason: `${DATA_URL} holds no model.onnx (it holds: manifest.json).`,
    });
  });

  it('refuses a bundle outside the pipeline’s artifact bucket without reading it', async () => {
    registry('compatible', {
      InferenceSpecification: {
        Containers: [{ Image: 'x', ModelDataUrl: 's3://elsewhere/model.tar.gz' }],
        SupportedContentTypes: [],
        SupportedResponseMIMETypes: [],
      },
    });
    const result = await readPackage()({ modelPackageArn: PACKAGE_ARN });
    expect(result).toMatchObject({
      decision: 'REFUSE',
      reason: `The package's bundle "s3://elsewhere/model.tar.gz" is not in the pipeline's artifact bucket ${BUCKET}.`,
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it.each([
    [
      'a model whose version already serves',
      {},
      '1.7.0',
      'Model package version 7 already serves at the plants as component version 1.7.0.',
    ],
    [
      'a package that is no longer approved',
      { ModelApprovalStatus: 'PendingManualApproval' as const },
      '1.0.5',
      `${PACKAGE_ARN} is PendingManualApproval now, no longer Approved.`,
    ],
    [
      'a package of another group',
      { ModelPackageGroupName: 'other-models' },
      '1.0.5',
      `${PACKAGE_ARN} belongs to group other-models, not to ${GROUP}, whose models this rollout carries.`,
    ],
  ])('leaves %s alone', async (_, change, servingVersion, reason) => {
    registry('compatible', change);
    serving(servingVersion);
    const result = await readPackage()({ modelPackageArn: PACKAGE_ARN });
    expect(result).toMatchObject({ decision: 'SKIP', reason });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
