import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { stackName } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { addComplianceChecks } from '../../lib/quality/compliance';
import { LakehouseStack } from '../../lib/stacks/lakehouse-stack';
import { MlPipelineStack } from '../../lib/stacks/ml-pipeline-stack';
import { ModelMonitoringStack } from '../../lib/stacks/model-monitoring-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { newApp } from '../support/app';

/** Options of {@link buildModelMonitoring}. */
export interface BuildOptions {
  /** Give the stack a topic of another stack, as issue 18's per-environment topic will be. */
  readonly alarmTopic?: boolean;
  /** Replace parts of the environment's configuration. */
  readonly config?: (config: EnvironmentConfig) => EnvironmentConfig;
}

/**
 * An environment's model monitoring stack with the stacks it builds on, as `addPlatformStacks`
 * builds them, with the compliance checks registered; synthesized into `outdir` by `app.synth()`.
 */
export function buildModelMonitoring(name: string, options: BuildOptions = {}) {
  const outdir = mkdtempSync(join(tmpdir(), `model-monitoring-${name}-`));
  const app = newApp({ outdir });
  const resolved = resolveEnvironment(name);
  const config = options.config?.(resolved) ?? resolved;
  const env = { account: config.account, region: config.region };
  const common = (part: string) => ({ env, config, stackName: stackName(config, part) });
  const lakehouse = new LakehouseStack(app, stackName(config, 'Lakehouse'), common('Lakehouse'));
  const network = new NetworkStack(app, stackName(config, 'Network'), common('Network'));
  const mlPipeline = new MlPipelineStack(app, stackName(config, 'MlPipeline'), {
    ...common('MlPipeline'),
    lakehouse: lakehouse.lakehouse,
  });
  const alarms = options.alarmTopic ? new Stack(app, 'Alarms', { env }) : undefined;
  const stack = new ModelMonitoringStack(app, stackName(config, 'ModelMonitoring'), {
    ...common('ModelMonitoring'),
    lakehouse: lakehouse.lakehouse,
    mlPipeline: mlPipeline.mlPipeline,
    network: network.network,
    alarmTopic:
      alarms &&
      new sns.Topic(alarms, 'Alarms', {
        enforceSSL: true,
        masterKey: new kms.Key(alarms, 'AlarmsKey', { enableKeyRotation: true }),
      }),
  });
  addComplianceChecks(app);
  return { app, outdir, config, lakehouse, network, mlPipeline, alarms, stack };
}
