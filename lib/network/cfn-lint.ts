import type { CfnResource } from 'aws-cdk-lib';

/**
 * Tells cfn-lint to skip one rule on one resource (template Metadata `cfn-lint`), for a warning
 * that is a deliberate choice; the reason stays next to the call.
 */
export function ignoreCfnLintRule(resource: CfnResource, rule: string): void {
  const existing = (resource.getMetadata('cfn-lint') ?? { config: { ignore_checks: [] } }) as {
    config: { ignore_checks: string[] };
  };
  resource.addMetadata('cfn-lint', {
    config: { ignore_checks: [...new Set([...existing.config.ignore_checks, rule])] },
  });
}
