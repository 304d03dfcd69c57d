import {
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { ignoreCfnLintRule } from '../network/cfn-lint';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { EnvironmentAlerts, EventFailureAlarms } from '../alerts';
import type { DeliveryConfig } from '../config/delivery';
import { resolveEnvironment } from '../config/resolve';
import { EdgeGateStep } from '../delivery/pipeline/gate-step';
import { EnvironmentStage, RolloutStepStage } from '../delivery/pipeline/stages';
import type { PublishedVersion } from '../delivery/published-components';
import { rolloutSteps } from '../delivery/rollout-steps';
import { createAccessLogsBucket, createEncryptedBucket } from '../lakehouse/storage';
import { logGroupKey } from '../network/log-group-key';
import { acknowledgeGeneratedWildcards } from '../quality/nag-findings';

/** Name prefix of the pipeline's alert topic, rules and alarms. */
export const DELIVERY_NAME_PREFIX = 'uns-mlops-delivery';

/** Properties of a {@link DeliveryPipelineStack}. */
export interface DeliveryPipelineStackProps extends StackProps {
  /** Where the pipeline runs, its source and its stages. */
  readonly delivery: DeliveryConfig;
  /** The component versions the rollouts deploy. */
  readonly components: readonly PublishedVersion[];
}

/**
 * The checks the synth step runs before `cdk synth`: every part of the README's test command that
 * needs no service a CodeBuild container lacks (type checks, lint, the CDK and compliance tests,
 * the Lambda and pipeline-step tests; the Lambda tests that need a real PostgreSQL get Ubuntu's,
 * {@link SYNTH_INSTALL}). The edge components' tests need a real MQTT broker, Kafka, Chromium and
 * a Greengrass nucleus; they run in the repository's CI (`.ci/run`) before a change is merged.
 */
export const SYNTH_CHECKS = 'npm run test:cloud';

/** The synth step's install: PostgreSQL for the Lambda tests that run against it, then npm. */
export const SYNTH_INSTALL = [
  'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql',
  'npm ci --no-audit --no-fund',
];

/**
 * The delivery pipeline (CDK Pipelines, self-mutating): on every push to the configured branch it
 * runs the checks, synthesizes, updates itself, then deploys each environment in the configured
 * order (a manual approval first where configured): the platform stacks, then the edge rollout
 * step by step, the canary group first, each step followed by its KPI gate.
 */
export class DeliveryPipelineStack extends Stack {
  readonly pipeline: pipelines.CodePipeline;
  /** The alarm on failed runs, notifying the pipeline's alert topic. */
  readonly failureAlarms: EventFailureAlarms;

  constructor(scope: Construct, id: string, props: DeliveryPipelineStackProps) {
    super(scope, id, props);
    const { delivery } = props;
    const cacheBucket = this.createCacheBucket();

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: 'uns-mlops-delivery',
      selfMutation: true,
      crossAccountKeys: true,
      enableKeyRotation: true,
      synth: new pipelines.CodeBuildStep('Synth', {
        input: sourceOf(this, delivery),
        env: { ONNXRUNTIME_NODE_INSTALL: 'skip' },
        installCommands: [...SYNTH_INSTALL],
        commands: [SYNTH_CHECKS, 'npx cdk synth --quiet'],
        primaryOutputDirectory: 'cdk.out',
      }),
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.LARGE,
        },
        cache: codebuild.Cache.bucket(cacheBucket, { prefix: 'codebuild' }),
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          cache: { paths: ['/root/.npm/**/*', '.venv/**/*'] },
        }),
        timeout: Duration.minutes(60),
      },
    });

    for (const stage of delivery.stages) {
      const config = resolveEnvironment(stage.environment);
      const env = { account: config.account, region: config.region };
      const name = config.name.charAt(0).toUpperCase() + config.name.slice(1);
      this.pipeline.addStage(
        new EnvironmentStage(this, name, { env, config, pipelineAccount: delivery.account }),
        stage.manualApproval
          ? {
              pre: [
                new pipelines.ManualApprovalStep(`Approve${name}`, {
                  comment: `Deploy ${config.name}?`,
                }),
              ],
            }
          : {},
      );
      for (const step of rolloutSteps(config)) {
        this.pipeline.addStage(
          new RolloutStepStage(this, `${name}-Edge-${step.name}`, {
            env,
            config,
            step,
            components: props.components,
          }),
          { post: [new EdgeGateStep(`Gate-${config.name}-${step.name}`, config, step)] },
        );
      }
    }
    this.acknowledgeGeneratedResources();
    this.failureAlarms = this.alarmOnFailedRuns(delivery);
  }

  /**
   * A failed run (checks, synthesis, a deployment, an edge gate) notifies the pipeline's own alert
   * topic: CodePipeline reports runs only to EventBridge, so a rule keeps the failed runs in a log
   * group and an alarm on it notifies the topic.
   */
  private alarmOnFailedRuns(delivery: DeliveryConfig): EventFailureAlarms {
    const alerts = new EnvironmentAlerts(this, 'Alerts', {
      namePrefix: DELIVERY_NAME_PREFIX,
      notificationEmails: delivery.notificationEmails,
    });
    return new EventFailureAlarms(this, 'FailedRuns', {
      namePrefix: DELIVERY_NAME_PREFIX,
      source: 'aws.codepipeline',
      subject: 'pipeline',
      label: 'Delivery pipeline',
      failures: {
        failed: {
          detailType: 'CodePipeline Pipeline Execution State Change',
          detail: { pipeline: [this.pipeline.pipeline.pipelineName], state: ['FAILED'] },
          description:
            'a run of the delivery pipeline failed (checks, synthesis, a deployment or an edge rollout gate)',
        },
      },
      hint: 'open the failed execution in the CodePipeline console for the failed action and its build log.',
      alerts,
      logKey: logGroupKey(this, 'LogKey', {
        description: 'uns-mlops delivery: the failed pipeline runs',
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * CDK Pipelines generates the pipeline's roles, artifact bucket and policies; the findings on
   * them are about shapes the project cannot change. They are acknowledged once the pipeline is
   * built (its resources exist only then), each with why.
   */
  private acknowledgeGeneratedResources(): void {
    this.pipeline.buildPipeline();
    const generated =
      'generated by CDK Pipelines for its own artifact bucket, key, build projects and log groups, whose object keys and names are only known at run time';
    acknowledgeGeneratedWildcards(this.pipeline, `Wildcards ${generated}.`);
    Validations.of(this.pipeline).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: `Default inline policies ${generated}.`,
    });
    // CDK Pipelines makes the pipeline depend on its role's policy, which names the role too, and
    // writes the deployment roles' ARNs as Fn::Join (cfn-lint prefers Fn::Sub; both are valid).
    const cfnPipeline = this.pipeline.pipeline.node.defaultChild as CfnResource;
    ignoreCfnLintRule(cfnPipeline, 'W3005');
    ignoreCfnLintRule(cfnPipeline, 'E3703');
    const artifactBucket = this.pipeline.pipeline.artifactBucket;
    Validations.of(artifactBucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason:
          'The pipeline artifact bucket is created by CDK Pipelines without an access-log option; every access to it is recorded by CloudTrail as the pipeline roles act.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
        reason:
          'The pipeline artifact bucket is created by CDK Pipelines without an access-log option; every access to it is recorded by CloudTrail as the pipeline roles act.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason:
          'Pipeline artifacts are rebuilt from git by the next run, so a copy in a second region would hold nothing that cannot be made again.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketVersioningEnabled',
        reason:
          'Pipeline artifacts are immutable per execution (new keys every run) and rebuilt from git, so object versions would keep nothing of value.',
      },
    );
  }

  /** The build cache (npm and Python packages), encrypted, kept a month. */
  private createCacheBucket(): s3.Bucket {
    const key = new kms.Key(this, 'CacheKey', {
      description: 'uns-mlops delivery: CodeBuild dependency cache',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const noReplication =
      'The build cache only holds packages downloaded again from npm and PyPI when missing, so it needs no second region.';
    return createEncryptedBucket(this, 'BuildCache', {
      encryptionKey: key,
      accessLogs: createAccessLogsBucket(this, 'AccessLogs', {
        expireAfterDays: 365,
        removalPolicy: RemovalPolicy.RETAIN,
        noReplicationReason: noReplication,
      }),
      accessLogsPrefix: 'build-cache/',
      lifecycleRules: [
        {
          id: 'expire-cache',
          expiration: Duration.days(30),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.DESTROY,
      noReplicationReason: noReplication,
    });
  }
}

/** The pipeline's source: a CodeConnections repository or a CodeCommit one. */
function sourceOf(scope: Construct, delivery: DeliveryConfig): pipelines.CodePipelineSource {
  const { source } = delivery;
  if (source.kind === 'connection') {
    return pipelines.CodePipelineSource.connection(source.repository, source.branch, {
      connectionArn: source.connectionArn,
      triggerOnPush: true,
    });
  }
  // Imported by name: the repository is created once, outside the pipeline that reads it.
  return pipelines.CodePipelineSource.codeCommit(
    codecommit.Repository.fromRepositoryName(scope, 'SourceRepository', source.repositoryName),
    source.branch,
  );
}
