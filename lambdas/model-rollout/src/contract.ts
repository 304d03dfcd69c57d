/**
 * The events and results of the model rollout's functions, as the state machine
 * (lib/model-rollout) passes them: each result lands in the execution's state, so every decision
 * and its reason is in the execution history.
 */
import type { ContractGateResult } from '@uns-mlops/edge-common/src/model-contract-gate';

/** Event of `readPackage`: the approved package. */
export interface ReadPackageEvent {
  /** `arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>`. */
  modelPackageArn: string;
}

/**
 * What to do with an approved package:
 * - `ROLL_OUT`: it fits the contract in force; shadow it at the canary;
 * - `REFUSE`: it does not (or its bundle is unreadable); reject it with `reason`;
 * - `SKIP`: nothing to do (not of the rollout's group, no longer approved, or its version
 *   already serves).
 */
export type PackageDecision = 'ROLL_OUT' | 'REFUSE' | 'SKIP';

/** Result of `readPackage`. */
export interface ReadPackageResult {
  decision: PackageDecision;
  /** One sentence (or several, for a refusal) saying why. */
  reason: string;
  modelPackageArn: string;
  modelPackageVersion: number;
  /** `s3://…/model.tar.gz`: the registered bundle. */
  modelDataUrl: string;
  /** The model component version the package rolls out as: `1.<package version>.0`. */
  componentVersion: string;
  /** The bundle's `modelName` and `modelVersion`, once its manifest was read. */
  model?: { name: string; version: string };
  /** The contract ↔ model gate's decision, once the bundle was read. */
  gate?: ContractGateResult;
}

/** Event of `rejectPackage`. */
export interface RejectPackageEvent {
  modelPackageArn: string;
  reason: string;
}

/** Result of `rejectPackage`. */
export interface RejectPackageResult {
  modelPackageArn: string;
  modelApprovalStatus: 'Rejected';
  /** The approval description written, the reason cut to the registry's 1024 characters. */
  approvalDescription: string;
}

/**
 * Which model component a `publishComponent` call publishes: the candidate (shadow slot) or the
 * model that serves. Both take their artifact from the same object.
 */
export type ComponentRole = 'candidate' | 'serving';

/** Event of `publishComponent`. */
export interface PublishComponentEvent {
  role: ComponentRole;
  /** The registered bundle (`model.tar.gz`). */
  modelDataUrl: string;
  componentVersion: string;
}

/** Result of `publishComponent`. */
export interface PublishComponentResult {
  componentName: string;
  componentVersion: string;
  componentVersionArn: string;
  /** Where the artifact is, and its SHA-256 (hex). */
  artifact: { bucket: string; key: string; sha256: string };
  /** False when an earlier attempt had already published exactly this version. */
  created: boolean;
}

/**
 * How a deployment changes a thing group's model components; every other component, its
 * configuration and the deployment's policies stay as the group's current deployment has them.
 * - `shadow`: adds the candidate at the version (the serving model stays);
 * - `removeShadow`: removes the candidate;
 * - `promote`: the model component at the version, the candidate removed.
 */
export type ModelChange = 'shadow' | 'removeShadow' | 'promote';

/** A thing group the rollout deploys to. */
export interface DeployTarget {
  /** `canary` or the plant's site id. */
  name: string;
  /** `arn:aws:iot:<region>:<account>:thinggroup/<name>`. */
  thingGroupArn: string;
}

/** Event of `deploy`. */
export interface DeployEvent {
  change: ModelChange;
  componentVersion: string;
  targets: DeployTarget[];
}

/** One deployment `deploy` created. */
export interface TargetDeployment {
  target: string;
  deploymentId: string;
  /** The group's deployment it revised. */
  revisedDeploymentId: string;
  /** The component versions it deploys, by name. */
  components: Record<string, string>;
}

/** Result of `deploy`. */
export interface DeployResult {
  /** ISO 8601 time before the first deployment was created. */
  since: string;
  deployments: TargetDeployment[];
}

/** The limits a shadow comparison is judged by (the environment's `modelRollout` settings). */
export interface ComparisonLimits {
  /** Lowest share of compared windows whose anomaly flags must agree (0-1). */
  minAgreement: number;
  /** Highest rise of the anomaly rate, shadow minus serving, as a share (0-1). */
  maxAnomalyRateIncrease: number;
  /** Fewest windows both models must have scored before a decision. */
  minWindowsCompared: number;
  /** Comparisons after which too few windows reject the candidate instead of waiting. */
  maxComparisons: number;
}

/** One row of Athena's `GetQueryResults` (`ResultSet.Rows`). */
export interface QueryRow {
  Data?: { VarCharValue?: string }[];
}

/** Event of `compareShadow`. */
export interface CompareShadowEvent {
  /** The comparison query's result rows: a header row, then one row of counts. */
  rows: QueryRow[];
  /** Comparisons made before this one. */
  attempt: number;
  limits: ComparisonLimits;
}

/** What the comparison decides. */
export type ComparisonDecision = 'PROMOTE' | 'REJECT' | 'WAIT';

/** Result of `compareShadow`. */
export interface ComparisonVerdict {
  decision: ComparisonDecision;
  reason: string;
  /** Comparisons made, this one included. */
  attempt: number;
  /** Windows both models scored. */
  windows: number;
  /** Share of them whose anomaly flags agree; null without windows. */
  agreement: number | null;
  servingAnomalyRate: number | null;
  candidateAnomalyRate: number | null;
  /** The runtime's reason when it refused to load the candidate. */
  refusal: string | null;
}
