import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { AssetHashType, BundlingOutput, DockerImage, Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { deterministicTarGz } from './tarball';

/** What stays out of the step-code tarball: caches, tests and virtual environments. */
export const STEP_CODE_EXCLUDED_NAMES = [
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.venv',
  'tests',
] as const;
export const STEP_CODE_EXCLUDED_SUFFIXES = ['.pyc', '.pyo'] as const;
/** The file a processing job or the training toolkit installs with pip when the step code has it. */
export const REQUIREMENTS_FILE = 'requirements.txt';

/** Properties of {@link StepCode}. */
export interface StepCodeProps {
  /** Directory of the step code (its root holds the entry scripts). */
  readonly directory: string;
  /** Entry scripts that must exist at the root of `directory`, e.g. `train.py`. */
  readonly entryScripts: readonly string[];
}

/**
 * The pipeline's step code as one S3 asset in the form SageMaker's framework containers expect: a
 * gzip-compressed tarball of the directory (the `sourcedir.tar.gz` of script mode), built at synth
 * time without Docker. The tarball is deterministic (see `deterministicTarGz`) and the asset hash is
 * the hash of its bytes, so the same code always deploys to the same S3 object.
 */
export class StepCode extends Construct {
  readonly asset: s3assets.Asset;
  /** Name of the tarball object (the last part of its S3 key), as a job downloads it. */
  readonly fileName: string;
  /** Whether the step code has a `requirements.txt` at its root (installed with pip in the jobs). */
  readonly hasRequirements: boolean;

  constructor(scope: Construct, id: string, props: StepCodeProps) {
    super(scope, id);
    const { directory } = props;
    if (!existsSync(directory) || !statSync(directory).isDirectory()) {
      throw new Error(`Step code directory ${directory} does not exist (${this.node.path}).`);
    }
    const missing = props.entryScripts.filter((script) => !existsSync(join(directory, script)));
    if (missing.length > 0) {
      throw new Error(
        `Step code directory ${directory} lacks the entry script${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (${this.node.path}).`,
      );
    }
    this.hasRequirements = existsSync(join(directory, REQUIREMENTS_FILE));
    this.asset = new s3assets.Asset(this, 'Tarball', {
      path: directory,
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never pulled: the local bundler below always succeeds.
        image: DockerImage.fromRegistry('uns-mlops/no-docker-needed'),
        outputType: BundlingOutput.ARCHIVED,
        local: {
          tryBundle(outputDir: string): boolean {
            const tarball = deterministicTarGz(directory, {
              excludeNames: STEP_CODE_EXCLUDED_NAMES,
              excludeSuffixes: STEP_CODE_EXCLUDED_SUFFIXES,
            });
            writeFileSync(join(outputDir, 'sourcedir.tar.gz'), tarball);
            return true;
          },
        },
      },
    });
    if (Token.isUnresolved(this.asset.s3ObjectKey)) {
      throw new Error(
        `The step-code asset key of ${this.node.path} is only known at deploy time; use a synthesizer with literal asset keys.`,
      );
    }
    this.fileName = posix.basename(this.asset.s3ObjectKey);
  }
}
