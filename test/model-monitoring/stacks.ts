import type { EnvironmentConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { LakehouseStack } from '../../lib/stacks/lakehouse-stack';
import { MlPipelineStack } from '../../lib/stacks/ml-pipeline-stack';
import { ModelMonitoringStack } from '../../lib/stacks/model-monitoring-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { environmentApp } from '../support/environment-app';

/** Options of {@link buildModelMonitoring}. */
export interface BuildOptions {
  /** Replace parts of the environment's configuration. */
  readonly config?: (config: EnvironmentConfig) => EnvironmentConfig;
}

/**
 * An environment's model monitoring stack with the stacks it builds on, as `addPlatformStacks`
 * builds them, with the compliance checks registered; synthesized into `outdir` by `synth()`.
 */
export function buildModelMonitoring(name: string, options: BuildOptions = {}) {
  const resolved = resolveEnvironment(name);
  const built = environmentApp(options.config?.(resolved) ?? resolved);
  const lakehouse = built.addStack(LakehouseStack, 'Lakehouse', {});
  const network = built.addStack(NetworkStack, 'Network', {});
  const mlPipeline = built.addStack(MlPipelineStack, 'MlPipeline', {
    lakehouse: lakehouse.lakehouse,
  });
  const stack = built.addStack(ModelMonitoringStack, 'ModelMonitoring', {
    lakehouse: lakehouse.lakehouse,
    mlPipeline: mlPipeline.mlPipeline,
    network: network.network,
  });
  return { ...built, lakehouse, network, mlPipeline, stack };
}
