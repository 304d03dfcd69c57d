import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { KafkaJSError } from 'kafkajs';
import { createHandler, parseProperties } from '../src/handler';
import { mskBootstrapBrokers, mskIamSasl } from '../src/msk';
import { waitForLeaders } from '../src/topics';
import { CLUSTER_ARN, DEV_TOPICS, deleteEvent, topicsEvent } from './events';

const msk = mockClient(KafkaClient);
const silent = () => new Logger({ serviceName: 'uns-kafka-topics-test', logLevel: 'SILENT' });

beforeEach(() => msk.reset());

describe('resource properties', () => {
  it('reads the cluster ARN and the topics, with partitions passed as strings by CloudFormation', () => {
    const { clusterArn, topics } = parseProperties({
      ClusterArn: CLUSTER_ARN,
      Topics: DEV_TOPICS,
    });
    expect(clusterArn).toBe(CLUSTER_ARN);
    expect(topics[0]).toEqual({ name: 'uns.telemetry', partitions: 6 });
    expect(topics.slice(1).every((topic) => topic.partitions === 3)).toBe(true);
    expect(topics).toHaveLength(DEV_TOPICS.length);
  });

  it('names every problem at once', () => {
    expect(() =>
      parseProperties({
        ClusterArn: 'uns-mlops',
        Topics: [
          { Name: 'uns telemetry', Partitions: '6' },
          { Name: 'uns.state', Partitions: '0' },
          { Name: 'uns.alarm', Partitions: 'six' },
          { Name: 'uns.ml', Partitions: '3' },
          { Name: 'uns.ml', Partitions: '3' },
        ],
      }),
    ).toThrow(
      'Invalid UNS topics resource: ClusterArn must be an MSK cluster ARN, got "uns-mlops"; ' +
        'Topics[0].Name "uns telemetry" is not a Kafka topic name; ' +
        'Topics[1].Partitions "0" must be a whole number >= 1; ' +
        'Topics[2].Partitions "six" must be a whole number >= 1; ' +
        'Topics[4]: uns.ml is listed twice',
    );
    expect(() => parseProperties({ ClusterArn: CLUSTER_ARN, Topics: [] })).toThrow(
      /Topics must be a non-empty list/,
    );
  });
});

describe('MSK bootstrap brokers', () => {
  it('asks the MSK API for the SASL/IAM brokers of the cluster', async () => {
    msk.on(GetBootstrapBrokersCommand).resolves({
      BootstrapBrokerStringSaslIam:
        'boot-abc.c2.kafka-serverless.eu-central-1.amazonaws.com:9098,boot-def.c2.kafka-serverless.eu-central-1.amazonaws.com:9098',
    });
    const brokers = await mskBootstrapBrokers(new KafkaClient({ region: 'eu-central-1' }))(
      CLUSTER_ARN,
    );
    expect(brokers).toEqual([
      'boot-abc.c2.kafka-serverless.eu-central-1.amazonaws.com:9098',
      'boot-def.c2.kafka-serverless.eu-central-1.amazonaws.com:9098',
    ]);
    expect(msk.commandCalls(GetBootstrapBrokersCommand)[0]!.args[0].input).toEqual({
      ClusterArn: CLUSTER_ARN,
    });
  });

  it('fails, naming the cluster, when the cluster has no SASL/IAM listener', async () => {
    msk.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringTls: 'b-1:9094' });
    await expect(
      mskBootstrapBrokers(new KafkaClient({ region: 'eu-central-1' }))(CLUSTER_ARN),
    ).rejects.toThrow(`MSK cluster ${CLUSTER_ARN} has no SASL/IAM bootstrap brokers`);
  });
});

describe('MSK IAM authentication', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('signs an OAUTHBEARER token for kafka-cluster:Connect with the credentials of the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAUNSMLOPSTEST0001';
    process.env.AWS_SECRET_ACCESS_KEY = 'uns-mlops-test-secret';
    process.env.AWS_SESSION_TOKEN = 'uns-mlops-test-session';
    const sasl = mskIamSasl('eu-central-1');
    if (sasl.mechanism !== 'oauthbearer') throw new Error(`unexpected ${sasl.mechanism}`);
    const { value } = await sasl.oauthBearerProvider();
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.eu-central-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIAUNSMLOPSTEST0001\/\d{8}\/eu-central-1\/kafka-cluster\/aws4_request$/,
    );
  });
});

describe('custom resource lifecycle without a broker', () => {
  it('keeps the topics on Delete: no MSK or Kafka call, same physical id', async () => {
    const kafka = jest.fn();
    const handler = createHandler({
      bootstrapBrokers: mskBootstrapBrokers(new KafkaClient({ region: 'eu-central-1' })),
      kafka,
      logger: silent(),
    });
    await expect(handler(deleteEvent())).resolves.toEqual({
      PhysicalResourceId: `${CLUSTER_ARN}/uns-topics`,
    });
    expect(kafka).not.toHaveBeenCalled();
    expect(msk.calls()).toHaveLength(0);
  });

  it('disconnects from the cluster when creating topics fails, and fails the deployment', async () => {
    const admin = {
      connect: jest.fn(() => Promise.resolve()),
      disconnect: jest.fn(() => Promise.resolve()),
      fetchTopicMetadata: jest.fn(() => Promise.resolve({ topics: [] })),
      createTopics: jest.fn(() => Promise.reject(new Error('Topic authorization failed'))),
    };
    const handler = createHandler({
      bootstrapBrokers: () => Promise.resolve(['broker:9098']),
      kafka: () => ({ admin: () => admin as never }),
      logger: silent(),
    });
    await expect(handler(topicsEvent('Create'))).rejects.toThrow('Topic authorization failed');
    expect(admin.disconnect).toHaveBeenCalledTimes(1);
  });

  it('rejects invalid properties before touching the cluster', async () => {
    const bootstrapBrokers = jest.fn();
    const handler = createHandler({ bootstrapBrokers, kafka: jest.fn(), logger: silent() });
    await expect(
      handler(topicsEvent('Update', { ClusterArn: CLUSTER_ARN, Topics: 'uns.telemetry' })),
    ).rejects.toThrow(/Topics must be a non-empty list/);
    expect(bootstrapBrokers).not.toHaveBeenCalled();
  });
});

describe('waiting for the leaders of new topics', () => {
  const led = (name: string) => ({
    name,
    partitions: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }],
  });

  it('polls past the "unknown topic" answers a broker gives right after CreateTopics', async () => {
    const fetchTopicMetadata = jest
      .fn()
      .mockRejectedValueOnce(
        new KafkaJSError('This server does not host this topic-partition', { retriable: true }),
      )
      .mockResolvedValueOnce({ topics: [led('uns.state')] })
      .mockResolvedValueOnce({ topics: [led('uns.state'), led('uns.alarm')] });
    await waitForLeaders({ fetchTopicMetadata }, ['uns.state', 'uns.alarm']);
    expect(fetchTopicMetadata).toHaveBeenCalledTimes(3);
    expect(fetchTopicMetadata).toHaveBeenCalledWith({ topics: ['uns.state', 'uns.alarm'] });
  });

  it('fails at once on an error that is not retriable, and after the timeout otherwise', async () => {
    const denied = jest
      .fn()
      .mockRejectedValue(new KafkaJSError('Topic authorization failed', { retriable: false }));
    await expect(waitForLeaders({ fetchTopicMetadata: denied }, ['uns.ml'])).rejects.toThrow(
      'Topic authorization failed',
    );
    expect(denied).toHaveBeenCalledTimes(1);
    const leaderless = jest.fn().mockResolvedValue({
      topics: [{ name: 'uns.ml', partitions: [{ partitionId: 0, leader: -1 }] }],
    });
    await expect(
      waitForLeaders({ fetchTopicMetadata: leaderless }, ['uns.ml'], 250),
    ).rejects.toThrow('Topics uns.ml have no leaders after 250 ms');
  });
});
