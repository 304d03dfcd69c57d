import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { GateInput } from '../../lambdas/edge-rollout-gate/src/contract';
import type { Alerting } from '../alerts/alarms';
import { withDefaults } from '../defaults';
import type { Lakehouse } from '../lakehouse';

/**
 * How a model rollout judges a candidate and whom it tells: the part of {@link ModelRolloutProps}
 * an environment sets (`modelRollout` in lib/config/environments.ts).
 */
export interface ModelRolloutSettings {
  /**
   * Minutes the candidate scores in shadow at the canary, once the canary's gate passed its
   * deployment, before the first comparison.
   * @default 60 - an hour of a working line: thousands of windows at the seed model's 15 per second and cell.
   */
  readonly bakeMinutes?: number;
  /**
   * Minutes between two comparisons while fewer than `minWindowsCompared` windows were compared
   * (the Lakehouse receives the scores through MSK and Firehose, minutes after they were made).
   * @default 15
   */
  readonly retryMinutes?: number;
  /**
   * Comparisons after which too few compared windows reject the candidate instead of waiting.
   * @default 8 - with the defaults, two hours after the bake time.
   */
  readonly maxComparisons?: number;
  /**
   * Lowest share (0-1) of the windows both models scored whose anomaly flags must agree.
   * @default 0.95
   */
  readonly minAgreement?: number;
  /**
   * Highest rise (0-1, absolute) of the anomaly rate, candidate minus serving model, over the
   * compared windows. A candidate that flags fewer windows is not held back by it.
   * @default 0.05 - five percentage points.
   */
  readonly maxAnomalyRateIncrease?: number;
  /**
   * Fewest windows both models must have scored before the comparison decides.
   * @default 500
   */
  readonly minWindowsCompared?: number;
  /**
   * Email addresses subscribed to the topic this construct creates (each confirms its
   * subscription). Only with that topic: with `topic` or `alerts`, subscribe to that topic where it
   * is made.
   * @default - none: subscribe to the topic yourself (its ARN is a stack output).
   */
  readonly notificationEmails?: readonly string[];
}

/** One step of the rollout, canary first: its thing groups and the gate that judges them. */
export interface ModelRolloutStep {
  /** `canary`, `wave-1`, `wave-2`, ... */
  readonly name: string;
  /** The thing groups the step deploys to, each by its rollout target name (`canary`, a site). */
  readonly targets: readonly { readonly name: string; readonly thingGroup: string }[];
  /** What the edge rollout gate is started with after the step's deployments. */
  readonly gateInput: GateInput;
}

/** Where the SageMaker pipeline registers models and keeps their bundles. */
export interface ModelRegistrySource {
  /** The model package group whose approved packages roll out (the pipeline's name). */
  readonly modelPackageGroupName: string;
  /** The pipeline's artifact bucket, holding each registered `model.tar.gz`. */
  readonly artifactBucket: s3.IBucket;
  /** Key pattern of the bundles in it, e.g. `<pipeline name>/*`. */
  readonly artifactKeyPattern: string;
  /** The key the bucket's objects are encrypted with. */
  readonly encryptionKey: kms.IKey;
}

/** The edge fleet the rollout deploys to. */
export interface EdgeFleetTargets {
  /** The bucket of the component artifacts (KMS-encrypted; its key is needed). */
  readonly artifactBucket: s3.IBucket;
  /** The edge rollout gate (lib/delivery/rollout-gate.ts), run after each step. */
  readonly gate: sfn.IStateMachine;
  /** The SSM parameter holding the model component version that serves in the environment. */
  readonly servingVersion: ssm.IStringParameter;
}

/** Properties of a {@link ModelRollout}. */
export interface ModelRolloutProps extends ModelRolloutSettings {
  /** Name prefix of named resources, e.g. `uns-mlops-dev`: the state machine is `<prefix>-model-rollout`. */
  readonly namePrefix: string;
  /** The model registry whose approved packages roll out. */
  readonly registry: ModelRegistrySource;
  /** The fleet, its artifact bucket, gate and serving version record. */
  readonly fleet: EdgeFleetTargets;
  /** The rollout steps in order: the canary (where the candidate runs in shadow), then the waves. */
  readonly steps: readonly ModelRolloutStep[];
  /**
   * The Lakehouse whose raw `inference_results` (and `model_status`) the comparison reads, through
   * its Athena workgroup, with a Lake Formation grant on the two tables.
   */
  readonly lakehouse: Lakehouse;
  /** The site whose UNS the canary devices serve: the comparison reads its partitions. */
  readonly canarySiteId: string;
  /** Key of the log groups. */
  readonly logKey: kms.IKey;
  /** What happens to the log groups and keys when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The topic told of every outcome (promoted, rejected, stopped, not started).
   * @default - the topic of `alerts` when given, else a topic of its own, encrypted with a key of
   *   its own.
   */
  readonly topic?: sns.ITopic;
  /**
   * Where the alarms go: the state machine's failed and timed-out executions, each function's
   * errors and throttles.
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
  /**
   * The folder of the UNS contract documents the plants' validator runs with, copied into the
   * function that checks a model against them.
   * @default - the repository's `asyncapi/`, which the validator component ships.
   */
  readonly contractDirectory?: string;
}

/** The settings used where an environment sets none. */
export const MODEL_ROLLOUT_DEFAULTS = {
  bakeMinutes: 60,
  retryMinutes: 15,
  maxComparisons: 8,
  minAgreement: 0.95,
  maxAnomalyRateIncrease: 0.05,
  minWindowsCompared: 500,
  notificationEmails: [] as readonly string[],
} as const satisfies Required<ModelRolloutSettings>;

/** {@link ModelRolloutSettings} with every default filled in. */
export function resolveModelRolloutSettings(
  settings: ModelRolloutSettings,
): Required<ModelRolloutSettings> {
  return withDefaults(settings, MODEL_ROLLOUT_DEFAULTS);
}
