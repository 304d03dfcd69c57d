import { mkdirSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as greengrass from 'aws-cdk-lib/aws-greengrassv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildComponent } from './artifacts';
import type { EdgeComponentSource } from './components';
import { fillRecipe, parseRecipe, recipeProblems } from './recipe';
import { readVersionLock, versionOf, type VersionLock } from './versions';

/** Properties of an {@link EdgeComponent}. */
export interface EdgeComponentProps {
  /** The component: its recipe template and the script that builds its artifact. */
  readonly source: EdgeComponentSource;
  /**
   * The bucket holding the artifacts of every published version, at
   * `<component>/<version>/<artifact file>` (the recipes' artifact URI). Old versions stay: a
   * rollback deploys them again.
   */
  readonly artifactBucket: s3.IBucket;
  /** Log group of the upload function (shared by every component of the stack). */
  readonly uploadLogGroup: logs.ILogGroup;
  /**
   * The recorded versions of the components.
   * @default the repository's edge-components/component-versions.json
   */
  readonly versions?: VersionLock;
}

/** A recipe that Greengrass would refuse, found at synthesis. */
export class InvalidRecipeError extends Error {
  constructor(component: EdgeComponentSource, problems: readonly string[]) {
    super(
      `The recipe of ${component.name} (${component.recipeFile}) is not a valid Greengrass v2 recipe:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'InvalidRecipeError';
  }
}

/**
 * A Greengrass v2 component version published from this repository
 * (`AWS::GreengrassV2::ComponentVersion` with the inline recipe): the artifact built by the
 * component's own reproducible script, uploaded as `<component>/<version>/<file>`, and the recipe
 * with its version and artifact bucket filled.
 *
 * The version is the one edge-components/component-versions.json records for exactly this recipe
 * template and these artifact bytes; synthesis fails when either changed without a new version
 * recorded (`npm run components:version`), so a version never names two different contents and
 * changes only when the content does. Invalid recipes fail synthesis with the schema's findings.
 * Published versions are retained when replaced, so a rollback can deploy them again.
 */
export class EdgeComponent extends Construct {
  /** Greengrass component name. */
  readonly componentName: string;
  /** The published version (semver). */
  readonly componentVersion: string;
  /** The component version's ARN. */
  readonly componentVersionArn: string;
  /** Key of the artifact object in the artifact bucket. */
  readonly artifactObjectKey: string;

  constructor(scope: Construct, id: string, props: EdgeComponentProps) {
    super(scope, id);
    const { source, artifactBucket } = props;
    const built = buildComponent(source);
    const version = versionOf(props.versions ?? readVersionLock(), source.name, built.content);
    const problems = recipeProblems(fillRecipe(built.recipeTemplate, version, 'artifact-bucket'));
    if (problems.length > 0) throw new InvalidRecipeError(source, problems);

    this.componentName = source.name;
    this.componentVersion = version;
    this.artifactObjectKey = `${source.name}/${version}/${source.artifactFile}`;

    const upload = new s3deploy.BucketDeployment(this, 'Artifact', {
      sources: [s3deploy.Source.asset(stagedArtifact(source, version, built.artifact.path))],
      destinationBucket: artifactBucket,
      prune: false,
      retainOnDelete: true,
      extract: true,
      logGroup: props.uploadLogGroup,
    });

    const recipe = parseRecipe(
      fillRecipe(built.recipeTemplate, version, artifactBucket.bucketName),
    );
    const componentVersion = new greengrass.CfnComponentVersion(this, 'Version', {
      inlineRecipe: Stack.of(this).toJsonString(recipe),
    });
    // Greengrass reads the artifact when it creates the version; a replaced version stays, so the
    // previous version can still be deployed when a rollout rolls back.
    componentVersion.node.addDependency(upload);
    componentVersion.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.componentVersionArn = componentVersion.attrArn;
  }
}

/** A folder holding only the artifact at its key, `<component>/<version>/<file>`. */
function stagedArtifact(source: EdgeComponentSource, version: string, artifact: string): string {
  const root = mkdtempSync(join(tmpdir(), 'uns-mlops-artifact-'));
  const folder = join(root, source.name, version);
  mkdirSync(folder, { recursive: true });
  copyFileSync(artifact, join(folder, source.artifactFile));
  return root;
}
