import type {
  ComponentDeploymentSpecification,
  GetDeploymentResponse,
} from '@aws-sdk/client-greengrassv2';
import type { ComponentVersions, LastGoodRecord } from './contract';

/** A last-good parameter whose value is not a {@link LastGoodRecord}; the reason says why. */
export class InvalidLastGoodRecord extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidLastGoodRecord';
  }
}

/** The record of a deployment to keep as its target's last good one. */
export function toLastGoodRecord(
  deploymentId: string,
  deployment: GetDeploymentResponse,
  recordedAt: Date,
): LastGoodRecord {
  return {
    deploymentId,
    deploymentName: deployment.deploymentName,
    components: deployment.components ?? {},
    deploymentPolicies: deployment.deploymentPolicies,
    iotJobConfiguration: deployment.iotJobConfiguration,
    recordedAt: recordedAt.toISOString(),
  };
}

/**
 * Reads a last-good parameter value back.
 *
 * @throws InvalidLastGoodRecord when it is not JSON or lacks a deployment id or component versions.
 */
export function parseLastGoodRecord(value: string): LastGoodRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidLastGoodRecord('the value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new InvalidLastGoodRecord('the value is not a JSON object');
  }
  const { deploymentId, components } = parsed as Partial<Record<keyof LastGoodRecord, unknown>>;
  if (typeof deploymentId !== 'string' || deploymentId === '') {
    throw new InvalidLastGoodRecord('deploymentId is missing');
  }
  if (
    typeof components !== 'object' ||
    components === null ||
    Object.keys(components).length === 0 ||
    !Object.values(components).every(
      (spec: Partial<ComponentDeploymentSpecification> | null) =>
        typeof spec?.componentVersion === 'string',
    )
  ) {
    throw new InvalidLastGoodRecord(
      'components must map each component name to a componentVersion',
    );
  }
  return parsed as LastGoodRecord;
}

/** `{ name: { componentVersion, … } }` → `{ name: version }`. */
export function componentVersions(
  components: Record<string, ComponentDeploymentSpecification> | undefined,
): ComponentVersions {
  return Object.fromEntries(
    Object.entries(components ?? {}).flatMap(([name, spec]) =>
      spec.componentVersion === undefined ? [] : [[name, spec.componentVersion]],
    ),
  );
}
