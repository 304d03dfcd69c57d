/**
 * `uns-mlops plant-config <site>`: the Greengrass deployment a plant needs, the same configuration
 * the plant's edge deployment stack deploys, with the brokers read from the running cluster.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetBootstrapBrokersCommand, ListClustersV2Command } from '@aws-sdk/client-kafka';
import { resolveEnvironment } from '../../lib/config/resolve';
import { plantComponents } from '../../lib/delivery/components';
import { plantConfigurationMerges } from '../../lib/delivery/plant-configuration';
import { readVersionLock } from '../../lib/delivery/versions';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  awsError,
  BROKERS,
  cli,
  cloudformation,
  cluster,
  CLUSTER_ARN,
  deployAllStacks,
  kafka,
} from './support';

const ssm = mockClient(SSMClient);
/** The model version a rollout promoted in the environment, not the repository's. */
const SERVING_MODEL = '1.0.42';
const ENV = ['-c', 'env=prod'];

beforeEach(() => {
  cloudformation.reset();
  kafka.reset();
  ssm.reset();
  deployAllStacks();
  cluster('ACTIVE');
  ssm
    .on(GetParameterCommand)
    .resolves({ Parameter: { Name: 'serving-version', Value: SERVING_MODEL } });
});

describe('plant-config', () => {
  it('prints the CreateDeployment request of the plant: its thing group, each component at its recorded version (the model at the one the environment serves) with the merge its deployment stack makes', async () => {
    const { code, stdout } = await cli(['plant-config', 'mlada-boleslav', '--json', ...ENV]);
    expect(code).toBe(0);
    const merges = plantConfigurationMerges({
      enterprise: 'acme',
      siteId: 'mlada-boleslav',
      brokerUrl: 'mqtts://uns.mlada-boleslav.acme.example:8883',
      kafkaBootstrapBrokers: BROKERS,
    });
    const lock = readVersionLock();
    expect(JSON.parse(stdout)).toEqual({
      targetArn: 'arn:aws:iot:eu-central-1:222222222222:thinggroup/uns-mlops-prod-mlada-boleslav',
      components: Object.fromEntries(
        plantComponents().map(({ name }) => [
          name,
          {
            componentVersion:
              name === 'io.unsmlops.WeldSeamAnomalyModel' ? SERVING_MODEL : lock[name]!.version,
            ...(merges[name] ? { configurationUpdate: { merge: merges[name] } } : {}),
          },
        ]),
      ),
    });
  });

  it("gives the bridge the cluster's brokers, and every service the plant's broker and site", async () => {
    const { stdout } = await cli(['plant-config', 'zwickau', '--json', ...ENV]);
    const { components } = JSON.parse(stdout);
    const merge = (name: string) => JSON.parse(components[name].configurationUpdate.merge);
    expect(merge('io.unsmlops.UnsKafkaBridge')).toEqual({
      settings: {
        mqtt: { url: 'mqtts://uns.zwickau.acme.example:8883' },
        kafka: { brokers: BROKERS.split(',') },
        heartbeat: { site: 'zwickau' },
      },
    });
    expect(merge('io.unsmlops.UnsValidator').settings.summaries).toEqual({
      enterprise: 'acme',
      site: 'zwickau',
    });
    expect(merge('io.unsmlops.AnomalyInference').settings.broker.url).toBe(
      'mqtts://uns.zwickau.acme.example:8883',
    );
    expect(components['io.unsmlops.WeldSeamAnomalyModel'].configurationUpdate).toBeUndefined();
    expect(kafka.commandCalls(GetBootstrapBrokersCommand)[0]!.args[0].input).toEqual({
      ClusterArn: CLUSTER_ARN,
    });
  });

  it('gives a plant without its own broker URL the broker on the core device', async () => {
    const { stdout } = await cli(['plant-config', 'zwickau', '--json']);
    const bridge = JSON.parse(stdout).components['io.unsmlops.UnsKafkaBridge'];
    expect(JSON.parse(bridge.configurationUpdate.merge).settings.mqtt.url).toBe(
      'mqtt://localhost:1883',
    );
    expect(resolveEnvironment('dev').plants[0]!.brokerUrl).toBeUndefined();
  });

  it('shows people a header with the topics, the request and the steps', async () => {
    const { code, stdout } = await cli(['plant-config', 'zwickau', ...ENV]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'Greengrass deployment of plant zwickau (prod, account 222222222222, eu-central-1)\n' +
        '  thing group   uns-mlops-prod-zwickau\n' +
        '  UNS broker    mqtts://uns.zwickau.acme.example:8883, topics acme/zwickau/#\n' +
        `  MSK brokers   ${BROKERS} (SASL/IAM), topics uns.telemetry, uns.state,`,
    );
    const request = stdout.slice(stdout.indexOf('\n{'), stdout.indexOf('\n}\n') + 2);
    expect(JSON.parse(request)).toEqual(
      JSON.parse((await cli(['plant-config', 'zwickau', '--json', ...ENV])).stdout),
    );
    expect(stdout).toContain(
      '  4. aws greengrassv2 create-deployment --cli-input-json file://zwickau-deployment.json --region eu-central-1\n',
    );
    expect(stdout).toContain('UnsMlops-Prod-Edge-zwickau');
  });

  it('refuses an unknown site, naming the sites of the environment, exit 2, without calling AWS', async () => {
    const { code, stderr } = await cli(['plant-config', 'wolfsburg', ...ENV]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: Environment "prod" has no site "wolfsburg".\n' +
        '  fix: Its sites: zwickau, mlada-boleslav; a new plant is added in lib/config/environments.ts first.\n',
    );
    expect(cloudformation.calls()).toHaveLength(0);
    expect(kafka.calls()).toHaveLength(0);
  });

  it('refuses a missing site, exit 2', async () => {
    const { code, stderr } = await cli(['plant-config', ...ENV]);
    expect(code).toBe(2);
    expect(stderr).toContain('fix: The sites of prod: zwickau, mlada-boleslav.');
  });

  it('says the environment is not deployed when its edge fleet stack is missing', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id UnsMlops-Prod-EdgeFleet does not exist'));
    const { code, stderr } = await cli(['plant-config', 'zwickau', ...ENV]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'error: Environment "prod" is not deployed in eu-central-1: stack UnsMlops-Prod-EdgeFleet does not exist.',
    );
  });

  it('says the cluster is missing, and where the environment lives when the region is wrong', async () => {
    kafka.on(ListClustersV2Command).resolves({ ClusterInfoList: [] });
    const here = await cli(['plant-config', 'zwickau', ...ENV]);
    expect(here.code).toBe(1);
    expect(here.stderr).toBe(
      'error: Environment "prod" has no MSK cluster uns-mlops in eu-central-1.\n' +
        '  fix: Deploy it (npx cdk deploy -c env=prod UnsMlops-Prod-Streaming).\n',
    );
    const elsewhere = await cli(['plant-config', 'zwickau', '--region', 'eu-west-1', ...ENV]);
    expect(elsewhere.stderr).toContain(
      'fix: The environment lives in eu-central-1: drop --region eu-west-1, or deploy it there.',
    );
  });

  it('reads the model the environment serves from the edge fleet’s parameter, and says to deploy the fleet when it is missing', async () => {
    await cli(['plant-config', 'zwickau', '--json', ...ENV]);
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: '/uns-mlops-prod/models/io.unsmlops.WeldSeamAnomalyModel/serving-version',
    });
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'Parameter not found'));
    const { code, stderr } = await cli(['plant-config', 'zwickau', ...ENV]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: Environment "prod" has no serving model version (SSM parameter /uns-mlops-prod/models/io.unsmlops.WeldSeamAnomalyModel/serving-version in eu-central-1).\n' +
        '  fix: Deploy its edge fleet (npx cdk deploy -c env=prod UnsMlops-Prod-EdgeFleet).\n',
    );
  });

  it('refuses to print brokers of a cluster that is not active', async () => {
    cluster('CREATING');
    const { code, stderr } = await cli(['plant-config', 'zwickau', ...ENV]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'error: MSK cluster uns-mlops is CREATING: no bootstrap brokers to give the plant.',
    );
    expect(kafka.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(0);
  });

  it('says how to sign in when there are no credentials', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      );
    const { code, stderr } = await cli(['plant-config', 'zwickau', ...ENV]);
    expect(code).toBe(1);
    expect(stderr).toContain('error: No AWS credentials found for environment "prod"');
  });

  it('shows progress on a terminal only, and never with --json', async () => {
    expect((await cli(['plant-config', 'zwickau', ...ENV])).stderr).toBe('');
    expect((await cli(['plant-config', 'zwickau', '--json', ...ENV], { tty: true })).stderr).toBe(
      '',
    );
    expect((await cli(['plant-config', 'zwickau', ...ENV], { tty: true })).stderr).toContain(
      'Reading the bootstrap brokers of MSK cluster uns-mlops ...',
    );
  });
});
