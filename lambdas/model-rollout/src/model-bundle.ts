/**
 * A registered model bundle: `model.tar.gz` in the pipeline's artifact bucket, holding
 * `model.onnx` and `manifest.json` at its root (pipelines/model-bundle/README.md).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ArchiveFile, readTarGz } from './bundle-archive';

/** The files of a bundle, in the order the model component's artifact holds them. */
export const BUNDLE_FILES = ['manifest.json', 'model.onnx'] as const;

/** Where an object is. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/**
 * The Greengrass version a model package rolls out as: `1.<package version>.0`. The major stays
 * 1, the range the inference runtime's recipe accepts; the repository's own model versions stay
 * on 1.0.x (patch steps), so a registry model is always a newer minor and never meets one.
 */
export function componentVersionOf(modelPackageVersion: number): string {
  return `1.${modelPackageVersion}.0`;
}

/**
 * The bucket and key of an `s3://bucket/key` URL.
 *
 * @throws Error when the URL is not one.
 */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new Error(`${JSON.stringify(url)} is no s3://bucket/key URL`);
  }
  return { bucket: match[1], key: match[2] };
}

/** The bundle's files, read from its `model.tar.gz`. */
export interface BundleFiles {
  readonly files: readonly ArchiveFile[];
  /** `manifest.json`, parsed. */
  readonly manifest: unknown;
}

/** Why a bundle cannot be used, said in one sentence. */
export class UnreadableBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableBundleError';
  }
}

/**
 * Downloads `model.tar.gz` and takes its bundle files out.
 *
 * @throws UnreadableBundleError when the archive is broken, lacks a bundle file or its manifest
 *   is not JSON; AWS errors as the SDK throws them.
 */
export async function downloadBundle(s3: S3Client, modelDataUrl: string): Promise<BundleFiles> {
  const { bucket, key } = parseS3Url(modelDataUrl);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = await object.Body?.transformToByteArray();
  if (body === undefined) throw new UnreadableBundleError(`${modelDataUrl} is empty.`);
  let entries: Map<string, Buffer>;
  try {
    entries = await readTarGz(Buffer.from(body));
  } catch (error) {
    throw new UnreadableBundleError(
      `${modelDataUrl} is no gzip-compressed tar archive: ${(error as Error).message}.`,
    );
  }
  const file = (name: (typeof BUNDLE_FILES)[number]): ArchiveFile => {
    const data = entries.get(name);
    if (data === undefined) {
      throw new UnreadableBundleError(
        `${modelDataUrl} holds no ${name} (it holds: ${[...entries.keys()].join(', ') || 'nothing'}).`,
      );
    }
    return { name, data };
  };
  const files = BUNDLE_FILES.map(file);
  let manifest: unknown;
  try {
    manifest = JSON.parse(file('manifest.json').data.toString('utf8'));
  } catch (error) {
    throw new UnreadableBundleError(
      `The manifest.json of ${modelDataUrl} is not JSON: ${(error as Error).message}.`,
    );
  }
  return { files, manifest };
}
