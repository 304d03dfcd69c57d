import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MODEL_COMPONENT_NAME, plantComponents } from '../../../lib/delivery/components';
import { edgeNamePrefix, servingModelVersionParameterName } from '../../../lib/delivery/edge-names';
import { plantMerges } from '../../../lib/delivery/plant-merges';
import { rolloutSteps } from '../../../lib/delivery/rollout-steps';
import { readVersionLock } from '../../../lib/delivery/versions';
import { UNS_KAFKA_TOPICS } from '../../../lib/streaming/topics';
import type { Command } from '../command';
import { type Context, endProgress, printResult, progress } from '../context';
import { stackName } from '../environment';
import { CliError, EXIT, UsageError } from '../errors';
import { environmentCluster } from '../kafka-cluster';
import { requireStack } from '../stacks';

/** One component of a Greengrass `CreateDeployment` request. */
export interface DeploymentComponent {
  readonly componentVersion: string;
  readonly configurationUpdate?: { readonly merge: string };
}

/**
 * The Greengrass `CreateDeployment` request of one plant, as `aws greengrassv2 create-deployment
 * --cli-input-json` takes it.
 */
export interface PlantDeployment {
  /** The plant's thing group. */
  readonly targetArn: string;
  /** Component name → version and configuration merge. */
  readonly components: Readonly<Record<string, DeploymentComponent>>;
}

/** `uns-mlops plant-config <site>`: the Greengrass deployment a new plant needs, ready to paste. */
export const plantConfigCommand: Command = {
  name: 'plant-config',
  summary: 'the Greengrass deployment a new plant needs: thing group, components, configuration',
  usage: ['plant-config <site> -c env=<name>'],
  description: [
    "Prints the Greengrass deployment of a plant of the environment: its thing group, the plant's",
    'components at the versions of edge-components/component-versions.json, and the configuration',
    'merge each gets, as the Edge-<site> deployment stack makes it (lib/delivery/plant-merges.ts):',
    "the plant's UNS broker and site, and the MSK bootstrap brokers, read from the running cluster.",
    'The model component is at the version the environment serves (its SSM parameter, which a',
    'model rollout updates on promotion). With --json only the request, for',
    '`aws greengrassv2 create-deployment --cli-input-json`.',
  ].join('\n'),
  options: {},
  run: async (invocation, context) => {
    const { config, region } = context.target;
    const sites = config.plants.map((plant) => plant.siteId);
    const [site, ...extra] = invocation.positionals;
    if (site === undefined || extra.length > 0) {
      throw new UsageError(
        'plant-config needs one site id.',
        `The sites of ${config.name}: ${sites.join(', ')}.`,
      );
    }
    const target = rolloutSteps(config)
      .flatMap((step) => step.targets)
      .find((candidate) => candidate.name === site);
    if (target === undefined) {
      throw new UsageError(
        `Environment "${config.name}" has no site "${site}".`,
        `Its sites: ${sites.join(', ')}; a new plant is added in lib/config/environments.ts first.`,
      );
    }
    const fleet = await requireStack(context, 'EdgeFleet');
    const versions = componentVersions(await servingModelVersion(context));
    progress(
      context,
      `Reading the bootstrap brokers of MSK cluster ${context.target.names.kafkaCluster} ...`,
    );
    const brokers = await bootstrapBrokers(context);
    endProgress(context);
    const merges = plantMerges({
      enterprise: config.edgeRollout.enterprise,
      siteId: target.siteId,
      brokerUrl: target.brokerUrl,
      kafkaBootstrapBrokers: brokers,
    });
    const partition = fleet.StackId?.split(':')[1] ?? 'aws';
    const deployment: PlantDeployment = {
      targetArn: `arn:${partition}:iot:${region}:${config.account}:thinggroup/${target.thingGroup}`,
      components: Object.fromEntries(
        versions.map(({ name, version }) => {
          const merge = merges[name];
          return [
            name,
            { componentVersion: version, ...(merge ? { configurationUpdate: { merge } } : {}) },
          ];
        }),
      ),
    };
    printResult(
      context,
      () =>
        [
          `Greengrass deployment of plant ${site} (${config.name}, account ${config.account}, ${region})`,
          `  thing group   ${target.thingGroup}`,
          `  UNS broker    ${target.brokerUrl}, topics ${config.edgeRollout.enterprise}/${site}/#`,
          `  MSK brokers   ${brokers} (SASL/IAM), topics ${UNS_KAFKA_TOPICS.join(', ')}`,
          `  components    ${versions.map(({ name, version }) => `${name} ${version}`).join(', ')}`,
          '',
          JSON.stringify(deployment, null, 2),
          '',
          'Steps:',
          `  1. Save the request: npx uns-mlops plant-config ${site} -c env=${config.name} --json > ${site}-deployment.json`,
          `  2. Create the thing group once: aws iot create-thing-group --thing-group-name ${target.thingGroup} --region ${region}`,
          `  3. Install the Greengrass nucleus on the plant's core device with --thing-group-name ${target.thingGroup}`,
          `     and the token exchange role alias of ${fleet.StackName ?? stackName(config, 'EdgeFleet')} (--tes-role-alias-name).`,
          `  4. aws greengrassv2 create-deployment --cli-input-json file://${site}-deployment.json --region ${region}`,
          '',
          `The stack ${stackName(config, `Edge-${site}`)} deploys the same; Greengrass keeps one deployment per`,
          'thing group, so the next deployment of that stack replaces this one.',
          '',
        ].join('\n'),
      deployment,
    );
    return EXIT.ok;
  },
};

/**
 * The plant's components at the versions the repository records as published, the model at the
 * version the environment serves.
 */
function componentVersions(servingModel: string): { name: string; version: string }[] {
  const lock = readVersionLock();
  return plantComponents().map(({ name }) => {
    const version = name === MODEL_COMPONENT_NAME ? servingModel : lock[name]?.version;
    if (version === undefined) {
      throw new CliError(
        `${name} has no version in edge-components/component-versions.json.`,
        'Run `npm run components:version`, commit the file and deploy the EdgeFleet stack.',
      );
    }
    return { name, version };
  });
}

/**
 * The MSK bootstrap brokers for IAM authentication.
 *
 * @throws CliError when the cluster does not exist in the region or is not active.
 */
async function bootstrapBrokers(context: Context): Promise<string> {
  const { config, region, names } = context.target;
  const cluster = await environmentCluster(context);
  if (cluster === undefined) {
    throw new CliError(
      `Environment "${config.name}" has no MSK cluster ${names.kafkaCluster} in ${region}.`,
      region === config.region
        ? `Deploy it (npx cdk deploy -c env=${config.name} ${stackName(config, 'Streaming')}).`
        : `The environment lives in ${config.region}: drop --region ${region}, or deploy it there.`,
    );
  }
  if (cluster.brokers === undefined) {
    throw new CliError(
      `MSK cluster ${names.kafkaCluster} is ${cluster.state}: no bootstrap brokers to give the plant.`,
      `Wait until it is ACTIVE (uns-mlops status -c env=${config.name} shows its state).`,
    );
  }
  return cluster.brokers;
}

/**
 * The model component version the environment serves: the EdgeFleet stack's SSM parameter, which
 * the model rollout overwrites when it promotes a model.
 *
 * @throws CliError when the parameter does not exist (the EdgeFleet stack is not deployed).
 */
async function servingModelVersion(context: Context): Promise<string> {
  const { config, region } = context.target;
  const name = servingModelVersionParameterName(edgeNamePrefix(config));
  try {
    const { Parameter } = await new SSMClient({ region }).send(
      new GetParameterCommand({ Name: name }),
    );
    if (Parameter?.Value) return Parameter.Value;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ParameterNotFound')) throw error;
  }
  throw new CliError(
    `Environment "${config.name}" has no serving model version (SSM parameter ${name} in ${region}).`,
    `Deploy its edge fleet (npx cdk deploy -c env=${config.name} ${stackName(config, 'EdgeFleet')}).`,
  );
}
