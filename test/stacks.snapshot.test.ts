import { stackName } from '../lib/app';
import { rolloutSteps } from '../lib/delivery/rollout-steps';
import { ENVIRONMENT_NAMES } from './support/app';
import * as serializer from './support/asset-hash-serializer';
import { synthesizedApp } from './support/assembly';

describe('stack snapshots', () => {
  it.each(ENVIRONMENT_NAMES)('keeps the %s Lakehouse template stable', async (name) => {
    const app = await synthesizedApp(name);
    expect(app.template('Lakehouse').toJSON()).toMatchSnapshot();
  });

  it.each(ENVIRONMENT_NAMES)(
    'keeps the %s Network and Streaming templates stable',
    async (name) => {
      const app = await synthesizedApp(name);
      expect(app.template('Network').toJSON()).toMatchSnapshot('network');
      expect(app.template('Streaming').toJSON()).toMatchSnapshot('streaming');
    },
  );

  it.each(ENVIRONMENT_NAMES)('keeps the %s compliance store template stable', async (name) => {
    const app = await synthesizedApp(name);
    expect(app.template('ComplianceStore').toJSON()).toMatchSnapshot('compliance-store');
  });

  it.each(ENVIRONMENT_NAMES)('keeps the %s ML pipeline template stable', async (name) => {
    const app = await synthesizedApp(name);
    expect(app.template('MlPipeline').toJSON()).toMatchSnapshot('ml-pipeline');
  });

  it.each(ENVIRONMENT_NAMES)(
    'keeps the %s edge fleet and deployment templates stable',
    async (name) => {
      const app = await synthesizedApp(name);
      expect(app.template('EdgeFleet').toJSON()).toMatchSnapshot('edge-fleet');
      for (const step of rolloutSteps(app.config)) {
        for (const target of step.targets) {
          const deployment = stackName(app.config, `Edge-${target.name}`);
          expect(app.stack(deployment).template).toMatchSnapshot(deployment);
        }
      }
    },
  );
});

describe('snapshot serializer', () => {
  it('replaces asset hashes, so snapshots do not change with the machine or bundler', () => {
    const assetKey = `${'0123456789abcdef'.repeat(4)}.zip`;
    expect(serializer.test(assetKey)).toBe(true);
    expect(serializer.test('uns_mlops_curated')).toBe(false);
    expect(serializer.serialize(`s3://cdk-assets/${assetKey}`)).toBe(
      '"s3://cdk-assets/[ASSET-HASH].zip"',
    );
  });
});
