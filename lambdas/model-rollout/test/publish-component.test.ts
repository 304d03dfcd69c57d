/**
 * publishComponent against a stubbed bucket and Greengrass: the registered bundle becomes the
 * model component's artifact and a component version from the repository's recipe template,
 * published once however often the task runs, and never over another model's version.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConflictException,
  CreateComponentVersionCommand,
  DescribeComponentCommand,
  GetComponentCommand,
  GreengrassV2Client,
} from '@aws-sdk/client-greengrassv2';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { readTarGz, zipFiles } from '../src/bundle-archive';
import type { ComponentRole } from '../src/contract';
import { createPublishComponentHandler } from '../src/publish-component';
import { objectBody, registryArchives, ROOT, shippedManifest } from './registry-bundles';

const greengrass = mockClient(GreengrassV2Client);
const s3 = mockClient(S3Client);

const RECIPES = join(ROOT, 'edge-components', 'anomaly-inference', 'model-component');
const ARTIFACT_BUCKET = 'uns-mlops-dev-edgefleet-artifacts';
const ARN_PREFIX = 'arn:aws:greengrass:eu-central-1:111111111111:components:';
const DATA_URL = 's3://pipeline-bucket/uns-mlops-anomaly-autoencoder/exec-7/model.tar.gz';
const KEY = 'io.unsmlops.WeldSeamAnomalyModel/1.7.0/model-bundle.zip';
const NAMES: Record<ComponentRole, string> = {
  serving: 'io.unsmlops.WeldSeamAnomalyModel',
  candidate: 'io.unsmlops.WeldSeamAnomalyModelCandidate',
};

let archive: Buffer;
let artifact: Buffer;
let sleeps: number[];

beforeAll(async () => {
  ({ archive } = registryArchives({ archive: shippedManifest() }) as { archive: Buffer });
  artifact = zipFiles([...(await readTarGz(archive))].map(([name, data]) => ({ name, data })));
}, 60_000);

beforeEach(() => {
  greengrass.reset();
  s3.reset();
  sleeps = [];
  s3.on(GetObjectCommand).resolves({ Body: objectBody(archive) });
  s3.on(PutObjectCommand).resolves({});
  greengrass
    .on(CreateComponentVersionCommand)
    .resolves({ status: { componentState: 'REQUESTED' } });
  greengrass
    .on(DescribeComponentCommand)
    .resolvesOnce({ status: { componentState: 'REQUESTED' } })
    .resolvesOnce({ status: { componentState: 'INITIATED' } })
    .resolves({ status: { componentState: 'DEPLOYABLE' } });
});

function publish() {
  return createPublishComponentHandler({
    greengrass: new GreengrassV2Client({ region: 'eu-central-1' }),
    s3: new S3Client({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'model-rollout-test', logLevel: 'SILENT' }),
    settings: {
      components: {
        serving: { name: NAMES.serving, recipeFile: join(RECIPES, 'recipe.yaml') },
        candidate: { name: NAMES.candidate, recipeFile: join(RECIPES, 'candidate-recipe.yaml') },
      },
      artifactBucket: ARTIFACT_BUCKET,
      artifactKey: ['io.unsmlops.WeldSeamAnomalyModel/', '/model-bundle.zip'],
      componentArnPrefix: ARN_PREFIX,
    },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
}

const sha256 = (data: Buffer) => createHash('sha256').update(data);
const recipeSent = () =>
  Buffer.from(
    greengrass.commandCalls(CreateComponentVersionCommand)[0]!.args[0].input.inlineRecipe!,
  ).toString('utf8');
const template = (file: string) => readFileSync(join(RECIPES, file), 'utf8');

/** Greengrass's answer to a component version that exists already. */
const conflict = () =>
  new ConflictException({
    message: 'exists',
    resourceId: 'io.unsmlops.WeldSeamAnomalyModel:1.7.0',
    resourceType: 'component',
    $metadata: {},
  });

/** An S3 error as the SDK throws it for a failed conditional write. */
const preconditionFailed = () =>
  new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
  });

describe('publishComponent', () => {
  it.each([
    ['candidate', 'candidate-recipe.yaml'],
    ['serving', 'recipe.yaml'],
  ] as const)(
    'publishes the %s from its recipe template with the bundle as model-bundle.zip',
    async (role, recipeFile) => {
      const result = await publish()({ role, modelDataUrl: DATA_URL, componentVersion: '1.7.0' });

      const { Body, ...put } = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
      expect(Buffer.compare(Body as Buffer, artifact)).toBe(0);
      expect(put).toEqual({
        Bucket: ARTIFACT_BUCKET,
        Key: KEY,
        ContentType: 'application/zip',
        ChecksumSHA256: sha256(artifact).digest('base64'),
        IfNoneMatch: '*',
      });
      expect(recipeSent()).toBe(
        template(recipeFile)
          .replaceAll('{COMPONENT_VERSION}', '1.7.0')
          .replaceAll('{ARTIFACT_BUCKET}', ARTIFACT_BUCKET),
      );
      expect(recipeSent()).toContain(`s3://${ARTIFACT_BUCKET}/${KEY}`);
      expect(result).toEqual({
        componentName: NAMES[role],
        componentVersion: '1.7.0',
        componentVersionArn: `${ARN_PREFIX}${NAMES[role]}:versions:1.7.0`,
        artifact: { bucket: ARTIFACT_BUCKET, key: KEY, sha256: sha256(artifact).digest('hex') },
        created: true,
      });
      // Deployable only once Greengrass has checked the artifact: two looks, two pauses.
      expect(sleeps).toEqual([2000, 2000]);
    },
  );

  it('takes what an earlier attempt published as it is', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: sha256(artifact).digest('base64') });
    greengrass.on(CreateComponentVersionCommand).rejects(conflict());
    greengrass.on(GetComponentCommand).resolves({
      recipeOutputFormat: 'JSON',
      recipe: Buffer.from(
        JSON.stringify({ Manifests: [{ Artifacts: [{ Uri: `s3://${ARTIFACT_BUCKET}/${KEY}` }] }] }),
      ),
    });

    const result = await publish()({
      role: 'candidate',
      modelDataUrl: DATA_URL,
      componentVersion: '1.7.0',
    });
    expect(result.created).toBe(false);
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: ARTIFACT_BUCKET,
      Key: KEY,
      ChecksumMode: 'ENABLED',
    });
  });

  it('never writes over another artifact at the version’s key', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'b3RoZXI=' });
    await expect(
      publish()({ role: 'candidate', modelDataUrl: DATA_URL, componentVersion: '1.7.0' }),
    ).rejects.toThrow(
      `s3://${ARTIFACT_BUCKET}/${KEY} already holds another artifact (SHA-256 b3RoZXI=`,
    );
    expect(greengrass.commandCalls(CreateComponentVersionCommand)).toHaveLength(0);
  });

  it('never takes a version that names another artifact for its own', async () => {
    greengrass.on(CreateComponentVersionCommand).rejects(conflict());
    greengrass.on(GetComponentCommand).resolves({
      recipe: Buffer.from(
        JSON.stringify({ Manifests: [{ Artifacts: [{ Uri: 's3://elsewhere/model.zip' }] }] }),
      ),
    });
    await expect(
      publish()({ role: 'serving', modelDataUrl: DATA_URL, componentVersion: '1.7.0' }),
    ).rejects.toThrow(
      `${ARN_PREFIX}${NAMES.serving}:versions:1.7.0 already exists with other artifacts (s3://elsewhere/model.zip)`,
    );
  });

  it('fails with Greengrass’s reason when the version is not deployable', async () => {
    greengrass.on(DescribeComponentCommand).resolves({
      status: { componentState: 'FAILED', message: 'Access denied to the artifact' },
    });
    await expect(
      publish()({ role: 'candidate', modelDataUrl: DATA_URL, componentVersion: '1.7.0' }),
    ).rejects.toThrow('is not deployable: Access denied to the artifact');
  });
});
