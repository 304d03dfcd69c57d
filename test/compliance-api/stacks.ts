import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { stackName } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { addComplianceChecks } from '../../lib/quality/compliance';
import { ComplianceApiStack } from '../../lib/stacks/compliance-api-stack';
import { ComplianceStoreStack } from '../../lib/stacks/compliance-store-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { newApp } from '../support/app';

/**
 * An environment's network, compliance store and compliance API stacks, built as
 * `addPlatformStacks` builds them, with the compliance checks registered; `synth()` writes them to
 * `outdir` once. `config` is a repository environment's name or a whole configuration.
 */
export function buildComplianceApi(config: string | EnvironmentConfig) {
  const environment = typeof config === 'string' ? resolveEnvironment(config) : config;
  const outdir = mkdtempSync(join(tmpdir(), `compliance-api-${environment.name}-`));
  const app = newApp({ outdir });
  const env = { account: environment.account, region: environment.region };
  const network = new NetworkStack(app, stackName(environment, 'Network'), {
    env,
    config: environment,
  });
  const store = new ComplianceStoreStack(app, stackName(environment, 'ComplianceStore'), {
    env,
    config: environment,
    network: network.network,
  });
  const stack = new ComplianceApiStack(app, stackName(environment, 'ComplianceApi'), {
    env,
    config: environment,
    network: network.network,
    store: store.store,
  });
  addComplianceChecks(app);
  let synthesized = false;
  return {
    app,
    config: environment,
    network,
    store,
    stack,
    template: () => Template.fromStack(stack),
    /** Synthesizes the app once (the compliance checks run then) and returns its folder. */
    synth: () => {
      if (!synthesized) app.synth();
      synthesized = true;
      return outdir;
    },
  };
}

/** The one resource of a type (matching `props`) in a template, with its logical id. */
export function only(
  template: Template,
  type: string,
  props?: object,
): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, resource };
}
