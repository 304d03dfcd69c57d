import { type App, Tags } from 'aws-cdk-lib';
import type { EnvironmentConfig } from './config/environment';
import { resolveEnvironment } from './config/resolve';
import { addComplianceChecks } from './quality/compliance';
import { LakehouseStack } from './stacks/lakehouse-stack';
import { MlPipelineStack } from './stacks/ml-pipeline-stack';
import { NetworkStack } from './stacks/network-stack';
import { StreamingStack } from './stacks/streaming-stack';

/** The stacks of one environment. */
export interface UnsMlopsStacks {
  readonly config: EnvironmentConfig;
  readonly lakehouse: LakehouseStack;
  readonly network: NetworkStack;
  readonly streaming: StreamingStack;
  readonly mlPipeline: MlPipelineStack;
}

/**
 * Adds the stacks of the environment selected with `-c env=<name>` (default `dev`) to the app, with
 * the compliance checks that make synthesis fail on an unacknowledged finding.
 *
 * @throws EnvironmentConfigError when the environment is unknown or invalid.
 */
export function buildUnsMlopsApp(app: App): UnsMlopsStacks {
  const config = resolveEnvironment(app.node.tryGetContext('env'));
  const env = { account: config.account, region: config.region };
  const stackName = (part: string) => `UnsMlops-${capitalize(config.name)}-${part}`;

  const lakehouse = new LakehouseStack(app, stackName('Lakehouse'), {
    env,
    config,
    description: `uns-mlops Lakehouse (${config.name}): S3 zones, Glue catalog, Athena, Lake Formation`,
    terminationProtection: !config.allowDestroy,
  });

  const network = new NetworkStack(app, stackName('Network'), {
    env,
    config,
    description: `uns-mlops network (${config.name}): private VPC, flow logs, VPC endpoints`,
    terminationProtection: !config.allowDestroy,
  });
  const streaming = new StreamingStack(app, stackName('Streaming'), {
    env,
    config,
    network: network.network,
    lakehouse: lakehouse.lakehouse,
    description: `uns-mlops streaming (${config.name}): MSK, UNS topics, telemetry delivery to the Lakehouse`,
    terminationProtection: !config.allowDestroy,
  });

  const mlPipeline = new MlPipelineStack(app, stackName('MlPipeline'), {
    env,
    config,
    lakehouse: lakehouse.lakehouse,
    description: `uns-mlops ML pipeline (${config.name}): SageMaker Pipeline, model registry, schedule`,
    terminationProtection: !config.allowDestroy,
  });

  Tags.of(app).add('project', 'uns-mlops');
  Tags.of(app).add('environment', config.name);
  addComplianceChecks(app);
  return { config, lakehouse, network, streaming, mlPipeline };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
