import {
  type CoreDevice,
  type EffectiveDeployment,
  type GreengrassV2Client,
  ListCoreDevicesCommand,
  ListDeploymentsCommand,
  ListEffectiveDeploymentsCommand,
  ListInstalledComponentsCommand,
} from '@aws-sdk/client-greengrassv2';
import type { GateTarget } from './contract';
import type { Finding } from './decide';
import { collectPages } from './pages';

/** What the Greengrass side says about a target's latest deployment. */
export interface DeploymentHealth {
  /** The target's latest deployment (absent when it has none). */
  readonly deploymentId: string | undefined;
  readonly findings: Finding[];
}

const FAILED_STATUSES = new Set(['FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED']);
const SUCCEEDED_STATUSES = new Set(['SUCCEEDED', 'COMPLETED']);
const BROKEN_LIFECYCLE_STATES = new Set(['BROKEN', 'ERRORED']);

/**
 * Checks a target's latest deployment on every core device of its thing group: the device's
 * execution status of that deployment, and the device's own health (an UNHEALTHY device names
 * its BROKEN or ERRORED components).
 */
export async function checkDeployment(
  greengrass: GreengrassV2Client,
  target: GateTarget,
): Promise<DeploymentHealth> {
  const findings: Finding[] = [];
  const deploymentId = await latestDeploymentId(greengrass, target.thingGroupArn);
  if (deploymentId === undefined) {
    findings.push({ kind: 'missing', reason: `no deployment for ${target.name}` });
  }
  const devices = await coreDevicesOf(greengrass, target.thingGroupArn);
  if (devices.length === 0) {
    findings.push({
      kind: 'missing',
      reason: `no core device in ${thingGroupName(target.thingGroupArn)}`,
    });
  }
  for (const device of devices) {
    const thingName = device.coreDeviceThingName ?? 'unnamed core device';
    if (deploymentId !== undefined) {
      findings.push(await executionOnDevice(greengrass, thingName, deploymentId));
    }
    if (device.status === 'UNHEALTHY') {
      findings.push(await unhealthyDevice(greengrass, thingName));
    }
  }
  return { deploymentId, findings };
}

async function latestDeploymentId(
  greengrass: GreengrassV2Client,
  targetArn: string,
): Promise<string | undefined> {
  const response = await greengrass.send(
    new ListDeploymentsCommand({ targetArn, historyFilter: 'LATEST_ONLY' }),
  );
  return response.deployments?.[0]?.deploymentId;
}

function coreDevicesOf(
  greengrass: GreengrassV2Client,
  thingGroupArn: string,
): Promise<CoreDevice[]> {
  return collectPages(async (nextToken) => {
    const page = await greengrass.send(new ListCoreDevicesCommand({ thingGroupArn, nextToken }));
    return { items: page.coreDevices, nextToken: page.nextToken };
  });
}

async function executionOnDevice(
  greengrass: GreengrassV2Client,
  coreDeviceThingName: string,
  deploymentId: string,
): Promise<Finding> {
  const effective = await collectPages(async (nextToken) => {
    const page = await greengrass.send(
      new ListEffectiveDeploymentsCommand({ coreDeviceThingName, nextToken }),
    );
    return { items: page.effectiveDeployments, nextToken: page.nextToken };
  });
  const execution = newest(effective.filter((entry) => entry.deploymentId === deploymentId));
  const status = execution?.coreDeviceExecutionStatus;
  const where = `core device ${coreDeviceThingName}`;
  if (execution === undefined || status === undefined) {
    return { kind: 'pending', reason: `${where} has not received deployment ${deploymentId} yet` };
  }
  if (FAILED_STATUSES.has(status)) {
    return {
      kind: 'failing',
      reason: `${where}: deployment ${deploymentId} ${status}${details(execution)}`,
    };
  }
  if (SUCCEEDED_STATUSES.has(status)) {
    return { kind: 'ok', reason: `${where}: deployment ${deploymentId} ${status}` };
  }
  return { kind: 'pending', reason: `${where}: deployment ${deploymentId} is ${status}` };
}

/** The most recently modified entry (a deployment can have several executions on a device). */
function newest(entries: EffectiveDeployment[]): EffectiveDeployment | undefined {
  const time = (entry: EffectiveDeployment) => entry.modifiedTimestamp?.getTime() ?? 0;
  return entries.reduce<EffectiveDeployment | undefined>(
    (latest, entry) => (latest === undefined || time(entry) > time(latest) ? entry : latest),
    undefined,
  );
}

function details(execution: EffectiveDeployment): string {
  const parts = [
    execution.reason,
    execution.statusDetails?.errorTypes?.length
      ? `error types: ${execution.statusDetails.errorTypes.join(', ')}`
      : undefined,
  ].filter((part) => part !== undefined && part !== '');
  return parts.length > 0 ? `: ${parts.join('; ')}` : '';
}

async function unhealthyDevice(
  greengrass: GreengrassV2Client,
  coreDeviceThingName: string,
): Promise<Finding> {
  // ALL, not the default ROOT: a broken dependency (a model component, say) must be named too.
  const components = await collectPages(async (nextToken) => {
    const page = await greengrass.send(
      new ListInstalledComponentsCommand({ coreDeviceThingName, topologyFilter: 'ALL', nextToken }),
    );
    return { items: page.installedComponents, nextToken: page.nextToken };
  });
  const broken = components
    .filter((component) => BROKEN_LIFECYCLE_STATES.has(component.lifecycleState ?? ''))
    .map((component) => {
      const detail = component.lifecycleStateDetails ? `: ${component.lifecycleStateDetails}` : '';
      return `${component.componentName ?? '?'} ${component.componentVersion ?? '?'} (${component.lifecycleState ?? '?'}${detail})`;
    });
  const what =
    broken.length > 0
      ? `broken components: ${broken.join(', ')}`
      : 'no component reports BROKEN or ERRORED';
  return { kind: 'failing', reason: `core device ${coreDeviceThingName} is UNHEALTHY, ${what}` };
}

/** `arn:aws:iot:<region>:<account>:thinggroup/<name>` → `<name>` (the ARN when it has no name). */
function thingGroupName(thingGroupArn: string): string {
  const name = thingGroupArn.split(':thinggroup/')[1];
  return name === undefined || name === '' ? thingGroupArn : name;
}
