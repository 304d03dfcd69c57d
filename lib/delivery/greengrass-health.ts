import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts/alarms';
import { type EventFailure, EventFailureAlarms } from '../alerts/event-failure-alarms';

/** Properties of {@link GreengrassHealth}. */
export interface GreengrassHealthProps {
  /** Prefix of the rules and log groups, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
  /** Where the alarms go. */
  readonly alerts: Alerting;
  /** Key of the log groups. */
  readonly logKey: kms.IKey;
  /** What happens to the log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The Greengrass events of one failure kind: `detail-type` and the `detail` that matches a
 * failure, as AWS IoT Greengrass V2 sends them to EventBridge (source `aws.greengrass`).
 */
export const GREENGRASS_FAILURES = {
  /** A deployment reached a core device and failed or was rejected there. */
  'deployment-failed': {
    detailType: 'Greengrass V2 Effective Deployment Status Change',
    detail: { coreDeviceExecutionStatus: ['FAILED', 'REJECTED'] },
    description:
      'a Greengrass deployment failed or was rejected on a core device (the rollout gate rolls a wave back on it)',
  },
  /**
   * A component on a core device entered ERRORED or BROKEN: the core device reports UNHEALTHY
   * while any of its components is in either state.
   */
  'component-broken': {
    detailType: 'Greengrass V2 Installed Component Status Change',
    detail: { components: { lifecycleState: ['ERRORED', 'BROKEN'] } },
    description:
      'a component on a Greengrass core device is ERRORED or BROKEN, so the device reports UNHEALTHY',
  },
} as const satisfies Record<string, EventFailure>;

/**
 * Greengrass deployments failed and core devices unhealthy. Greengrass V2 publishes no CloudWatch
 * metric of its own; it sends state changes to EventBridge, which {@link EventFailureAlarms} turns
 * into log groups (`/aws/events/<prefix>/greengrass-<kind>`: which device, deployment, component
 * and error code) and alarms `<prefix>-greengrass-<kind>` on the environment's topic.
 */
export class GreengrassHealth extends EventFailureAlarms {
  constructor(scope: Construct, id: string, props: GreengrassHealthProps) {
    super(scope, id, {
      ...props,
      source: 'aws.greengrass',
      subject: 'greengrass',
      label: 'Greengrass',
      failures: GREENGRASS_FAILURES,
      hint: "each names the device, deployment, component and error codes; the device's own logs are in greengrass.log on the device.",
    });
  }
}
