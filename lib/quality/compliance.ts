import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import type { Construct } from 'constructs';

/**
 * Registers the cdk-nag packs every uns-mlops stack must pass: AWS Solutions and NIST 800-53 rev 5.
 * Synthesis fails on any finding that is not acknowledged with `Validations.of(x).acknowledge()`.
 *
 * @param scope an App or Stage.
 */
export function addComplianceChecks(scope: Construct): void {
  // The acknowledgements are also written into each resource's template Metadata (`cdk_nag`), so
  // the deployed templates carry their own audit trail.
  const props = { writeSuppressionsToCloudFormation: true };
  Validations.of(scope).addPlugins(
    new AwsSolutionsChecks(scope, props),
    new NIST80053R5Checks(scope, props),
  );
}
