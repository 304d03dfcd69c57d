/** The names the command line looks resources up by are those the CDK app deploys. */
import { stackName as appStackName } from '../../lib/app';
import { resolveEnvironment } from '../../lib/config/resolve';
import { environmentNames, stackName } from '../src/environment';

describe('environment names', () => {
  it.each(['dev', 'prod'])('names the stacks of %s as lib/app.ts does', (name) => {
    const config = resolveEnvironment(name);
    for (const part of ['Lakehouse', 'MlPipeline', 'Streaming', 'Edge-canary']) {
      expect(stackName(config, part)).toBe(appStackName(config, part));
    }
  });

  it('finds the pipeline, registry, workgroup, databases and cluster under their construct defaults', () => {
    expect(environmentNames(resolveEnvironment('prod'))).toEqual({
      stackPrefix: 'UnsMlops-Prod-',
      pipeline: 'uns-mlops-anomaly-autoencoder',
      modelPackageGroup: 'uns-mlops-anomaly-autoencoder',
      workGroup: 'uns_mlops',
      rawDatabase: 'uns_mlops_raw',
      curatedDatabase: 'uns_mlops_curated',
      kafkaCluster: 'uns-mlops',
    });
  });
});
