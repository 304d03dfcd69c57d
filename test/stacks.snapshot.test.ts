import { Template } from 'aws-cdk-lib/assertions';
import { buildAppFor, ENVIRONMENT_NAMES } from './support/app';
import * as serializer from './support/asset-hash-serializer';

/** Each environment's app, built once: the snapshots only read it. */
const apps = new Map<string, ReturnType<typeof buildAppFor>>();
function appFor(name: string): ReturnType<typeof buildAppFor> {
  if (!apps.has(name)) apps.set(name, buildAppFor(name));
  return apps.get(name)!;
}

describe('stack snapshots', () => {
  it.each(ENVIRONMENT_NAMES)('keeps the %s Lakehouse template stable', (name) => {
    const { lakehouse } = appFor(name);
    expect(Template.fromStack(lakehouse).toJSON()).toMatchSnapshot();
  });

  it.each(ENVIRONMENT_NAMES)('keeps the %s Network and Streaming templates stable', (name) => {
    const { network, streaming } = appFor(name);
    expect(Template.fromStack(network).toJSON()).toMatchSnapshot('network');
    expect(Template.fromStack(streaming).toJSON()).toMatchSnapshot('streaming');
  });

  it.each(ENVIRONMENT_NAMES)('keeps the %s compliance store template stable', (name) => {
    const { complianceStore } = appFor(name);
    expect(Template.fromStack(complianceStore).toJSON()).toMatchSnapshot('compliance-store');
  });

  it.each(ENVIRONMENT_NAMES)('keeps the %s ML pipeline template stable', (name) => {
    const { mlPipeline } = appFor(name);
    expect(Template.fromStack(mlPipeline).toJSON()).toMatchSnapshot('ml-pipeline');
  });

  it.each(ENVIRONMENT_NAMES)('keeps the %s edge fleet and deployment templates stable', (name) => {
    const { edgeFleet, edgeDeployments } = appFor(name);
    expect(Template.fromStack(edgeFleet).toJSON()).toMatchSnapshot('edge-fleet');
    for (const deployment of edgeDeployments) {
      expect(Template.fromStack(deployment).toJSON()).toMatchSnapshot(deployment.stackName);
    }
  });
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
