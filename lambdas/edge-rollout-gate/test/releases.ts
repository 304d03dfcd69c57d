import type { DeploymentSpec } from './fake-fleet';

/** How the plant deployments roll out and fail (kept in the last-good record, redeployed as is). */
const POLICIES: DeploymentSpec = {
  deploymentPolicies: {
    failureHandlingPolicy: 'ROLLBACK',
    componentUpdatePolicy: { timeoutInSeconds: 120, action: 'NOTIFY_COMPONENTS' },
    configurationValidationPolicy: { timeoutInSeconds: 60 },
  },
  iotJobConfiguration: {
    jobExecutionsRolloutConfig: { maximumPerMinute: 5 },
    timeoutConfig: { inProgressTimeoutInMinutes: 30 },
  },
};

/** The release that ran well on a plant: what a rollback must bring back, exactly. */
export function previousRelease(site: string): DeploymentSpec {
  return {
    deploymentName: `${site} wave-0`,
    components: {
      'com.acme.UnsValidator': {
        componentVersion: '1.4.0',
        configurationUpdate: { merge: JSON.stringify({ site, storePath: '/var/lib/uns' }) },
      },
      'com.acme.AnomalyInference': { componentVersion: '2.1.0' },
      'com.acme.AnomalyModel': { componentVersion: '7.0.0' },
    },
    ...POLICIES,
  };
}

/** The release the wave rolls out. */
export function newRelease(site: string): DeploymentSpec {
  return {
    deploymentName: `${site} wave-1`,
    components: {
      'com.acme.UnsValidator': {
        componentVersion: '1.5.0',
        configurationUpdate: { merge: JSON.stringify({ site, storePath: '/var/lib/uns' }) },
      },
      'com.acme.AnomalyInference': { componentVersion: '2.2.0' },
      'com.acme.AnomalyModel': { componentVersion: '8.0.0' },
    },
    ...POLICIES,
  };
}

/** The component versions of {@link previousRelease}. */
export const PREVIOUS_VERSIONS = {
  'com.acme.UnsValidator': '1.4.0',
  'com.acme.AnomalyInference': '2.1.0',
  'com.acme.AnomalyModel': '7.0.0',
};

/** The component versions of {@link newRelease}. */
export const NEW_VERSIONS = {
  'com.acme.UnsValidator': '1.5.0',
  'com.acme.AnomalyInference': '2.2.0',
  'com.acme.AnomalyModel': '8.0.0',
};
