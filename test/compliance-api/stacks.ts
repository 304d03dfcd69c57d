import { Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { ComplianceApiStack } from '../../lib/stacks/compliance-api-stack';
import { ComplianceStoreStack } from '../../lib/stacks/compliance-store-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { environmentApp } from '../support/environment-app';

/**
 * An environment's network, compliance store and compliance API stacks, built as
 * `addPlatformStacks` builds them, with the compliance checks registered; `synth()` writes them to
 * `outdir` once. `config` is a repository environment's name or a whole configuration.
 */
export function buildComplianceApi(config: string | EnvironmentConfig) {
  const built = environmentApp(config);
  const network = built.addStack(NetworkStack, 'Network', {});
  const store = built.addStack(ComplianceStoreStack, 'ComplianceStore', {
    network: network.network,
  });
  const stack = built.addStack(ComplianceApiStack, 'ComplianceApi', {
    network: network.network,
    store: store.store,
  });
  return { ...built, network, store, stack, template: () => Template.fromStack(stack) };
}
