import { createHash } from 'node:crypto';
import {
  type ComponentDeploymentSpecification,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  type GreengrassV2Client,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeployEvent, DeployResult, ModelChange, TargetDeployment } from './contract';

/** The model components a deployment changes. */
export interface ModelComponentNames {
  /** The model that serves, e.g. `io.unsmlops.WeldSeamAnomalyModel`. */
  readonly serving: string;
  /** The shadow slot, e.g. `io.unsmlops.WeldSeamAnomalyModelCandidate`. */
  readonly candidate: string;
}

/** Dependencies of {@link createDeployHandler}; tests pass their own. */
export interface DeployDependencies {
  readonly greengrass: GreengrassV2Client;
  readonly logger: Logger;
  readonly components: ModelComponentNames;
  /** @default () => new Date() - the wall clock (for `since`) */
  readonly now?: () => Date;
}

/** What a change says in a deployment's name. */
const CHANGE_LABELS: Record<ModelChange, string> = {
  shadow: 'in shadow',
  removeShadow: 'shadow removed',
  promote: 'serving',
};

/**
 * A thing group's components with the model components changed: every other component keeps
 * its version, configuration update and run-with settings.
 *
 * @throws Error when the group runs no serving model component (nothing to shadow or promote).
 */
export function reviseComponents(
  current: Readonly<Record<string, ComponentDeploymentSpecification>>,
  change: ModelChange,
  version: string,
  names: ModelComponentNames,
): Record<string, ComponentDeploymentSpecification> {
  const serving = current[names.serving];
  if (serving === undefined) {
    throw new Error(`the deployment runs no ${names.serving}, so no model to change beside it`);
  }
  const others = Object.fromEntries(
    Object.entries(current).filter(([name]) => name !== names.candidate),
  );
  switch (change) {
    case 'shadow':
      return { ...others, [names.candidate]: { componentVersion: version } };
    case 'removeShadow':
      return others;
    case 'promote':
      return { ...others, [names.serving]: { ...serving, componentVersion: version } };
  }
}

/**
 * The `deploy` handler: for each target, reads the thing group's current deployment
 * (ListDeployments, latest only; GetDeployment) and creates its revision with the model
 * components changed (Greengrass keeps one deployment per thing group: the new one replaces it).
 * Name, tags, deployment policies and IoT job configuration stay; the client token comes from the
 * group, the revised deployment and the change, so a retried task deploys nothing twice.
 *
 * @throws Error when a group has no deployment to revise, or on AWS errors.
 */
export function createDeployHandler(
  deps: DeployDependencies,
): (event: DeployEvent) => Promise<DeployResult> {
  const now = deps.now ?? (() => new Date());
  return async ({ change, componentVersion, targets }) => {
    const since = now().toISOString();
    const deployments: TargetDeployment[] = [];
    for (const target of targets) {
      const { deployments: latest = [] } = await deps.greengrass.send(
        new ListDeploymentsCommand({
          targetArn: target.thingGroupArn,
          historyFilter: 'LATEST_ONLY',
        }),
      );
      const revisedDeploymentId = latest[0]?.deploymentId;
      if (revisedDeploymentId === undefined) {
        throw new Error(
          `${target.name} (${target.thingGroupArn}) has no deployment to revise: deploy the edge components through the delivery pipeline first`,
        );
      }
      const current = await deps.greengrass.send(
        new GetDeploymentCommand({ deploymentId: revisedDeploymentId }),
      );
      let components: Record<string, ComponentDeploymentSpecification>;
      try {
        components = reviseComponents(
          current.components ?? {},
          change,
          componentVersion,
          deps.components,
        );
      } catch (error) {
        throw new Error(`${target.name}: ${(error as Error).message}`, { cause: error });
      }
      // The group's own name, without what an earlier model change added to it.
      const name = (current.deploymentName ?? target.name).replace(/: model .*$/, '');
      const created = await deps.greengrass.send(
        new CreateDeploymentCommand({
          targetArn: target.thingGroupArn,
          deploymentName: `${name}: model ${componentVersion} ${CHANGE_LABELS[change]}`,
          components,
          deploymentPolicies: current.deploymentPolicies,
          iotJobConfiguration: current.iotJobConfiguration,
          tags: current.tags,
          clientToken: createHash('sha256')
            .update(
              [target.thingGroupArn, revisedDeploymentId, change, componentVersion].join('\n'),
            )
            .digest('hex')
            .slice(0, 64),
        }),
      );
      if (created.deploymentId === undefined) {
        throw new Error(`${target.name}: CreateDeployment returned no deployment id`);
      }
      const versions = Object.fromEntries(
        Object.entries(components).map(([component, spec]) => [
          component,
          spec.componentVersion ?? '',
        ]),
      );
      deps.logger.info('Model deployment created', {
        change,
        target: target.name,
        deploymentId: created.deploymentId,
        revisedDeploymentId,
        components: versions,
      });
      deployments.push({
        target: target.name,
        deploymentId: created.deploymentId,
        revisedDeploymentId,
        components: versions,
      });
    }
    return { since, deployments };
  };
}
