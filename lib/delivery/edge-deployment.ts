import { Duration, Stack } from 'aws-cdk-lib';
import * as greengrass from 'aws-cdk-lib/aws-greengrassv2';
import { Construct } from 'constructs';
import type { RolloutTarget } from './rollout-steps';

/** A component version a deployment installs, with the plant's configuration merged into it. */
export interface DeployedComponent {
  /** Greengrass component name. */
  readonly name: string;
  /** Its version (semver). */
  readonly version: string;
  /** JSON merged into its configuration (`ConfigurationUpdate.Merge`); none when absent. */
  readonly configurationMerge?: string;
}

/** How a deployment reaches the devices of its thing group. */
export interface DeploymentPolicySettings {
  /**
   * How long components may take to get ready for an update (and to validate a configuration)
   * before the device proceeds.
   * @default Duration.minutes(2)
   */
  readonly componentUpdateTimeout?: Duration;
  /**
   * How long one device may take to apply the deployment before its job execution times out
   * (and counts toward the timed-out abort threshold).
   * @default Duration.minutes(30)
   */
  readonly deviceTimeout?: Duration;
  /**
   * Devices started per minute at first; the rate grows by half each time as many more devices
   * succeeded.
   * @default 5
   */
  readonly initialDevicesPerMinute?: number;
  /**
   * Share of devices (percent) that may fail, or time out, before the rest of the group's
   * rollout is cancelled.
   * @default 10
   */
  readonly abortThresholdPercent?: number;
  /**
   * Devices that must have finished before the abort thresholds apply.
   * @default 1 (a canary of one device aborts on its failure)
   */
  readonly abortMinDevices?: number;
}

/** Properties of an {@link EdgeDeployment}. */
export interface EdgeDeploymentProps extends DeploymentPolicySettings {
  /** The thing group the deployment targets. */
  readonly target: RolloutTarget;
  /** The component versions it installs. */
  readonly components: readonly DeployedComponent[];
  /** Deployment name prefix, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
}

/**
 * One Greengrass v2 deployment (`AWS::GreengrassV2::Deployment`) of the edge components to a thing
 * group. A device that fails to apply it rolls itself back (`FailureHandlingPolicy: ROLLBACK`);
 * components are told before they are updated and get a timeout to get ready; the IoT job rolls
 * out at an exponentially growing rate and is cancelled when too many devices fail or time out.
 * Greengrass keeps one deployment per thing group: a new one replaces what the group runs.
 */
export class EdgeDeployment extends Construct {
  /** The deployment id. */
  readonly deploymentId: string;

  constructor(scope: Construct, id: string, props: EdgeDeploymentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const updateTimeout = (props.componentUpdateTimeout ?? Duration.minutes(2)).toSeconds();
    const abortThreshold = props.abortThresholdPercent ?? 10;
    const abortMinDevices = props.abortMinDevices ?? 1;
    const components: Record<
      string,
      greengrass.CfnDeployment.ComponentDeploymentSpecificationProperty
    > = {};
    for (const component of props.components) {
      components[component.name] = {
        componentVersion: component.version,
        ...(component.configurationMerge !== undefined && {
          configurationUpdate: { merge: component.configurationMerge },
        }),
      };
    }
    const deployment = new greengrass.CfnDeployment(this, 'Deployment', {
      targetArn: stack.formatArn({
        service: 'iot',
        resource: 'thinggroup',
        resourceName: props.target.thingGroup,
      }),
      deploymentName: `${props.namePrefix}-${props.target.name}`,
      components,
      deploymentPolicies: {
        failureHandlingPolicy: 'ROLLBACK',
        componentUpdatePolicy: { action: 'NOTIFY_COMPONENTS', timeoutInSeconds: updateTimeout },
        configurationValidationPolicy: { timeoutInSeconds: updateTimeout },
      },
      iotJobConfiguration: {
        jobExecutionsRolloutConfig: {
          exponentialRate: {
            baseRatePerMinute: props.initialDevicesPerMinute ?? 5,
            incrementFactor: 1.5,
            // An untyped property in aws-cdk-lib: written with CloudFormation's own casing.
            rateIncreaseCriteria: { NumberOfSucceededThings: props.initialDevicesPerMinute ?? 5 },
          },
          maximumPerMinute: 50,
        },
        abortConfig: {
          criteriaList: ['FAILED', 'TIMED_OUT'].map((failureType) => ({
            failureType,
            action: 'CANCEL',
            thresholdPercentage: abortThreshold,
            minNumberOfExecutedThings: abortMinDevices,
          })),
        },
        timeoutConfig: {
          inProgressTimeoutInMinutes: (props.deviceTimeout ?? Duration.minutes(30)).toMinutes(),
        },
      },
    });
    this.deploymentId = deployment.attrDeploymentId;
  }
}
