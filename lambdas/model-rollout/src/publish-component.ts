import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ConflictException,
  CreateComponentVersionCommand,
  DescribeComponentCommand,
  GetComponentCommand,
  type GreengrassV2Client,
} from '@aws-sdk/client-greengrassv2';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { fillRecipe } from '../../../lib/delivery/recipe-template';
import { zipFiles } from './bundle-archive';
import type { ComponentRole, PublishComponentEvent, PublishComponentResult } from './contract';
import { downloadBundle } from './model-bundle';

/** A model component the rollout publishes: its name and recipe template. */
export interface ModelComponentTemplate {
  readonly name: string;
  /** The recipe with `{COMPONENT_VERSION}` and `{ARTIFACT_BUCKET}`, as in the repository. */
  readonly recipeFile: string;
}

/** Where {@link createPublishComponentHandler} publishes. */
export interface PublishComponentSettings {
  /** The candidate (shadow slot) and serving model components. */
  readonly components: Readonly<Record<ComponentRole, ModelComponentTemplate>>;
  /** The edge fleet's component artifact bucket. */
  readonly artifactBucket: string;
  /**
   * Key of the artifact both recipes name, around its version: e.g.
   * `['io.unsmlops.WeldSeamAnomalyModel/', '/model-bundle.zip']` for version 1.7.0's
   * `io.unsmlops.WeldSeamAnomalyModel/1.7.0/model-bundle.zip`.
   */
  readonly artifactKey: readonly [prefix: string, suffix: string];
  /** `arn:aws:greengrass:<region>:<account>:components:`, which a component name completes. */
  readonly componentArnPrefix: string;
}

/** Dependencies of {@link createPublishComponentHandler}; tests pass their own. */
export interface PublishComponentDependencies {
  readonly greengrass: GreengrassV2Client;
  readonly s3: S3Client;
  readonly logger: Logger;
  readonly settings: PublishComponentSettings;
  /** @default a timer - how the handler waits between two looks at a new version's state */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Pause between two looks at a new component version's state. */
const STATE_POLL_MS = 2_000;
/** Looks before giving up on a version that is not deployable (Step Functions retries then). */
const STATE_POLLS = 60;

/**
 * The `publishComponent` handler: takes the registered bundle, writes it as the model component's
 * artifact `model-bundle.zip` (reproducible bytes; written only if absent, and an object already
 * there must be the same bundle) and creates the component version of the given role from its
 * recipe template, then waits until Greengrass calls it deployable. A version an earlier attempt
 * created with the same artifact is taken as it is, so a retried task publishes nothing twice.
 *
 * @throws Error when the key or the version holds something else, when Greengrass finds the
 *   version not deployable, or on AWS errors.
 */
export function createPublishComponentHandler(
  deps: PublishComponentDependencies,
): (event: PublishComponentEvent) => Promise<PublishComponentResult> {
  const { settings } = deps;
  const sleep =
    deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async ({ role, modelDataUrl, componentVersion }) => {
    const component = settings.components[role];
    const key = `${settings.artifactKey[0]}${componentVersion}${settings.artifactKey[1]}`;
    const { files } = await downloadBundle(deps.s3, modelDataUrl);
    const artifact = zipFiles(files);
    const sha256 = createHash('sha256').update(artifact).digest();
    await putArtifactOnce(deps.s3, settings.artifactBucket, key, artifact, sha256);

    const recipe = fillRecipe(
      readFileSync(component.recipeFile, 'utf8'),
      componentVersion,
      settings.artifactBucket,
    );
    const arn = `${settings.componentArnPrefix}${component.name}:versions:${componentVersion}`;
    const artifactUri = `s3://${settings.artifactBucket}/${key}`;
    let created = true;
    try {
      await deps.greengrass.send(
        new CreateComponentVersionCommand({
          inlineRecipe: Buffer.from(recipe, 'utf8'),
          clientToken: sha256.toString('hex').slice(0, 64),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await expectSameArtifact(deps.greengrass, arn, artifactUri);
      created = false;
    }
    await waitUntilDeployable(deps.greengrass, arn, sleep);
    deps.logger.info('Model component version published', {
      role,
      component: component.name,
      componentVersion,
      artifactUri,
      created,
    });
    return {
      componentName: component.name,
      componentVersion,
      componentVersionArn: arn,
      artifact: { bucket: settings.artifactBucket, key, sha256: sha256.toString('hex') },
      created,
    };
  };
}

/**
 * Writes the artifact unless an object is at its key (S3 conditional write); an object already
 * there must have the same SHA-256.
 */
async function putArtifactOnce(
  s3: S3Client,
  bucket: string,
  key: string,
  artifact: Buffer,
  sha256: Buffer,
): Promise<void> {
  const checksum = sha256.toString('base64');
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: artifact,
        ContentType: 'application/zip',
        ChecksumSHA256: checksum,
        IfNoneMatch: '*',
      }),
    );
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== 'PreconditionFailed') throw error;
  }
  const existing = await s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
  );
  if (existing.ChecksumSHA256 !== checksum) {
    throw new Error(
      `s3://${bucket}/${key} already holds another artifact (SHA-256 ${existing.ChecksumSHA256 ?? 'unknown'}, this bundle's is ${checksum}): the component version is taken by another model.`,
    );
  }
}

/** A version that already exists must be ours: the recipe names the same artifact. */
async function expectSameArtifact(
  greengrass: GreengrassV2Client,
  arn: string,
  artifactUri: string,
): Promise<void> {
  const { recipe } = await greengrass.send(
    new GetComponentCommand({ arn, recipeOutputFormat: 'JSON' }),
  );
  const parsed = JSON.parse(Buffer.from(recipe ?? new Uint8Array()).toString('utf8')) as {
    Manifests?: { Artifacts?: { Uri?: string }[] }[];
  };
  const uris = (parsed.Manifests ?? []).flatMap((manifest) =>
    (manifest.Artifacts ?? []).map((artifact) => artifact.Uri),
  );
  if (!uris.includes(artifactUri)) {
    throw new Error(
      `${arn} already exists with other artifacts (${uris.join(', ')}), not ${artifactUri}: the component version is taken by another model.`,
    );
  }
}

/** Waits until Greengrass has checked the version's artifacts and calls it deployable. */
async function waitUntilDeployable(
  greengrass: GreengrassV2Client,
  arn: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  for (let poll = 1; ; poll++) {
    const { status } = await greengrass.send(new DescribeComponentCommand({ arn }));
    if (status?.componentState === 'DEPLOYABLE') return;
    if (status?.componentState === 'FAILED') {
      throw new Error(`${arn} is not deployable: ${status.message ?? 'no reason given'}`);
    }
    if (poll >= STATE_POLLS) {
      throw new Error(
        `${arn} is still ${String(status?.componentState)} after ${(STATE_POLLS * STATE_POLL_MS) / 1000} s`,
      );
    }
    await sleep(STATE_POLL_MS);
  }
}
