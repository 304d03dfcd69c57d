import type {
  ComponentDeploymentSpecification,
  DeploymentIoTJobConfiguration,
  DeploymentPolicies,
} from '@aws-sdk/client-greengrassv2';

/** One Greengrass thing group a wave deploys to, with what the gate checks about it. */
export interface GateTarget {
  /** Short name used in reasons and notifications, e.g. `canary`, `zwickau`. */
  name: string;
  /** `arn:aws:iot:<region>:<account>:thinggroup/<name>`: the deployment target. */
  thingGroupArn: string;
  /** SSM parameter holding the target's last good deployment, e.g. `/uns-mlops/dev/edge/last-good/zwickau`. */
  lastGoodParameter: string;
  /** CloudWatch alarms on the target's edge KPIs. */
  kpiAlarmNames: string[];
}

/** The gate state machine's input: one wave of the rollout (the same object reaches each Lambda). */
export interface GateInput {
  /** Name of the wave, e.g. `canary` or `wave-2`. */
  wave: string;
  targets: GateTarget[];
  /** Wait before the first evaluation. */
  bakeSeconds: number;
  /** Wait between evaluations while the verdict is WAIT. */
  pollSeconds: number;
  /** After this long since the execution started, whatever is still pending or missing rolls back. */
  timeoutSeconds: number;
}

/** What the gate does next: promote the wave, look again later, or roll back. */
export type Decision = 'PROMOTE' | 'WAIT' | 'ROLLBACK';

/** The gate's decision for one target, with the reasons behind it. */
export interface TargetVerdict {
  name: string;
  decision: Decision;
  /** The target's latest deployment, the one judged (absent when the target has none). */
  deploymentId?: string;
  reasons: string[];
}

/** The gate's decision for the whole wave. */
export interface GateVerdict {
  decision: Decision;
  targets: TargetVerdict[];
  /** One human-readable line naming the wave (used in the SNS notification). */
  summary: string;
}

/** Event of the `evaluate` handler. */
export interface EvaluateEvent {
  input: GateInput;
  /** ISO 8601 start of the state machine execution (`$$.Execution.StartTime`). */
  startedAt: string;
}

/** Event of the `recordLastGood` and `rollback` handlers. */
export interface VerdictEvent {
  input: GateInput;
  verdict: GateVerdict;
}

/** Component versions by component name, e.g. `{ 'com.acme.UnsValidator': '1.4.0' }`. */
export type ComponentVersions = Record<string, string>;

/** A target whose deployment was recorded as its last good one. */
export interface RecordedTarget {
  name: string;
  deploymentId: string;
  components: ComponentVersions;
}

/** Result of the `recordLastGood` handler. */
export interface RecordLastGoodResult {
  recorded: RecordedTarget[];
}

/**
 * What `recordLastGood` keeps in a target's `lastGoodParameter` (as JSON) and `rollback` deploys
 * again: everything CreateDeployment needs to reproduce the deployment.
 */
export interface LastGoodRecord {
  deploymentId: string;
  deploymentName?: string;
  components: Record<string, ComponentDeploymentSpecification>;
  deploymentPolicies?: DeploymentPolicies;
  iotJobConfiguration?: DeploymentIoTJobConfiguration;
  /** ISO 8601 time of recording. */
  recordedAt: string;
}

/** A target redeployed with its last good components. */
export interface RolledBackTarget {
  name: string;
  /** The rollback deployment's id. */
  deploymentId: string;
  /** The versions the target went back to. */
  components: ComponentVersions;
}

/** A target that should have been rolled back but could not be. */
export interface NotRolledBackTarget {
  name: string;
  reason: string;
}

/** Result of the `rollback` handler. */
export interface RollbackResult {
  rolledBack: RolledBackTarget[];
  notRolledBack: NotRolledBackTarget[];
  /** Multi-line text for the notification: what failed, where, why, and where each target went back to. */
  message: string;
}
