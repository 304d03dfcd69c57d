import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsInput,
  type MetricAlarm,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import {
  type CoreDevice,
  type CoreDeviceStatus,
  CreateDeploymentCommand,
  type CreateDeploymentRequest,
  type EffectiveDeployment,
  type EffectiveDeploymentExecutionStatus,
  GetDeploymentCommand,
  type GetDeploymentRequest,
  type GetDeploymentResponse,
  GreengrassV2Client,
  type InstalledComponent,
  ListCoreDevicesCommand,
  type ListCoreDevicesRequest,
  ListDeploymentsCommand,
  type ListDeploymentsRequest,
  ListEffectiveDeploymentsCommand,
  type ListEffectiveDeploymentsRequest,
  ListInstalledComponentsCommand,
  type ListInstalledComponentsRequest,
  ResourceNotFoundException,
} from '@aws-sdk/client-greengrassv2';
import { mockClient } from 'aws-sdk-client-mock';
import type { GateInput, GateTarget } from '../src/contract';

const ARN_PREFIX = 'arn:aws:iot:eu-central-1:111122223333:thinggroup';

/** A target named like the environments' plants, with two KPI alarms. */
export function target(name: string): GateTarget {
  return {
    name,
    thingGroupArn: `${ARN_PREFIX}/uns-mlops-dev-${name}`,
    lastGoodParameter: `/uns-mlops/dev/edge/last-good/${name}`,
    kpiAlarmNames: [`uns-mlops-dev-${name}-valid-share`, `uns-mlops-dev-${name}-inference-latency`],
  };
}

export const CANARY = target('canary');
export const ZWICKAU = target('zwickau');

/** The execution start; with {@link gateInput}'s timeout the deadline is one hour later. */
export const STARTED_AT = '2025-12-04T10:00:00.000Z';
export const BEFORE_TIMEOUT = new Date('2025-12-04T10:30:00.000Z');
export const AT_TIMEOUT = new Date('2025-12-04T11:00:00.000Z');

/** The state machine input for one wave of the given targets (timeout one hour). */
export function gateInput(...targets: GateTarget[]): GateInput {
  return { wave: 'wave-1', targets, bakeSeconds: 600, pollSeconds: 120, timeoutSeconds: 3600 };
}

export const greengrass = mockClient(GreengrassV2Client);
export const cloudwatch = mockClient(CloudWatchClient);

/** What a deployment deploys, as GetDeployment returns it and CreateDeployment takes it. */
export type DeploymentSpec = Pick<
  GetDeploymentResponse,
  'deploymentName' | 'components' | 'deploymentPolicies' | 'iotJobConfiguration'
>;

/**
 * An in-memory fleet behind the mocked Greengrass and CloudWatch clients: deployments, thing
 * groups with their latest deployment and core devices, what each device reports, and the
 * alarms. Lists are served in pages of {@link pageSize} items, with the index of the next item as
 * continuation token. CreateDeployment makes `d-rollback-<n>` the group's latest deployment.
 */
export class FakeFleet {
  pageSize = 50;
  private readonly deployments = new Map<string, GetDeploymentResponse>();
  private rollbacks = 0;
  private readonly latestDeployments = new Map<string, string>();
  private readonly coreDevices = new Map<string, CoreDevice[]>();
  private readonly executions = new Map<string, EffectiveDeployment[]>();
  private readonly installedComponents = new Map<string, InstalledComponent[]>();
  private readonly alarms = new Map<string, MetricAlarm>();

  constructor() {
    greengrass.reset();
    cloudwatch.reset();
    greengrass.on(ListDeploymentsCommand).callsFake(({ targetArn }: ListDeploymentsRequest) => {
      const deploymentId = this.latestDeployments.get(targetArn ?? '');
      return {
        deployments:
          deploymentId === undefined
            ? []
            : [{ targetArn, deploymentId, deploymentStatus: 'ACTIVE', isLatestForTarget: true }],
      };
    });
    greengrass.on(GetDeploymentCommand).callsFake(({ deploymentId }: GetDeploymentRequest) => {
      const deployment = this.deployments.get(deploymentId ?? '');
      if (deployment !== undefined) return deployment;
      throw new ResourceNotFoundException({
        message: `deployment ${deploymentId} not found`,
        resourceId: deploymentId ?? '',
        resourceType: 'deployment',
        $metadata: { httpStatusCode: 404 },
      });
    });
    greengrass.on(CreateDeploymentCommand).callsFake((request: CreateDeploymentRequest) => {
      this.rollbacks += 1;
      const deploymentId = `d-rollback-${this.rollbacks}`;
      const {
        targetArn = '',
        deploymentName,
        components,
        deploymentPolicies,
        iotJobConfiguration,
      } = request;
      this.deployments.set(deploymentId, {
        targetArn,
        deploymentId,
        deploymentName,
        components,
        deploymentPolicies,
        iotJobConfiguration,
      });
      this.latestDeployments.set(targetArn, deploymentId);
      return { deploymentId, iotJobId: `job-${deploymentId}` };
    });
    greengrass
      .on(ListCoreDevicesCommand)
      .callsFake(({ thingGroupArn, nextToken }: ListCoreDevicesRequest) => {
        const page = this.page(this.coreDevices.get(thingGroupArn ?? '') ?? [], nextToken);
        return { coreDevices: page.items, nextToken: page.nextToken };
      });
    greengrass
      .on(ListEffectiveDeploymentsCommand)
      .callsFake(({ coreDeviceThingName, nextToken }: ListEffectiveDeploymentsRequest) => {
        const page = this.page(this.executions.get(coreDeviceThingName ?? '') ?? [], nextToken);
        return { effectiveDeployments: page.items, nextToken: page.nextToken };
      });
    greengrass
      .on(ListInstalledComponentsCommand)
      .callsFake(({ coreDeviceThingName, nextToken }: ListInstalledComponentsRequest) => {
        const all = this.installedComponents.get(coreDeviceThingName ?? '') ?? [];
        const page = this.page(all, nextToken);
        return { installedComponents: page.items, nextToken: page.nextToken };
      });
    cloudwatch
      .on(DescribeAlarmsCommand)
      .callsFake(({ AlarmNames = [], NextToken, MaxRecords = 50 }: DescribeAlarmsInput) => {
        if (AlarmNames.length > 100) throw new Error('AlarmNames takes at most 100 names');
        const found = AlarmNames.flatMap((name) => this.alarms.get(name) ?? []);
        const page = this.page(found, NextToken, Math.min(this.pageSize, MaxRecords));
        return { MetricAlarms: page.items, CompositeAlarms: [], NextToken: page.nextToken };
      });
  }

  /** The thing group's latest deployment is `deploymentId`, deploying `spec`. */
  deploy(to: GateTarget, deploymentId: string, spec: DeploymentSpec = {}): this {
    this.deployments.set(deploymentId, { targetArn: to.thingGroupArn, deploymentId, ...spec });
    this.latestDeployments.set(to.thingGroupArn, deploymentId);
    return this;
  }

  /** The thing group's latest deployment. */
  latestDeploymentOf(of: GateTarget): string | undefined {
    return this.latestDeployments.get(of.thingGroupArn);
  }

  /** A core device joins the target's thing group. */
  addCoreDevice(to: GateTarget, thingName: string, status: CoreDeviceStatus = 'HEALTHY'): this {
    const devices = this.coreDevices.get(to.thingGroupArn) ?? [];
    devices.push({ coreDeviceThingName: thingName, status, platform: 'linux' });
    this.coreDevices.set(to.thingGroupArn, devices);
    return this;
  }

  /** The device reports its execution of a deployment. */
  reportExecution(
    thingName: string,
    deploymentId: string,
    status: EffectiveDeploymentExecutionStatus,
    details: Partial<
      Pick<EffectiveDeployment, 'reason' | 'statusDetails' | 'modifiedTimestamp'>
    > = {},
  ): this {
    const executions = this.executions.get(thingName) ?? [];
    executions.push({
      deploymentId,
      deploymentName: `deployment ${deploymentId}`,
      targetArn: `${ARN_PREFIX}/any`,
      coreDeviceExecutionStatus: status,
      creationTimestamp: new Date('2025-12-04T09:59:00Z'),
      modifiedTimestamp: new Date('2025-12-04T10:05:00Z'),
      ...details,
    });
    this.executions.set(thingName, executions);
    return this;
  }

  /** The components the device reports as installed. */
  install(thingName: string, components: InstalledComponent[]): this {
    this.installedComponents.set(thingName, components);
    return this;
  }

  /** The alarm exists and is in `state`. */
  alarm(name: string, state: StateValue, reason = `Threshold crossed: ${state}`): this {
    this.alarms.set(name, { AlarmName: name, StateValue: state, StateReason: reason });
    return this;
  }

  /** The alarm no longer exists. */
  removeAlarm(name: string): this {
    this.alarms.delete(name);
    return this;
  }

  /**
   * The target is healthy: `deploymentId` is its latest deployment, SUCCEEDED on one healthy core
   * device `gg-<target>-1`, and its KPI alarms are OK.
   */
  healthy(to: GateTarget, deploymentId: string, spec: DeploymentSpec = {}): this {
    const thingName = `gg-${to.name}-1`;
    this.deploy(to, deploymentId, spec).addCoreDevice(to, thingName);
    this.reportExecution(thingName, deploymentId, 'SUCCEEDED');
    for (const name of to.kpiAlarmNames) this.alarm(name, 'OK', 'Threshold not crossed');
    return this;
  }

  private page<T>(
    items: T[],
    nextToken: string | undefined,
    pageSize = this.pageSize,
  ): { items: T[]; nextToken?: string } {
    const start = nextToken === undefined ? 0 : Number(nextToken);
    const end = start + pageSize;
    return end < items.length
      ? { items: items.slice(start, end), nextToken: String(end) }
      : { items: items.slice(start) };
  }
}
