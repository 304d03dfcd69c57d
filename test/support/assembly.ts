/**
 * The whole app of an environment, synthesized once per test run into the run's folder by the CDK
 * command line as a user runs it (`cdk synth -c env=<name>`, without AWS credentials), and read by
 * every test file that only inspects what synthesis wrote (templates, the acknowledgements in the
 * stacks' metadata, the rollout plans): one synthesis, with its cdk-nag checks, its function
 * bundles and the dashboard's build, instead of one per file.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { ArtifactMetadataEntryType } from 'aws-cdk-lib/cloud-assembly-schema';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { stackName } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { cdkSynth } from './cdk-cli';
import { oncePerRun } from './once-per-run';
import { runDirectory } from './run-directory';

/** How long a test file waits for another one that synthesizes the app, on a loaded machine. */
const SYNTH_TIMEOUT_MS = 600_000;

/** An environment's app as `cdk synth -c env=<name>` writes it. */
export interface SynthesizedApp {
  readonly config: EnvironmentConfig;
  readonly assembly: CloudAssembly;
  /** The folder synthesis wrote (the cloud assembly, assets, rollout plans). */
  readonly directory: string;
  /** A stack by its name (e.g. `UnsMlops-Delivery`). */
  stack(name: string): CloudFormationStackArtifact;
  /** The template of the environment's stack `UnsMlops-<Env>-<part>` (`part` as lib/app.ts names it). */
  template(part: string): Template;
  /** The path of every stack's template. */
  templateFiles(): string[];
  /**
   * The logical id of a construct's resource in the environment's stack `UnsMlops-<Env>-<part>`,
   * by its path in the stack (e.g. `Network/LogKey`: its `Resource`, or the resource itself).
   */
  logicalId(part: string, path: string): string;
}

/**
 * The app of `environmentName`, synthesized by the first test file of the run that asks for it;
 * rejects with synthesis's error (an unacknowledged cdk-nag finding, say) in every file.
 */
export async function synthesizedApp(environmentName: string): Promise<SynthesizedApp> {
  const key = `app-${environmentName}`;
  const directory = join(runDirectory(), key);
  await oncePerRun(
    key,
    () => {
      const staging = `${directory}.staging`;
      const synth = cdkSynth(staging, '-c', `env=${environmentName}`);
      if (synth.status !== 0) {
        throw new Error(`cdk synth -c env=${environmentName} failed:\n${synth.stderr}`);
      }
      renameSync(staging, directory);
    },
    SYNTH_TIMEOUT_MS,
  );
  const config = resolveEnvironment(environmentName);
  const assembly = new CloudAssembly(directory);
  const stack = (name: string) => assembly.getStackByName(name);
  return {
    config,
    assembly,
    directory,
    stack,
    template: (part) => Template.fromJSON(stack(stackName(config, part)).template),
    templateFiles: () => assembly.stacks.map((artifact) => artifact.templateFullPath),
    logicalId: (part, path) => {
      const name = stackName(config, part);
      const paths = [`/${name}/${path}/Resource`, `/${name}/${path}`];
      const entry = stack(name)
        .findMetadataByType(ArtifactMetadataEntryType.LOGICAL_ID)
        .find((candidate) => paths.includes(candidate.path));
      if (entry === undefined) throw new Error(`${name} has no resource at ${path}`);
      return entry.data as string;
    },
  };
}
