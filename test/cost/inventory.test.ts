import { stackName } from '../../lib/app';
import { inventory } from '../../scripts/cost/inventory';
import { ENVIRONMENT_NAMES } from '../support/app';
import { synthesizedApp } from '../support/assembly';

/** A resource of a synthesized template. */
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The resources of every stack of an environment as `cdk synth -c env=<name>` writes them. */
async function environmentResources(name: string): Promise<Resource[]> {
  const app = await synthesizedApp(name);
  const prefix = stackName(app.config, '');
  return app.assembly.stacks
    .filter((stack) => stack.stackName.startsWith(prefix))
    .flatMap((stack) =>
      Object.values<Resource>(
        (stack.template as { Resources?: Record<string, Resource> }).Resources ?? {},
      ),
    );
}

describe('the inventory the cost model prices', () => {
  it.each(ENVIRONMENT_NAMES)(
    'counts what the %s stacks deploy that is billed by the piece',
    async (name) => {
      const resources = await environmentResources(name);
      const counted = (
        type: string,
        where: (properties: Record<string, unknown>) => boolean = () => true,
      ) => resources.filter((r) => r.Type === type && where(r.Properties ?? {})).length;
      const app = await synthesizedApp(name);
      const expected = inventory(app.config);
      expect({
        kmsKeys: counted('AWS::KMS::Key'),
        secrets: counted('AWS::SecretsManager::Secret'),
        interfaceEndpoints: counted(
          'AWS::EC2::VPCEndpoint',
          (p) => p.VpcEndpointType === 'Interface',
        ),
        natGateways: counted('AWS::EC2::NatGateway'),
        alarms: counted('AWS::CloudWatch::Alarm') + counted('AWS::CloudWatch::CompositeAlarm'),
        dashboards: counted('AWS::CloudWatch::Dashboard'),
        deliveryStreams: counted('AWS::KinesisFirehose::DeliveryStream'),
      }).toEqual({
        kmsKeys: expected.kmsKeys,
        secrets: expected.secrets,
        interfaceEndpoints: expected.interfaceEndpoints,
        natGateways: expected.natGateways,
        alarms: expected.alarms,
        dashboards: expected.dashboards,
        deliveryStreams: expected.deliveryStreams,
      });
    },
  );
});
